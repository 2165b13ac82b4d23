"""The exact CLIP BPE tokenizer, built offline from CLIP's own vocabulary.

CLIP's byte-level BPE vocabulary (``bpe_simple_vocab_16e6.txt.gz``, 49,408
tokens) ships in the ``openai-clip`` and ``open_clip_torch`` packages. We read
the file from whichever is installed, without importing either package (both
import torchvision), write it in the vocab/merges form of
``transformers.CLIPTokenizer`` once, and let transformers tokenize.
"""
import gzip
import hashlib
import html
import importlib.util
import json
import os
import os.path as osp
from typing import Optional

import ftfy
from transformers import CLIPTokenizer

BPE_FILE = 'bpe_simple_vocab_16e6.txt.gz'
NUM_MERGES = 49152 - 256 - 2  # as in CLIP's simple_tokenizer


def find_clip_bpe_file() -> str:
    """Path of CLIP's BPE vocabulary from an installed CLIP package."""
    for package in ('clip', 'open_clip'):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            path = osp.join(folder, BPE_FILE)
            if osp.isfile(path):
                return path
    raise FileNotFoundError(
        f'CLIP BPE vocabulary {BPE_FILE} not found: `pip install openai-clip` '
        '(a dependency of mmaction_ext) or pass `bpe_path=` to the file.')


def _cache_root() -> str:
    return osp.join(
        os.environ.get('XDG_CACHE_HOME', osp.expanduser('~/.cache')),
        'mmaction_ext', 'clip_bpe')


def build_clip_tokenizer(bpe_path: Optional[str] = None,
                         cache_dir: Optional[str] = None) -> CLIPTokenizer:
    """A ``transformers.CLIPTokenizer`` equal to CLIP's tokenizer.

    Args:
        bpe_path (str, optional): CLIP's ``bpe_simple_vocab_16e6.txt.gz``.
            Defaults to the file of the installed ``clip`` / ``open_clip``.
        cache_dir (str, optional): Where the vocab.json / merges.txt pair is
            written. Defaults to ``~/.cache/mmaction_ext/clip_bpe``.

    Returns:
        CLIPTokenizer: Start token 49406, end/pad token 49407.
    """
    bpe_path = bpe_path or find_clip_bpe_file()
    if not osp.isfile(bpe_path):
        raise FileNotFoundError(f'CLIP BPE file {bpe_path!r} does not exist')
    with open(bpe_path, 'rb') as f:
        raw = f.read()
    folder = osp.join(cache_dir or _cache_root(),
                      hashlib.sha1(raw).hexdigest()[:16])
    vocab_file = osp.join(folder, 'vocab.json')
    merges_file = osp.join(folder, 'merges.txt')
    if not osp.isfile(vocab_file):
        lines = gzip.decompress(raw).decode('utf-8').split('\n')
        merges = lines[1:NUM_MERGES + 1]
        os.makedirs(folder, exist_ok=True)
        with open(merges_file, 'w', encoding='utf-8') as f:
            f.write('#version: 0.2\n' + '\n'.join(merges) + '\n')
        tmp = vocab_file + f'.{os.getpid()}.tmp'
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(_clip_vocab(merges), f)
        os.replace(tmp, vocab_file)  # atomic: safe with parallel workers
    return CLIPTokenizer(vocab_file, merges_file)


def clean_text(text: str) -> str:
    """CLIP's text clean-up that ``CLIPTokenizer`` lacks (HTML entities).

    OpenAI's tokenizer runs ``ftfy.fix_text`` and then unescapes HTML twice
    before lower-casing; transformers only does the former.
    """
    return html.unescape(html.unescape(ftfy.fix_text(text))).strip()


def _clip_vocab(merges):
    from transformers.models.clip.tokenization_clip import bytes_to_unicode
    symbols = list(bytes_to_unicode().values())
    symbols += [s + '</w>' for s in symbols]
    symbols += [''.join(merge.split()) for merge in merges]
    symbols += ['<|startoftext|>', '<|endoftext|>']
    return {symbol: index for index, symbol in enumerate(symbols)}

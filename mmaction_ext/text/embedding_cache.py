"""On-disk cache of encoded texts, keyed by everything that shapes them.

A cache file holds the embeddings of a list of texts together with the key
they were built under: the text bank's ``name@version``, how the texts are
taken from it (field or template, extra texts), the texts themselves and the
identity of the encoder (its config with paths resolved and a fingerprint of
the weight files). The file name carries a digest of the key and loading
checks the stored key and texts again, so an edited bank, another encoder or
another template never gets embeddings built for something else.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, List, Optional

import numpy as np
import torch

from ..fileio.atomic_write import write_atomically

CACHE_SCHEMA = 'mmaction_ext.text_embeddings/1'
# encoder settings that do not change what a frozen encoder computes
_NOT_IDENTITY = ('frozen', 'cache_embeddings', 'init_cfg')


def _fingerprint(path: str) -> List:
    """Name, size and modification time of a file or of a folder's files."""
    if osp.isfile(path):
        stat = os.stat(path)
        return [[osp.basename(path), stat.st_size, stat.st_mtime_ns]]
    rows = []
    for name in sorted(os.listdir(path)):
        full = osp.join(path, name)
        if osp.isfile(full):
            stat = os.stat(full)
            rows.append([name, stat.st_size, stat.st_mtime_ns])
    return rows


def encoder_identity(encoder_cfg: Dict) -> Dict:
    """What identifies a text encoder's outputs: its config, paths resolved.

    Args:
        encoder_cfg (dict): A text encoder config (``type``, ``model_path``
            or ``pretrained``, ``pooling``, ...).

    Returns:
        dict: JSON-serialisable; existing paths are replaced by their real
        path and the fingerprint of the files they hold.
    """
    identity = {}
    for key in sorted(encoder_cfg):
        value = encoder_cfg[key]
        if key in _NOT_IDENTITY:
            continue
        if isinstance(value, str) and osp.exists(value):
            identity[f'{key}_files'] = _fingerprint(value)
            value = osp.realpath(value)
        identity[key] = value
    return identity


def cache_key(**parts) -> str:
    """A canonical JSON string of the key's parts."""
    return json.dumps(
        dict(schema=CACHE_SCHEMA, **parts), sort_keys=True, default=str)


def cache_file(cache_dir: str, stem: str, key: str) -> str:
    """``<cache_dir>/<stem>_<digest of key>.npz``."""
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return osp.join(cache_dir, f'{stem}_{digest}.npz')


def load_cached_embeddings(path: str, key: str,
                           texts: List[str]) -> Optional[torch.Tensor]:
    """The cached (N, D) embeddings, or None when missing or not for ``key``.

    A file written for another key or other texts (a digest collision, a
    hand-copied file) is never served.
    """
    if not osp.isfile(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            stored_key = str(data['key'])
            stored_texts = [str(t) for t in data['texts']]
            embeddings = data['embeddings']
    except (OSError, ValueError, KeyError):
        return None  # unreadable or truncated: rebuilt by the caller
    if stored_key != key or stored_texts != list(texts) \
            or embeddings.ndim != 2 or len(embeddings) != len(texts):
        return None
    return torch.from_numpy(embeddings)


def save_cached_embeddings(path: str, key: str, texts: List[str],
                           embeddings: torch.Tensor) -> None:
    """Write the cache atomically: a temporary file, then a rename."""
    write_atomically(
        path, lambda f: np.savez(
            f,
            key=np.array(key),
            texts=np.array(list(texts), dtype=str),
            embeddings=embeddings.detach().float().cpu().numpy()))

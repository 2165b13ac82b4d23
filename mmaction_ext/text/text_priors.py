"""TRG-Net's text priors: joint graph, action graph, action embeddings.

Every joint of a skeleton layout and every action class has a description
in a text bank; a text encoder embeds them. Two graphs follow from the
embeddings' pairwise L2 distances D: ``G = 1 - (D - min D) / (max D - min
D)`` (min and max over the whole matrix, so the diagonal is 1): the text
joint graph TJG (V x V) and the text action graph TAG (C x C).
"""
import hashlib
import os
import os.path as osp
from typing import Dict, Optional

import numpy as np
import torch

from .text_bank import TextBank


def relation_graph(embeddings: torch.Tensor) -> torch.Tensor:
    """``1 - minmax(pairwise L2)`` of (K, D) embeddings, shape (K, K)."""
    distance = torch.cdist(embeddings.double(), embeddings.double())
    span = (distance.max() - distance.min()).clamp(min=1e-12)
    return (1 - (distance - distance.min()) / span).float()


def _texts(bank: TextBank, key: str):
    return [bank.field(i, key) for i in range(len(bank))]


def build_text_priors(joint_bank: TextBank,
                      action_bank: TextBank,
                      encoder,
                      background: Optional[str] = None) -> Dict:
    """Encode the descriptions and build the graphs.

    Args:
        joint_bank (TextBank): One entry per joint with a ``description``.
        action_bank (TextBank): One entry per class with a ``paragraph``.
        encoder (BaseTextEncoder): A text encoder (any of ours).
        background (str, optional): Description of a background class put
            before the bank's classes (label 0), for label sets that add one.

    Returns:
        dict: ``tjg`` (V, V), ``tag`` (C, C), ``action_embeddings`` (C, D),
        ``joint_embeddings`` (V, D), float32 numpy arrays.
    """
    actions = _texts(action_bank, 'paragraph')
    if background is not None:
        actions = [background] + actions
    with torch.no_grad():
        joints = encoder(_texts(joint_bank, 'description')).float().cpu()
        classes = encoder(actions).float().cpu()
    return dict(
        tjg=relation_graph(joints).numpy(),
        tag=relation_graph(classes).numpy(),
        action_embeddings=classes.numpy(),
        joint_embeddings=joints.numpy())


def prior_cache_key(joint_bank: TextBank, action_bank: TextBank,
                    encoder_id: str, background: Optional[str]) -> str:
    """A file-name-safe key of the banks' versions and the encoder."""
    raw = '|'.join(
        [joint_bank.key, action_bank.key, encoder_id, background or ''])
    digest = hashlib.sha1(raw.encode()).hexdigest()[:10]
    return f'{joint_bank.name}-{action_bank.name}-{digest}'


def save_text_priors(priors: Dict, path: str, **meta) -> None:
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    tmp = path + f'.{os.getpid()}.tmp.npz'
    np.savez(tmp, **priors, **{
        f'meta_{k}': np.array(v)
        for k, v in meta.items()
    })
    os.replace(tmp, path)


def load_text_priors(path: str) -> Dict:
    """Arrays of a priors file written by tools/trgnet/build_text_priors.py."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Text priors {path!r} do not exist; build them with `python '
            'tools/trgnet/build_text_priors.py` (see configs/trgnet/'
            'README.md)')
    with np.load(path, allow_pickle=False) as data:
        priors = {k: data[k] for k in data.files}
    for key in ('tjg', 'tag', 'action_embeddings'):
        if key not in priors:
            raise KeyError(f'{path} has no {key!r}')
    return priors

"""TRG-Net's text priors: joint graph, action graph, action embeddings.

Every joint of a skeleton layout and every action class has a description
in a text bank; a text encoder embeds them. Two graphs follow from the
embeddings' pairwise L2 distances D: ``G = 1 - (D - min D) / (max D - min
D)`` (min and max over the whole matrix, so the diagonal is 1): the text
joint graph TJG (V x V) and the text action graph TAG (C x C).
"""
import hashlib
import os.path as osp
from typing import Dict, Optional

import numpy as np
import torch

from mmaction_ext.fileio.atomic_write import write_atomically
from mmaction_ext.utils.relation_graph import relation_graph
from .text_bank import TextBank


def _texts(bank: TextBank, key: str):
    return [bank.field(i, key) for i in range(len(bank))]


def text_priors_from_embeddings(joints: torch.Tensor,
                                classes: torch.Tensor) -> Dict:
    """The priors of joint (V, D) and class (C, D) text embeddings.

    Returns:
        dict: ``tjg`` (V, V), ``tag`` (C, C), ``action_embeddings`` (C, D),
        ``joint_embeddings`` (V, D), float32 numpy arrays.
    """
    joints, classes = joints.float().cpu(), classes.float().cpu()
    return dict(
        tjg=relation_graph(joints).numpy(),
        tag=relation_graph(classes).numpy(),
        action_embeddings=classes.numpy(),
        joint_embeddings=joints.numpy())


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
        joints = encoder(_texts(joint_bank, 'description'))
        classes = encoder(actions)
    return text_priors_from_embeddings(joints, classes)


def prior_cache_key(joint_bank: TextBank, action_bank: TextBank,
                    encoder_id: str, background: Optional[str]) -> str:
    """A file-name-safe key of the banks' versions and the encoder."""
    raw = '|'.join(
        [joint_bank.key, action_bank.key, encoder_id, background or ''])
    digest = hashlib.sha1(raw.encode()).hexdigest()[:10]
    return f'{joint_bank.name}-{action_bank.name}-{digest}'


def save_text_priors(priors: Dict, path: str, **meta) -> None:
    arrays = dict(priors)
    arrays.update({f'meta_{k}': np.array(v) for k, v in meta.items()})
    write_atomically(path, lambda f: np.savez(f, **arrays))


def load_text_priors(path: str) -> Dict:
    """Arrays of a priors file written by tools/trgnet/build_text_priors.py.

    Only plain arrays are read (no pickled objects).
    """
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

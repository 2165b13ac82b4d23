from typing import Dict, List, Optional, Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from mmaction.registry import MODELS


@MODELS.register_module()
class RelationDataPreprocessor(BaseDataPreprocessor):
    """Pad segments with different numbers of subject-object pairs.

    Each sample's ``inputs`` is a dict (``PackActionInputs(collect_keys=
    ...)``): pair-level tensors (P, ...) with P pairs, frame-level tensors
    (T, ...) shared by the segment's pairs. Pair-level tensors are padded
    with zeros to the batch's largest P and a ``pair_valid`` (B, P_max)
    mask is added; frame-level tensors are stacked. Every sample must have
    the same frames T; a valid pair needs at least one valid frame in
    ``pair_mask``; optional keys are in every sample or in none.

    Args:
        pair_keys (Sequence[str]): Required pair-level keys. Defaults to
            SAGE's features, ``pair_mask`` included.
        frame_keys (Sequence[str]): Required frame-level keys. Defaults to
            ``('frame_feats', )``.
        optional_pair_keys (Sequence[str]): Pair-level keys that may be
            absent (in the whole batch). Defaults to
            ``('description_feats', )``.
    """

    def __init__(self,
                 pair_keys: Sequence[str] = ('subject_feats', 'object_feats',
                                             'union_feats', 'motion_feats',
                                             'pair_mask'),
                 frame_keys: Sequence[str] = ('frame_feats', ),
                 optional_pair_keys: Sequence[str] = ('description_feats', ),
                 mask_key: str = 'pair_mask') -> None:
        super().__init__()
        self.pair_keys, self.frame_keys = tuple(pair_keys), tuple(frame_keys)
        self.optional_pair_keys = tuple(optional_pair_keys)
        self.mask_key = mask_key

    @staticmethod
    def _as_samples(inputs) -> List[Dict[str, torch.Tensor]]:
        if isinstance(inputs, dict):  # pseudo_collate: key -> list
            keys = list(inputs)
            return [
                dict(zip(keys, values)) for values in zip(*inputs.values())
            ]
        return list(inputs)

    def _check(self, samples, data_samples) -> List[str]:
        present = [
            k for k in self.optional_pair_keys if any(k in s for s in samples)
        ]
        for n, sample in enumerate(samples):
            where = f'sample {n}' + _video(data_samples, n)
            missing = [
                k for k in self.pair_keys + self.frame_keys + tuple(present)
                if k not in sample
            ]
            if missing:
                raise KeyError(f'{where}: inputs lack {missing} (have '
                               f'{sorted(sample)}); optional keys must be in '
                               'every sample of a batch or in none')
            pairs = {
                k: sample[k].shape[0]
                for k in self.pair_keys + tuple(present)
            }
            if len(set(pairs.values())) != 1:
                raise ValueError(f'{where}: pair counts differ: {pairs}')
            mask = sample[self.mask_key]
            frames = samples[0][self.mask_key].shape[1]
            if mask.dim() != 2 or mask.shape[1] != frames:
                raise ValueError(f'{where}: {self.mask_key} has shape '
                                 f'{tuple(mask.shape)}, expected (P, '
                                 f'{frames}) like sample 0')
            empty = (~mask.bool()).all(1).nonzero().flatten().tolist()
            if empty:
                raise ValueError(f'{where}: pairs {empty} have no valid '
                                 f'frame in {self.mask_key}')
        return list(self.pair_keys) + present

    def forward(self, data: Dict, training: bool = False) -> Dict:
        data = self.cast_data(data)
        data_samples: Optional[list] = data.get('data_samples')
        samples = self._as_samples(data['inputs'])
        if not samples:
            raise ValueError('RelationDataPreprocessor got an empty batch')
        pair_keys = self._check(samples, data_samples)
        most = max(s[self.mask_key].shape[0] for s in samples)
        batch = {}
        for key in pair_keys:
            first = samples[0][key]
            padded = first.new_zeros((len(samples), most) + first.shape[1:])
            for n, sample in enumerate(samples):
                padded[n, :len(sample[key])] = sample[key]
            batch[key] = padded
        for key in self.frame_keys:
            batch[key] = torch.stack([s[key] for s in samples])
        valid = torch.zeros(
            len(samples),
            most,
            dtype=torch.bool,
            device=batch[self.mask_key].device)
        for n, sample in enumerate(samples):
            valid[n, :len(sample[self.mask_key])] = True
        batch[self.mask_key] = batch[self.mask_key].bool()
        batch['pair_valid'] = valid
        for key, value in batch.items():
            if value.is_floating_point():
                batch[key] = value.float()
        return dict(inputs=batch, data_samples=data_samples)


def _video(data_samples, index) -> str:
    if not data_samples or index >= len(data_samples):
        return ''
    video = data_samples[index].get('video_id', None)
    segment = data_samples[index].get('segment', None)
    return '' if video is None else f' (video {video!r}, segment {segment})'

from typing import Dict

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseDataPreprocessor

KEYS = ('node_feats', 'node_mask', 'relations')


@MODELS.register_module()
class SceneGraphDataPreprocessor(BaseDataPreprocessor):
    """Stacks the scene-graph inputs of a batch.

    ``PackActionInputs(collect_keys=('node_feats', 'node_mask',
    'relations'))`` gives each sample a dict of tensors; this stacks them
    to ``node_feats`` float (B, N, M, D), ``node_mask`` bool (B, N, M),
    ``relations`` float (B, N, M, M, R). MMAction2's
    ``MultiModalDataPreprocessor`` would need an image preprocessor per
    key, which expects image layouts, hence this one. Samples must share N
    and M (the dataset pads the slots to a fixed M).
    """

    def forward(self, data: Dict, training: bool = False) -> Dict:
        data = self.cast_data(data)
        inputs = data['inputs']
        if not isinstance(inputs, dict):  # a list of per-sample dicts
            inputs = {key: [x[key] for x in inputs] for key in KEYS}
        batch = {}
        for key in KEYS:
            if key not in inputs:
                raise KeyError(f'inputs lack {key!r}; pack them with '
                               f'PackActionInputs(collect_keys={KEYS})')
            batch[key] = self._stack(key, inputs[key])
        batch['node_feats'] = batch['node_feats'].float()
        batch['node_mask'] = batch['node_mask'].bool()
        batch['relations'] = batch['relations'].float()
        data['inputs'] = batch
        return data

    @staticmethod
    def _stack(key: str, items) -> torch.Tensor:
        if isinstance(items, torch.Tensor):  # collated already
            return items
        shapes = {tuple(x.shape) for x in items}
        if len(shapes) != 1:
            raise ValueError(
                f'{key}: samples of a batch have different shapes '
                f'{sorted(shapes)}; pad them to a common N and M')
        return torch.stack(list(items))

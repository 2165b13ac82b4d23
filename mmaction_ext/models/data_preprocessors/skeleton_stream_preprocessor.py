from typing import List, Optional, Tuple, Union

import torch

from mmaction.models.data_preprocessors import ActionDataPreprocessor
from mmaction.registry import MODELS
from mmaction.utils import SampleList
from mmaction_ext.structures.skeleton_layouts import (k_hop_difference_matrix,
                                                      k_hop_graph_edges)


@MODELS.register_module()
class SkeletonStreamPreprocessor(ActionDataPreprocessor):
    """Turn batched joints into a GAP / InfoGCN input stream, in the model.

    Applies X <- (I - A^k) X per frame (``k_hop``; see
    :class:`~mmaction_ext.datasets.transforms.KHopDifference`) and, for motion
    streams, frame differences with a zero last frame, as the official GAP
    code does inside its model. The two steps are linear and commute.

    Shapes: inputs (N, num_clips, M, T, V, C), unchanged.

    Args:
        k_hop (int, optional): Hops k; None keeps joints as they are. The
            official streams: NTU joint 8, NTU bone 1, NW-UCLA joint 6,
            NW-UCLA bone 1.
        layout (str | dict): As in
            :class:`~mmaction_ext.datasets.transforms.KHopDifference`:
            ``'nturgb+d'``, ``'nwucla'`` or ``dict(num_joints, edges)``.
            Defaults to ``'nturgb+d'``.
        motion (bool): Frame differences (the ``*_motion`` streams).
            Defaults to False.
    """

    def __init__(self,
                 k_hop: Optional[int] = None,
                 layout: Union[str, dict] = 'nturgb+d',
                 motion: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.k_hop = k_hop
        self.motion = motion
        if k_hop is not None:
            num_joints, edges = k_hop_graph_edges(layout)
            self.register_buffer(
                'transform',
                torch.tensor(
                    k_hop_difference_matrix(num_joints, edges, k_hop),
                    dtype=torch.float32), False)

    def preprocess(self,
                   inputs: List[torch.Tensor],
                   data_samples: SampleList,
                   training: bool = False) -> Tuple:
        inputs, data_samples = super().preprocess(inputs, data_samples,
                                                  training)
        if self.k_hop is not None:
            if inputs.shape[-2] != self.transform.shape[0]:
                raise ValueError(
                    f'{type(self).__name__} is set up for '
                    f'{self.transform.shape[0]} joints, the batch has '
                    f'{inputs.shape[-2]} (shape {tuple(inputs.shape)})')
            inputs = torch.einsum('uv,...vc->...uc', self.transform, inputs)
        if self.motion:
            motion = torch.zeros_like(inputs)
            motion[..., :-1, :, :] = inputs[...,
                                            1:, :, :] - inputs[..., :-1, :, :]
            inputs = motion
        return inputs, data_samples

from typing import Optional

import torch
import torch.nn as nn

from mmaction.registry import MODELS
from .class_aware_prompt_learner import ClassAwarePromptLearner

STYLES = ('cocoop', 'inserted')


@MODELS.register_module()
class ImageConditionedPromptLearner(ClassAwarePromptLearner):
    """Instance-conditioned prompts: the baseline SAGE's Table 5 replaces.

    The prompts depend on each instance's visual feature
    (``P(prompt | image)``) instead of the class embedding:

    * ``'cocoop'`` (CoCoOp, Zhou et al. CVPR 2022): a meta-net
      ``visual_dims -> visual_dims // 16 -> width`` gives a bias added to
      every context token;
    * ``'inserted'``: the TKE-shaped bottleneck reads the visual feature
      and its ``num_prompts`` tokens are inserted after ``insert_layer``
      layers, exactly where the class-aware tokens go.

    Every instance then embeds every class: N x C text sequences.

    Args:
        visual_dims (int): Size of the visual feature (``V_vr``).
        style (str): ``'cocoop'`` or ``'inserted'``. Defaults to
            ``'cocoop'``.
        **kwargs: :class:`ClassAwarePromptLearner` arguments;
            ``num_prompts`` is used by ``'inserted'`` only.
    """

    def __init__(self,
                 visual_dims: int,
                 style: str = 'cocoop',
                 tke_hidden: int = 64,
                 **kwargs) -> None:
        if style not in STYLES:
            raise ValueError(f'style must be one of {STYLES}, got {style!r}')
        if style == 'cocoop':
            kwargs['num_prompts'] = 0
        self.style, self.visual_dims = style, visual_dims
        self._hidden = tke_hidden if style == 'inserted' else \
            max(visual_dims // 16, 1)
        super().__init__(tke_hidden=tke_hidden, **kwargs)
        if style == 'cocoop':
            self.meta_net = nn.Sequential(
                nn.Linear(visual_dims, self._hidden), nn.ReLU(inplace=True),
                nn.Linear(self._hidden, self.width))

    @property
    def conditional_on_image(self) -> bool:
        return True

    def _build_generator(self, in_dims: int, hidden: int):
        """The 'inserted' bottleneck reads the visual feature."""
        return super()._build_generator(self.visual_dims, self._hidden)

    def forward(self,
                class_index: Optional[torch.Tensor] = None,
                visual: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Class embeddings (N, C', embed_dims) per instance.

        Args:
            class_index (torch.Tensor, optional): (C', ) classes; all when
                None.
            visual (torch.Tensor): (N, visual_dims) instance features.
        """
        if visual is None or visual.dim() != 2 or \
                visual.size(1) != self.visual_dims:
            raise ValueError(
                f'{type(self).__name__} needs visual features (N, '
                f'{self.visual_dims}), got '
                f'{None if visual is None else tuple(visual.shape)}')
        index = self._class_index(class_index)
        num, classes = visual.size(0), len(index)
        context = self.context.expand(num, -1, -1)
        inserted = None
        if self.style == 'cocoop':
            context = context + self.meta_net(visual)[:, None]
        else:
            inserted = self.tke(visual).view(num, 1, self.num_prompts,
                                             self.width)
            inserted = inserted.expand(-1, classes, -1,
                                       -1).reshape(num * classes,
                                                   self.num_prompts,
                                                   self.width)
        context = context[:, None].expand(-1, classes, -1, -1)
        embeds = self._prompt_embeds(
            index.repeat(num),
            context.reshape(num * classes, self.num_context, self.width))
        return self.text_encoder.encode_embeddings(
            embeds,
            self.eot_index[index].repeat(num),
            inserted_prompts=inserted,
            insert_layer=self.insert_layer).view(num, classes, -1)

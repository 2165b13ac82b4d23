from typing import Dict, Optional

from mmaction.models.recognizers import RecognizerGCN
from mmaction.registry import MODELS
from mmaction.utils import SampleList


@MODELS.register_module()
class GAPRecognizer(RecognizerGCN):
    """A GCN recognizer trained with GAP's text supervision.

    Identical to :class:`RecognizerGCN` (same backbone, same ``cls_head``,
    same state-dict keys and predictions) plus a training-only ``gap_head``
    whose loss is added to the classification loss. Without ``gap_head``
    (``tools/test.py`` drops it, see :attr:`train_only_args`) the model is
    exactly the plain recognizer, and checkpoint keys of the text branch are
    skipped when loading, so inference costs nothing extra.

    Args:
        backbone (dict): Any MMAction2 GCN backbone (CTRGCN, STGCN, AAGCN
            ...); its ``graph`` gives the joint count to the GAP head.
        cls_head (dict): The classification head, e.g. ``GCNHead``.
        gap_head (dict, optional): :class:`GAPHead` config.
        **kwargs: Other arguments of :class:`RecognizerGCN`.
    """

    train_only_args = ('gap_head', )

    def __init__(self,
                 backbone: Dict,
                 cls_head: Dict,
                 gap_head: Optional[Dict] = None,
                 **kwargs) -> None:
        super().__init__(backbone=backbone, cls_head=cls_head, **kwargs)
        self.gap_head = None
        if gap_head is not None:
            gap_head = dict(gap_head)
            gap_head.setdefault('num_joints', self.backbone.graph.num_node)
            classes = self.cls_head.num_classes
            if gap_head.setdefault('num_classes', classes) != classes:
                raise ValueError(
                    f'gap_head.num_classes is {gap_head["num_classes"]} but '
                    f'cls_head.num_classes is {classes}: the text bank must '
                    'describe the classifier\'s classes (leave '
                    'gap_head.num_classes unset)')
            self.gap_head = MODELS.build(gap_head)
        self._register_load_state_dict_pre_hook(self._skip_gap_head_keys)

    def _skip_gap_head_keys(self, state_dict, prefix, *args) -> None:
        if self.gap_head is None:
            for key in [
                    k for k in state_dict if k.startswith(prefix + 'gap_head.')
            ]:
                state_dict.pop(key)

    def loss(self, inputs, data_samples: SampleList, **kwargs) -> Dict:
        """Classification loss plus, when training with text, GAP's loss."""
        feats, loss_kwargs = self.extract_feat(
            inputs, data_samples=data_samples)
        losses = self.cls_head.loss(feats, data_samples, **loss_kwargs)
        if self.gap_head is not None:
            losses.update(self.gap_head.loss(feats, data_samples))
        return losses

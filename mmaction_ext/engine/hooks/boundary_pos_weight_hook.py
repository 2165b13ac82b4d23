from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmaction.registry import HOOKS
from mmaction_ext.structures import boundary_pos_weight


def _downsample_factor(dataset) -> int:
    """The ``factor`` of a ``TemporalDownsample`` in the dataset pipeline."""
    factor = 1
    for transform in getattr(dataset.pipeline, 'transforms', []):
        if type(transform).__name__ == 'TemporalDownsample':
            factor *= transform.factor
    return factor


@HOOKS.register_module()
class BoundaryPosWeightHook(Hook):
    """Set the boundary loss weight from the training labels, as TRG-Net.

    The official code weights boundary frames by 1 / (fraction of boundary
    frames in the training list). Before training this hook counts them in
    the training dataset (at the rate the model sees, i.e. after a
    ``TemporalDownsample`` in its pipeline) and sets ``pos_weight`` of the
    model's ``boundary_loss`` when the config left it ``None``; a number
    written in the config is kept.

    Args:
        loss_name (str): Attribute of the model holding the loss. Defaults
            to ``'boundary_loss'``.
        temporal_factor (int, optional): Overrides the factor read from the
            pipeline.
    """

    priority = 'NORMAL'

    def __init__(self,
                 loss_name: str = 'boundary_loss',
                 temporal_factor: Optional[int] = None) -> None:
        self.loss_name = loss_name
        self.temporal_factor = temporal_factor

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        loss = getattr(model, self.loss_name, None)
        if loss is None or not hasattr(loss, 'pos_weight'):
            raise AttributeError(
                f'{type(model).__name__} has no {self.loss_name} with a '
                'pos_weight for BoundaryPosWeightHook to set')
        if loss.pos_weight is not None:
            runner.logger.info(f'boundary pos_weight {loss.pos_weight} '
                               'from the config (kept)')
            return
        dataset = runner.train_dataloader.dataset
        factor = self.temporal_factor or _downsample_factor(dataset)
        labels = (
            dataset.get_data_info(i)['frame_labels']
            for i in range(len(dataset)))
        loss.pos_weight = boundary_pos_weight(labels, factor)
        runner.logger.info(f'boundary pos_weight {loss.pos_weight:.2f} = 1 / '
                           'boundary-frame ratio of the training set '
                           f'(temporal factor {factor})')

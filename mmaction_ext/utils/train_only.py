from typing import List

from mmaction.registry import MODELS


def drop_train_only_args(model_cfg: dict) -> List[str]:
    """Remove the training-only parts of a model config, in place.

    A model class lists the constructor arguments it needs only for training
    in ``train_only_args`` (e.g. :class:`GAPRecognizer`'s ``gap_head``, a text
    branch). Testing and inference build the model without them, so they are
    neither built nor run, and their checkpoint weights are skipped.

    Args:
        model_cfg (dict): The ``model`` entry of a config.

    Returns:
        list[str]: The arguments that were removed.
    """
    model_type = model_cfg.get('type')
    model_cls = MODELS.get(model_type) if isinstance(model_type, str) \
        else model_type
    dropped = [
        arg for arg in getattr(model_cls, 'train_only_args', ())
        if model_cfg.get(arg) is not None
    ]
    for arg in dropped:
        model_cfg[arg] = None
    return dropped

import re
from collections import Counter
from typing import Dict, Optional, Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmaction.registry import HOOKS
from ...utils.errors import CheckpointMismatchError

# Keys that only the training model has (GAP's text branch, see
# ``GAPRecognizer.train_only_args``): test models are built without them
# and checkpoints may have been stripped of them.
TRAIN_ONLY_PREFIXES = ('gap_head.', )


def _state_dict(checkpoint: Dict) -> Dict:
    state = checkpoint.get('state_dict', checkpoint)
    return {re.sub(r'^module\.', '', k): v for k, v in state.items()}


def checkpoint_origin(checkpoint: Dict) -> str:
    """What the checkpoint's meta and key prefixes say about its model."""
    meta = checkpoint.get('meta') or {}
    found = []
    if isinstance(meta.get('cfg'), str):
        try:
            from mmengine.config import Config
            model = Config.fromstring(meta['cfg'], '.py').get('model') or {}
            types = [model.get('type')
                     ] + [(model.get(part) or {}).get('type')
                          for part in ('backbone', 'cls_head', 'head')]
            found.append('model ' + '/'.join(t for t in types if t))
        except Exception:  # a config we cannot parse only loses this hint
            pass
    if meta.get('experiment_name'):
        found.append(f'run {meta["experiment_name"]}')
    prefixes = Counter(k.split('.')[0] for k in _state_dict(checkpoint))
    found.append('keys ' + ', '.join(f'{p}.* ({n})'
                                     for p, n in prefixes.most_common(5)))
    return '; '.join(found)


def match_checkpoint(model_state: Dict, checkpoint: Dict,
                     skip: Sequence[str]) -> Dict:
    """Model keys found in the checkpoint with the same shape, and the rest.

    Returns:
        dict: ``matched``, ``missing`` and ``wrong_shape`` key lists
        (model keys starting with a ``skip`` prefix are left out).
    """
    saved = _state_dict(checkpoint)
    result = dict(matched=[], missing=[], wrong_shape=[])
    for key, value in model_state.items():
        if key.startswith(tuple(skip)):
            continue
        if key not in saved:
            result['missing'].append(key)
        elif tuple(saved[key].shape) != tuple(value.shape):
            result['wrong_shape'].append(key)
        else:
            result['matched'].append(key)
    return result


@HOOKS.register_module()
class CheckpointCheckHook(Hook):
    """Refuse a checkpoint that does not fit the model (``load_from``).

    MMEngine loads ``load_from`` non-strictly: a checkpoint of another model
    only logs a warning, and testing then scores a randomly initialised
    model. This hook compares every loaded checkpoint with the model and
    raises :class:`CheckpointMismatchError`, listing how many keys matched
    and what model the checkpoint seems to be from (its saved config and key
    prefixes). The training-only ``gap_head.*`` keys of GAP are always an
    allowed difference. ``tools/train.py`` and ``tools/test.py`` add this
    hook unless the config sets ``strict_load=False`` (``tools/test.py
    --non-strict-load``).

    Args:
        min_matched (float): Smallest fraction of the model's keys that must
            be found in the checkpoint with the same shape. 1.0 (testing)
            requires every key; 0.5 (default, fine-tuning from another
            head) requires most.
        skip_prefixes (Sequence[str]): Model keys never required.
            Defaults to ``('gap_head.', )``.
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 min_matched: float = 0.5,
                 skip_prefixes: Optional[Sequence[str]] = None) -> None:
        self.min_matched = min_matched
        self.skip_prefixes = tuple(TRAIN_ONLY_PREFIXES if skip_prefixes is
                                   None else skip_prefixes)

    def after_load_checkpoint(self, runner, checkpoint: Dict) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        match = match_checkpoint(model.state_dict(), checkpoint,
                                 self.skip_prefixes)
        total = sum(len(keys) for keys in match.values())
        if not total or len(match['matched']) >= self.min_matched * total:
            return
        examples = (match['missing'] + match['wrong_shape'])[:3]
        raise CheckpointMismatchError(
            f'checkpoint {getattr(runner, "_load_from", None) or ""} does '
            f'not fit the model {type(model).__name__}: '
            f'{len(match["matched"])} of {total} model keys matched '
            f'({len(match["missing"])} missing, e.g. {examples}; '
            f'{len(match["wrong_shape"])} with another shape). The '
            f'checkpoint seems to be from: {checkpoint_origin(checkpoint)}. '
            'Pass the checkpoint of this config, or load it anyway with '
            '`--non-strict-load` (tools/test.py) or `--cfg-options '
            'strict_load=False`.')


def add_checkpoint_check(cfg, min_matched: float = 0.5) -> bool:
    """Add :class:`CheckpointCheckHook` to a config unless it opts out.

    Args:
        cfg (Config): A config about to build a Runner.
        min_matched (float): See :class:`CheckpointCheckHook`.

    Returns:
        bool: True if the hook was added.
    """
    if not cfg.get('strict_load', True):
        return False
    hooks = list(cfg.get('custom_hooks') or [])
    if any(
            h.get('type') in ('CheckpointCheckHook', CheckpointCheckHook)
            for h in hooks):
        return False
    hooks.append(dict(type='CheckpointCheckHook', min_matched=min_matched))
    cfg.custom_hooks = hooks
    return True

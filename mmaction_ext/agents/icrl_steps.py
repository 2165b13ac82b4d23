"""The default maps and train steps of the ICRL loop (MMEngine Runner)."""
import copy
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

from ..engine import add_checkpoint_check
from ..open_vocab import (build_open_vocab_detector, build_segmenter,
                          extract_maps)
from ..utils.errors import BadInputError
from .icrl_agent import TrainRequest, TrainResult

TRANSFORM = 'LoadLikelihoodMaps'
METRIC_PREFIX = 'icrl'


def _walk(node, visit):
    """Call ``visit`` on every dict inside ``node`` (dicts and lists)."""
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _walk(value, visit)


def _as_dict(cfg):
    """The dict under an mmengine ``Config`` (or ``cfg`` itself)."""
    return cfg._cfg_dict if hasattr(cfg, '_cfg_dict') else cfg


def _set_path(cfg, path: str, value) -> None:
    *parents, last = path.split('.')
    node = _as_dict(cfg)
    for key in parents:
        if not isinstance(node, dict) or key not in node:
            raise BadInputError(f'the config has no {path!r} (at {key!r})')
        node = node[key]
    if not isinstance(node, dict) or last not in node:
        raise BadInputError(f'the config has no {path!r}')
    node[last] = value


def apply_object_classes(cfg,
                         classes: Sequence[str],
                         maps_dir: Optional[str],
                         count_keys: Sequence[str] = ()) -> None:
    """Point a recognizer config at an object set, in place.

    Every ``LoadLikelihoodMaps`` of every pipeline gets ``classes`` (and
    ``maps_dir``, unless it computes maps on the fly). The number of maps
    K reaches the model through ``count_keys``: dotted paths, each
    optionally ``+N`` (set to K + N, e.g.
    ``'model.backbone.in_channels+3'``); without them an
    ``A2ORecognizer``'s adapter (and no-compression backbone) gets K, and
    for other models every ``num_maps`` key inside ``cfg.model`` is set to
    K.

    Raises:
        BadInputError: If the config has no ``LoadLikelihoodMaps``, or no
            place to put K.
    """
    classes, found = list(classes), []

    def visit(node):
        if node.get('type') == TRANSFORM:
            node['classes'] = list(classes)
            if not node.get('detector'):
                node['maps_dir'] = maps_dir
            found.append(node)

    _walk(_as_dict(cfg), visit)
    if not found:
        raise BadInputError(f'the config has no {TRANSFORM} transform; the '
                            'object classes cannot reach the data')
    if count_keys:
        for key in count_keys:
            path, _, offset = key.partition('+')
            _set_path(cfg, path.strip(), len(classes) + int(offset or 0))
        return
    if _set_adapter_channels(cfg.get('model'), len(classes)):
        return
    counts = []
    _walk(cfg.get('model'), lambda n: 'num_maps' in n and counts.append(n))
    if not counts:
        raise BadInputError(
            'the model config has no `num_maps`; name the key(s) that take '
            'the number of maps with --map-count-key (e.g. '
            'model.backbone.in_channels+3)')
    for node in counts:
        node['num_maps'] = len(classes)


def _set_adapter_channels(model, num_maps: int) -> bool:
    """K into an ``A2ORecognizer``'s adapter (and, for the no-compression
    variant, 3 + K into its backbone); False for other models."""
    if not model or model.get('type') != 'A2ORecognizer' \
            or not model.get('adapter'):
        return False
    model['adapter']['in_channels'] = num_maps
    if model['adapter'].get('fuse') == 'concat':
        model['backbone']['in_channels'] = 3 + num_maps
    return True


class DetectorMapsStep:
    """Compute (or find, when cached) the maps of an object set.

    Args:
        detector (dict): Detector config, see
            :func:`~mmaction_ext.open_vocab.build_open_vocab_detector`.
        videos (list[str]): Videos (relative to ``video_root``) of the
            train and validation splits.
        video_root (str): Their folder.
        out_root (str): Root of the maps cache.
        every (int): Detect every N-th frame. Defaults to 1.
        segmenter (dict, optional): Segmenter config (mask maps), see
            :func:`~mmaction_ext.open_vocab.build_segmenter`. Defaults to
            None: box maps.
    """

    def __init__(self,
                 detector: Dict,
                 videos: Sequence[str],
                 video_root: str,
                 out_root: str,
                 every: int = 1,
                 segmenter: Optional[Dict] = None) -> None:
        self.detector_cfg = detector
        self.segmenter_cfg = segmenter
        self._detector = None
        self._segmenter = None
        self.videos = list(videos)
        self.video_root = video_root
        self.out_root = out_root
        self.every = every

    def __call__(self, classes: List[str]) -> str:
        if self._detector is None:
            self._detector = build_open_vocab_detector(self.detector_cfg)
            self._segmenter = build_segmenter(self.segmenter_cfg)
        return extract_maps(
            self.videos,
            self.video_root,
            classes,
            self._detector,
            self.out_root,
            every=self.every,
            segmenter=self._segmenter)


class RunnerTrainStep:
    """Train the recognizer of a config for one object set, then validate.

    Each call builds a new MMEngine Runner from the config file, so the
    model starts from the config's pretrained weights every iteration
    (A2O, Sec. 3.3). The validation evaluator gets a
    :class:`~mmaction_ext.evaluation.ClassWiseAccuracy` for the reward
    (its ``top1``) and the class-wise accuracies of the prompt.

    Args:
        config (str): The recognizer's training config file.
        target_classes (list[str]): Action names by label index.
        count_keys (list[str]): See :func:`apply_object_classes`.
        cfg_options (dict, optional): Overrides merged into the config.
        seed (int, optional): Random seed of every iteration's run.
    """

    def __init__(self,
                 config: str,
                 target_classes: Sequence[str],
                 count_keys: Sequence[str] = (),
                 cfg_options: Optional[Dict] = None,
                 seed: Optional[int] = 0) -> None:
        if not osp.isfile(config):
            raise FileNotFoundError(f'config {config!r} does not exist')
        self.config = config
        self.target_classes = list(target_classes)
        self.count_keys = list(count_keys)
        self.cfg_options = cfg_options or {}
        self.seed = seed

    def build_config(self, request: TrainRequest):
        from mmengine.config import Config
        cfg = Config.fromfile(self.config)
        cfg.merge_from_dict(copy.deepcopy(self.cfg_options))
        apply_object_classes(cfg, request.classes, request.maps_dir,
                             self.count_keys)
        cfg.work_dir = request.work_dir
        cfg.experiment_name = (f'icrl_iter{request.iteration}_'
                               f'{time.strftime("%Y%m%d_%H%M%S")}')
        if cfg.get('randomness') is None and self.seed is not None:
            cfg.randomness = dict(seed=self.seed)
        if cfg.get('val_dataloader') is None:
            raise BadInputError(f'{self.config} has no val_dataloader; the '
                                'reward is the validation accuracy')
        metric = dict(
            type='ClassWiseAccuracy',
            classes=self.target_classes,
            prefix=METRIC_PREFIX)
        evaluator = cfg.get('val_evaluator') or []
        evaluator = list(evaluator) if isinstance(evaluator, (list, tuple)) \
            else [evaluator]
        cfg.val_evaluator = evaluator + [metric]
        add_checkpoint_check(cfg)  # as tools/train.py does
        return cfg

    def __call__(self, request: TrainRequest) -> TrainResult:
        from mmengine.runner import Runner

        import mmaction_ext  # noqa: F401  (registers our modules)
        runner = Runner.from_cfg(self.build_config(request))
        runner.train()
        metrics = runner.val_loop.run()
        head = f'{METRIC_PREFIX}/class/'
        class_accuracy = {
            key[len(head):]: value
            for key, value in metrics.items() if key.startswith(head)
        }
        last = osp.join(runner.work_dir, 'last_checkpoint')
        checkpoint = None
        if osp.isfile(last):
            with open(last) as f:
                checkpoint = f.read().strip() or None
        return TrainResult(metrics[f'{METRIC_PREFIX}/top1'], class_accuracy,
                           checkpoint)

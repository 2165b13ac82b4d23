import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS, TRANSFORMS
from ..fileio import safe_load
from ..utils.errors import BadInputError, UnknownNameError
from .charades_annotation import DOMAIN_SHIFT_SCENES, scene_group
from .pose_checks import raise_problems
from .scene_graph_format import scene_graph_video_problems, seconds_to_frames

# What PackActionInputs collects and keeps for the ProDA models.
SCENE_GRAPH_INPUT_KEYS = ('node_feats', 'node_mask', 'relations')
SCENE_GRAPH_META_KEYS = ('video_id', 'frame_inds', 'num_frames',
                         'action_segments', 'scene')


@DATASETS.register_module()
class SceneGraphVideoDataset(BaseActionDataset):
    """Videos as spatio-temporal scene graphs, multi-label (ProDA).

    Reads the annotation pkl of :mod:`mmaction_ext.datasets.
    scene_graph_format` (written by ``tools/data/
    ag_charades_to_scene_graphs.py`` or the synthetic generator); node
    features come from :class:`LoadSceneGraphNodeFeatures`. Every video is
    checked on loading; all problems are raised together, naming the file
    and each video.

    Output contract of the pipeline ``SampleSceneGraphFrames`` ->
    ``LoadSceneGraphNodeFeatures`` -> ``PackActionInputs(collect_keys=
    SCENE_GRAPH_INPUT_KEYS, meta_keys=SCENE_GRAPH_META_KEYS)``, with N
    sampled frames, M = ``num_slots``, D feature dims and R relation
    types:

    - ``inputs['node_feats']``: float32 (N, M, D), 0 at absent slots;
    - ``inputs['node_mask']``: bool (N, M), True where the slot's object is
      present in that frame (slot 0 = the person; padded slots and padded
      frames are False);
    - ``inputs['relations']``: float32 (N, M, M, R), multi-hot relation
      types of the ordered pair (j -> k) in frame i (Action Genome: person
      -> object only);
    - ``data_sample.gt_label``: float32 (num_classes, ) multi-hot. As in
      every MMAction2 ``multi_class`` dataset, the annotation's ``label``
      (list of action ids) becomes this one-hot vector in
      ``get_data_info``;
    - metainfo ``video_id`` (str), ``frame_inds`` (int64 (N, ), video frame
      of each sampled frame, -1 for a padded frame), ``num_frames`` (int,
      frames of the video), ``action_segments`` (list of ``(label,
      start_frame, stop_frame)``, video frames, ``start_frame <= f <
      stop_frame``; see :func:`seconds_to_frames`), ``scene`` (str).

    ``num_slots`` is fixed per dataset so that batches stack. The converter
    stores the largest slot count over all converted splits in the file's
    ``metainfo['num_slots']`` (the default), so train and test agree; a
    video with more slots is an error.

    Args:
        ann_file (str): Annotation pkl.
        pipeline (list[dict | callable]): Data transforms.
        num_slots (int, optional): M. Defaults to the file's
            ``metainfo['num_slots']``.
        scenes (str | list[str], optional): Keep only videos of these
            scenes: scene names (a CSV scene matches a name it starts with,
            ignoring case and punctuation), or a ProDA Table 10 domain-shift
            split ``'scenario<k>_train'`` / ``'scenario<k>_test'``, k = 1..5.
            With Table 10 scene names, a video whose scene is none of its 16
            scenes is an error rather than silently in neither part.
            Defaults to None (all videos).
        multi_class (bool): Multi-label targets. Defaults to True.
        num_classes (int, optional): Defaults to the number of classes in
            the file's metainfo.
        max_reported (int): Problems listed in the error. Defaults to 10.
        test_mode (bool): Validation / test set. Defaults to False.
        **kwargs: Other arguments of ``BaseActionDataset``.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 num_slots: Optional[int] = None,
                 scenes: Optional[Union[str, Sequence[str]]] = None,
                 multi_class: bool = True,
                 num_classes: Optional[int] = None,
                 max_reported: int = 10,
                 test_mode: bool = False,
                 **kwargs) -> None:
        self.num_slots = num_slots
        self.scenes = self._scene_names(scenes)
        self.max_reported = max_reported
        # built here so that no mmaction default scope is needed
        pipeline = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline
        ]
        super().__init__(
            ann_file,
            pipeline=pipeline,
            test_mode=test_mode,
            multi_class=multi_class,
            num_classes=num_classes,
            **kwargs)

    @staticmethod
    def _scene_names(scenes) -> Optional[tuple]:
        if scenes is None or not isinstance(scenes, str):
            return None if scenes is None else tuple(scenes)
        scenario, _, part = scenes.rpartition('_')
        if scenario not in DOMAIN_SHIFT_SCENES or part not in ('train',
                                                               'test'):
            known = [
                f'{s}_{p}' for s in DOMAIN_SHIFT_SCENES
                for p in ('train', 'test')
            ]
            raise UnknownNameError(f'scenes={scenes!r}: expected a list of '
                                   f'scene names or one of {known}')
        return DOMAIN_SHIFT_SCENES[scenario][part]

    def load_data_list(self) -> List[Dict]:
        """Load the pkl, check every video and add the derived fields."""
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'Annotation file {self.ann_file!r} does not exist. Convert '
                'Action Genome + Charades with tools/data/'
                'ag_charades_to_scene_graphs.py, or write the synthetic data '
                'with tools/data/make_synthetic_scene_graphs.py.')
        data = safe_load(self.ann_file)
        if not isinstance(data, dict) or not {'metainfo', 'data_list'
                                              } <= set(data):
            raise BadInputError(f'{self.ann_file}: expected a dict with '
                                '"metainfo" and "data_list" (the scene-graph '
                                'video format)')
        meta = data['metainfo']
        for key in ('classes', 'object_classes', 'relation_classes'):
            self._metainfo.setdefault(key, tuple(meta[key]))
        if self.num_classes is None:
            self.num_classes = len(self._metainfo['classes'])
        if self.num_slots is None:
            self.num_slots = int(meta['num_slots'])
        if self.scenes is not None:
            self._check_known_scenes(data['data_list'])
        videos = [v for v in data['data_list'] if self._in_scenes(v)]
        self._check(videos)
        return [self._with_derived_fields(v) for v in videos]

    def _check_known_scenes(self, videos: List[Dict]) -> None:
        """A Table 10 split must not drop a video of an unknown scene."""
        known = {
            n
            for split in DOMAIN_SHIFT_SCENES.values()
            for names in split.values()
            for n in names
        }
        if not set(self.scenes) <= known:
            return  # the user's own scene list
        unknown = [
            f'{v.get("video_id")} ({v.get("scene")!r})' for v in videos
            if not scene_group(v.get('scene', ''), tuple(known))
        ]
        if unknown:
            raise BadInputError(
                f'{self.ann_file}: {len(unknown)} video(s) have a scene '
                'outside the 16 scenes of the domain-shift splits, e.g. '
                f'{unknown[:3]}')

    def _in_scenes(self, video: Dict) -> bool:
        return self.scenes is None or scene_group(
            video.get('scene', ''), self.scenes)

    def _check(self, videos: List[Dict]) -> None:
        if not videos:
            raise BadInputError(f'{self.ann_file}: no video (scenes='
                                f'{self.scenes})')
        problems = []
        for index, video in enumerate(videos):
            name = video.get('video_id', f'<video {index}>')
            found = scene_graph_video_problems(
                video, self.num_classes, len(self._metainfo['object_classes']),
                len(self._metainfo['relation_classes']))
            slots = len(video.get('slot_classes', ()))
            if slots > self.num_slots:
                found.append(f'has {slots} slots, more than num_slots='
                             f'{self.num_slots}')
            problems += [f'video {name!r} {p}' for p in found]
        raise_problems(self.ann_file, 'data_list', problems, self.max_reported)

    def _with_derived_fields(self, video: Dict) -> Dict:
        fps, frames = video['fps'], video['num_frames']
        segments = [(int(label), *seconds_to_frames(start, end, fps, frames))
                    for label, start, end in video['action_intervals']]
        return dict(
            video,
            label=list(video['label']),
            action_segments=segments,
            num_slots=self.num_slots,
            num_relations=len(self._metainfo['relation_classes']),
            num_object_classes=len(self._metainfo['object_classes']))

import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import BaseDataset

from mmaction.registry import DATASETS, TRANSFORMS
from ..fileio import safe_load
from ..utils.errors import BadInputError
from .pose_checks import (check_pose_annotation, duplicate_names,
                          raise_problems, select_split)

# Label of padded frames (the models' ignore index); no real frame has it.
PADDING_LABEL = 255


def check_frame_labels(anno: Dict,
                       num_classes: Optional[int] = None) -> List[str]:
    """Problems of the ``frame_labels`` of one sequence.

    Args:
        anno (dict): One entry of ``annotations`` with ``keypoint``
            (M, T, V, C) and ``frame_labels`` (T, ).
        num_classes (int, optional): Labels must lie in [0, num_classes).
            Not checked if None.

    Returns:
        list[str]: Empty if the labels are usable.
    """
    labels = anno.get('frame_labels')
    if labels is None:
        return ['has no "frame_labels"']
    labels = np.asarray(labels)
    frames = np.shape(anno['keypoint'])[1]
    if labels.shape != (frames, ):
        return [
            f'frame_labels has shape {labels.shape}, expected '
            f'({frames}, ) like its keypoint frames'
        ]
    if not np.issubdtype(labels.dtype, np.integer):
        return [f'frame_labels has dtype {labels.dtype}, expected int']
    problems = []
    padding = labels == PADDING_LABEL
    if padding.any():
        problems.append(f'has {int(padding.sum())} frame labels '
                        f'{PADDING_LABEL} (reserved for padding), first at '
                        f'frame {int(np.argmax(padding))}')
    bad = labels < 0
    if num_classes is not None:
        bad |= labels >= num_classes
    bad &= ~padding
    if bad.any():
        bound = f'[0, {num_classes})' if num_classes else '[0, inf)'
        problems.append(f'has {int(bad.sum())} frame labels outside {bound}, '
                        f'first {int(labels[bad][0])} at frame '
                        f'{int(np.argmax(bad))}')
    return problems


@DATASETS.register_module()
class SkeletonSegmentationDataset(BaseDataset):
    """Untrimmed skeleton sequences with a class label per frame.

    The annotation file is a pkl (``mmengine.dump``)::

        dict(
            split=dict(train=[frame_dir, ...], test=[...]),  # optional
            classes=['background', ...],                      # optional
            annotations=[
                dict(frame_dir=str,           # sequence name
                     total_frames=T,
                     keypoint=float32 (M, T, V, C),
                     keypoint_score=float32 (M, T, V),  # optional
                     frame_labels=int64 (T, )),
                ...])

    Boundaries are derived from label changes (not stored); see
    :func:`mmaction_ext.structures.labels_to_boundaries`. Label 255 is the
    padding / ignore index of the collate function and is an error in the
    data. Every sequence is checked on loading (missing file, unknown split,
    split entries without an annotation, labels outside ``[0, num_classes)``,
    label count != T, ``total_frames`` != T, joint count or keypoint
    dimension != layout, NaN/inf keypoints, fewer than ``min_frames``
    frames); all problems are raised together, naming the file and each
    sequence. ``metainfo['classes']`` comes from the ``metainfo`` argument
    or else from the pkl's ``classes``.

    Args:
        ann_file (str): Path to the pkl annotation file.
        pipeline (list[dict | callable]): Data transforms.
        split (str, optional): Split name, e.g. ``'train'``. None takes
            every annotation.
        num_classes (int, optional): Number of classes C including any
            background class. Defaults to ``len(classes)`` when the pkl
            has ``classes``, otherwise labels are only checked to be
            non-negative.
        num_joints (int, optional): Joints V of the layout. Not checked if
            None.
        keypoint_dims (int, optional): Coordinates per joint C. Not checked
            if None.
        min_frames (int): Shortest allowed sequence (raw frames, before any
            downsampling), e.g. the model's receptive field. Defaults to 1.
        max_reported (int): Problems listed in the error message.
            Defaults to 10.
        test_mode (bool): Validation / test set. Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 split: Optional[str] = None,
                 num_classes: Optional[int] = None,
                 num_joints: Optional[int] = None,
                 keypoint_dims: Optional[int] = None,
                 min_frames: int = 1,
                 max_reported: int = 10,
                 test_mode: bool = False,
                 **kwargs) -> None:
        self.split = split
        self.num_classes = num_classes
        self.num_joints = num_joints
        self.keypoint_dims = keypoint_dims
        self.min_frames = min_frames
        self.max_reported = max_reported
        # built here so that no mmaction default scope is needed
        pipeline = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline
        ]
        super().__init__(
            ann_file, pipeline=pipeline, test_mode=test_mode, **kwargs)

    def load_data_list(self) -> List[Dict]:
        """Load the pkl, select the split and check every sequence."""
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'Annotation file {self.ann_file!r} does not exist. For the '
                'embedded synthetic data run `python '
                'tools/data/make_synthetic_segmentation.py`.')
        data = safe_load(self.ann_file)
        if not isinstance(data, dict) or 'annotations' not in data:
            raise BadInputError(f'{self.ann_file}: expected a dict with '
                                '"annotations" (and optionally "split", '
                                f'"classes"), got {type(data).__name__}')
        self._set_classes(data.get('classes'))
        annotations = select_split(data, self.split, self.ann_file,
                                   'sequences')
        self._check(annotations)
        return annotations

    def _set_classes(self, classes: Optional[Sequence[str]]) -> None:
        """Fill ``metainfo['classes']`` and check it against num_classes."""
        if classes is not None and 'classes' not in self._metainfo:
            self._metainfo['classes'] = tuple(classes)
        classes = self._metainfo.get('classes')
        if classes is None:
            return
        if self.num_classes is None:
            self.num_classes = len(classes)
        elif self.num_classes != len(classes):
            raise BadInputError(f'{self.ann_file}: num_classes='
                                f'{self.num_classes} but {len(classes)} '
                                'classes are named')

    def _sequence_problems(self, anno: Dict) -> List[str]:
        """Problems of one sequence (pose, length and frame labels)."""
        # the pose checks of the recognition datasets, minus their label
        problems = check_pose_annotation(
            dict(anno, label=0), self.num_joints, None, self.keypoint_dims)
        if np.ndim(anno.get('keypoint')) != 4:
            return problems
        frames = np.shape(anno['keypoint'])[1]
        if 0 < frames < self.min_frames:
            problems.append(f'has {frames} frames, fewer than '
                            f'min_frames={self.min_frames}')
        return problems + check_frame_labels(anno, self.num_classes)

    def _check(self, annotations: List[Dict]) -> None:
        """Raise one error listing the problems of all sequences."""
        if not annotations:
            raise BadInputError(
                f'{self.ann_file}: split {self.split!r} has no '
                'sequences')
        problems = duplicate_names(annotations)
        for index, anno in enumerate(annotations):
            name = anno.get('frame_dir', f'<annotation {index}>')
            problems += [
                f'sequence {name!r} {problem}'
                for problem in self._sequence_problems(anno)
            ]
        raise_problems(self.ann_file, self.split, problems,
                       self.max_reported)

import os.path as osp
from typing import Dict, List, Optional

from mmaction.datasets import PoseDataset
from mmaction.registry import DATASETS
from ..fileio import safe_load
from ..utils.errors import BadInputError
from .pose_checks import (check_pose_annotation, duplicate_names,
                          raise_problems, select_split)


@DATASETS.register_module()
class ValidatedPoseDataset(PoseDataset):
    """MMAction2's :class:`PoseDataset` that checks every sample on loading.

    A missing annotation file, an unknown split, a split entry without an
    annotation, a wrong joint count or keypoint dimension, NaN/inf keypoints,
    an empty sequence or a label outside ``[0, num_classes)`` raise an error
    that names the file and each offending ``frame_dir``, before any training
    step runs. The pkl format is unchanged: ``dict(split=..., annotations=[
    dict(frame_dir, label, total_frames, img_shape, original_shape,
    keypoint (M, T, V, C), keypoint_score (M, T, V) for 2D), ...])``.

    Args:
        ann_file (str): Path to the pkl annotation file.
        pipeline (list[dict | callable]): Data transforms.
        split (str, optional): Split name, e.g. ``'xsub_train'``.
        num_joints (int, optional): Joints V of the skeleton layout.
        keypoint_dims (int, optional): Coordinates per joint C (2 or 3).
        num_classes (int, optional): Number of classes of the model's head.
        max_reported (int): Problems listed in the error message.
            Defaults to 10.
        **kwargs: Other arguments of :class:`PoseDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List,
                 split: Optional[str] = None,
                 num_joints: Optional[int] = None,
                 keypoint_dims: Optional[int] = None,
                 max_reported: int = 10,
                 **kwargs) -> None:
        self.num_joints = num_joints
        self.keypoint_dims = keypoint_dims
        self.max_reported = max_reported
        super().__init__(ann_file, pipeline=pipeline, split=split, **kwargs)

    def load_data_list(self) -> List[Dict]:
        """Load the pkl, select the split and check every sample."""
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'Annotation file {self.ann_file!r} does not exist. For the '
                'embedded synthetic data run `python '
                'tools/data/make_synthetic_skeletons.py`; for NTU RGB+D see '
                'configs/gap/README.md.')
        annotations = select_split(
            safe_load(self.ann_file), self.split, self.ann_file)
        self._check(annotations)
        return self._prefix_paths(annotations)

    def _prefix_paths(self, annotations: List[Dict]) -> List[Dict]:
        if 'video' in self.data_prefix:
            for anno in annotations:
                anno['frame_dir'] = osp.join(self.data_prefix['video'],
                                             anno['frame_dir'])
        return annotations

    def _check(self, annotations: List[Dict]) -> None:
        if not annotations:
            raise BadInputError(
                f'{self.ann_file}: split {self.split!r} has no '
                'samples')
        num_classes = None if self.multi_class else self.num_classes
        problems = duplicate_names(annotations)
        for index, anno in enumerate(annotations):
            name = anno.get('frame_dir', f'<annotation {index}>')
            problems += [
                f'sample {name!r} {problem}'
                for problem in check_pose_annotation(
                    anno, self.num_joints, num_classes, self.keypoint_dims)
            ]
        raise_problems(self.ann_file, self.split, problems,
                       self.max_reported)

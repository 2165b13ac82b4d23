from .pose_checks import check_pose_annotation
from .skeleton_segmentation_dataset import SkeletonSegmentationDataset
from .transforms import *  # noqa: F401,F403
from .validated_pose_dataset import ValidatedPoseDataset

__all__ = [
    'SkeletonSegmentationDataset', 'ValidatedPoseDataset',
    'check_pose_annotation'
]

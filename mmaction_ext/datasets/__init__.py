from .pose_checks import check_pose_annotation
from .validated_pose_dataset import ValidatedPoseDataset

__all__ = ['ValidatedPoseDataset', 'check_pose_annotation']

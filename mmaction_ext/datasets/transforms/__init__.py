from .center_on_first_frame_joint import CenterOnFirstFrameJoint
from .k_hop_difference import KHopDifference
from .min_max_normalize import MinMaxNormalize
from .random_rotation_3d import RandomRotation3D
from .random_view_transform import RandomViewTransform
from .repeat_sample_frames import RepeatSampleFrames
from .valid_crop_resize import ValidCropResize

__all__ = [
    'CenterOnFirstFrameJoint', 'KHopDifference', 'MinMaxNormalize',
    'RandomRotation3D', 'RandomViewTransform', 'RepeatSampleFrames',
    'ValidCropResize'
]

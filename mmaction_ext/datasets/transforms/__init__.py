from .k_hop_difference import KHopDifference
from .random_rotation_3d import RandomRotation3D
from .valid_crop_resize import ValidCropResize

__all__ = ['KHopDifference', 'RandomRotation3D', 'ValidCropResize']

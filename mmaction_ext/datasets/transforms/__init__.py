from .center_on_first_frame_joint import CenterOnFirstFrameJoint
from .k_hop_difference import KHopDifference
from .load_likelihood_maps import LoadLikelihoodMaps
from .load_scene_graph_node_features import LoadSceneGraphNodeFeatures
from .load_vidvrd_segment_features import LoadVidVRDSegmentFeatures
from .min_max_normalize import MinMaxNormalize
from .pack_segmentation_inputs import PackSegmentationInputs
from .random_axial_rotation import RandomAxialRotation
from .random_joint_occlusion import RandomJointOcclusion
from .random_rotation_3d import RandomRotation3D
from .random_view_transform import RandomViewTransform
from .repeat_sample_frames import RepeatSampleFrames
from .saep import SAEP
from .sample_action_specifications import SampleActionSpecifications
from .sample_scene_graph_frames import SampleSceneGraphFrames
from .segmentation_features import SegmentationFeatures
from .temporal_downsample import TemporalDownsample
from .valid_crop_resize import ValidCropResize

__all__ = [
    'CenterOnFirstFrameJoint', 'KHopDifference', 'LoadLikelihoodMaps',
    'LoadSceneGraphNodeFeatures', 'LoadVidVRDSegmentFeatures',
    'MinMaxNormalize', 'PackSegmentationInputs', 'RandomAxialRotation',
    'RandomJointOcclusion', 'RandomRotation3D', 'RandomViewTransform',
    'RepeatSampleFrames', 'SAEP', 'SampleSceneGraphFrames',
    'SampleActionSpecifications', 'SegmentationFeatures', 'TemporalDownsample',
    'ValidCropResize'
]

from .pose_checks import check_pose_annotation
from .scene_graph_video_dataset import SceneGraphVideoDataset
from .skeleton_segmentation_dataset import SkeletonSegmentationDataset
from .sportshhi_dataset import SportsHHIDataset
from .transforms import *  # noqa: F401,F403
from .validated_pose_dataset import ValidatedPoseDataset
from .vidvrd_annotation import (RelationInstance, VideoRelationAnnotation,
                                VidVRDFormatError, load_video_annotation,
                                parse_annotation, relation_groundtruth,
                                segment_video)
from .vidvrd_classes import (RelationVocabulary, load_class_split,
                             load_vocabulary)
from .vidvrd_relations import (load_groundtruth, load_predictions,
                               parse_groundtruth, parse_predictions)
from .vidvrd_segment_dataset import VidVRDSegmentDataset
from .vidvrd_tracklets import (Tracklet, convert_mmp_tracklets,
                               convert_repro_tracklets, load_tracklets,
                               parse_tracklets, tracklets_to_json)

__all__ = [
    'SceneGraphVideoDataset', 'SkeletonSegmentationDataset',
    'ValidatedPoseDataset', 'check_pose_annotation', 'RelationInstance',
    'SportsHHIDataset',
    'VideoRelationAnnotation', 'VidVRDFormatError', 'load_video_annotation',
    'parse_annotation', 'relation_groundtruth', 'segment_video',
    'RelationVocabulary', 'load_class_split', 'load_vocabulary',
    'load_groundtruth', 'load_predictions', 'parse_groundtruth',
    'parse_predictions', 'VidVRDSegmentDataset', 'Tracklet',
    'convert_mmp_tracklets', 'convert_repro_tracklets', 'load_tracklets',
    'parse_tracklets', 'tracklets_to_json'
]

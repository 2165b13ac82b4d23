from .hhi_pair_ap import hhi_pair_evaluate, pair_true_positives
from .proda import (charades_map, frame_labels, localization_inputs,
                    localization_map, map_by_label_count, normalize_weights,
                    runs, spec_targets, temporal_iou)
from .segmentation import (boundary_starts, edit_score, f1_score,
                           frame_accuracy, get_segments, levenshtein,
                           precision_recall_f1, refine_with_boundaries,
                           segment_counts)
from .vidvrd import (detection_ap, evaluate_relations, filter_relations,
                     match_detections, pack_trajectories, relation_viou,
                     tagging_hits, tagging_precision, voc_ap)
from .vidvrd_association import cubic_intersection, greedy_relation_association

__all__ = [
    'hhi_pair_evaluate', 'pair_true_positives', 'charades_map', 'frame_labels',
    'localization_inputs', 'localization_map', 'map_by_label_count',
    'normalize_weights', 'runs', 'spec_targets', 'temporal_iou',
    'boundary_starts', 'edit_score', 'f1_score', 'frame_accuracy',
    'get_segments', 'levenshtein', 'precision_recall_f1',
    'refine_with_boundaries', 'segment_counts', 'detection_ap',
    'evaluate_relations', 'filter_relations', 'match_detections',
    'pack_trajectories', 'relation_viou', 'tagging_hits', 'tagging_precision',
    'voc_ap', 'cubic_intersection', 'greedy_relation_association'
]

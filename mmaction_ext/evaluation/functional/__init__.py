from .segmentation import (boundary_starts, edit_score, f1_score,
                           frame_accuracy, get_segments, levenshtein,
                           precision_recall_f1, refine_with_boundaries,
                           segment_counts)

__all__ = [
    'boundary_starts', 'edit_score', 'f1_score', 'frame_accuracy',
    'get_segments', 'levenshtein', 'precision_recall_f1',
    'refine_with_boundaries', 'segment_counts'
]

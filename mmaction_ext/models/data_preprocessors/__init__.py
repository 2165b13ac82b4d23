from .skeleton_stream_preprocessor import SkeletonStreamPreprocessor

__all__ = ['SkeletonStreamPreprocessor']

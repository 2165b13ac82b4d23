from .trgnet_segmenter import TRGNetSegmenter

__all__ = ['TRGNetSegmenter']

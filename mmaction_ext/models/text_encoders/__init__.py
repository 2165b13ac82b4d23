from .base_text_encoder import BaseTextEncoder
from .class_text_embeddings import (ClassTextEmbeddings,
                                    check_text_encoder_files)
from .clip_text_encoder import CLIPTextEncoder, load_clip_text_state_dict
from .hf_text_encoder import HFTextEncoder

__all__ = [
    'BaseTextEncoder', 'CLIPTextEncoder', 'HFTextEncoder',
    'load_clip_text_state_dict', 'ClassTextEmbeddings',
    'check_text_encoder_files'
]

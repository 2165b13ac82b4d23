from .base_text_encoder import BaseTextEncoder
from .clip_text_encoder import CLIPTextEncoder
from .clip_vision_encoder import CLIPVisionEncoder
from .hf_text_encoder import HFTextEncoder

__all__ = [
    'BaseTextEncoder', 'CLIPTextEncoder', 'CLIPVisionEncoder', 'HFTextEncoder'
]

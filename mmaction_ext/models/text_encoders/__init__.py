from .base_text_encoder import BaseTextEncoder
from .class_aware_prompt_learner import ClassAwarePromptLearner
from .class_text_embeddings import (ClassTextEmbeddings,
                                    check_text_encoder_files)
from .clip_text_encoder import CLIPTextEncoder
from .clip_vision_encoder import CLIPVisionEncoder
from .hf_text_encoder import HFTextEncoder
from .image_conditioned_prompt_learner import ImageConditionedPromptLearner

__all__ = [
    'BaseTextEncoder', 'CLIPTextEncoder', 'CLIPVisionEncoder', 'HFTextEncoder',
    'ClassTextEmbeddings', 'check_text_encoder_files',
    'ClassAwarePromptLearner', 'ImageConditionedPromptLearner'
]

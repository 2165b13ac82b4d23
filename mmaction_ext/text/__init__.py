from .clip_tokenizer import build_clip_tokenizer, find_clip_bpe_file
from .gap_prompts import GAPPromptBuilder
from .text_bank import TextBank, TextBankError, resolve_bank_path
from .text_priors import (build_text_priors, load_text_priors, prior_cache_key,
                          relation_graph, save_text_priors,
                          text_priors_from_embeddings)

__all__ = [
    'TextBank', 'TextBankError', 'resolve_bank_path', 'GAPPromptBuilder',
    'build_clip_tokenizer', 'find_clip_bpe_file', 'build_text_priors',
    'load_text_priors', 'prior_cache_key', 'relation_graph',
    'save_text_priors', 'text_priors_from_embeddings'
]

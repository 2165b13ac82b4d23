from .clip_tokenizer import build_clip_tokenizer, find_clip_bpe_file
from .gap_prompts import GAPPromptBuilder
from .text_bank import TextBank, TextBankError, resolve_bank_path

__all__ = [
    'TextBank', 'TextBankError', 'resolve_bank_path', 'GAPPromptBuilder',
    'build_clip_tokenizer', 'find_clip_bpe_file'
]

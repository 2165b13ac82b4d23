"""Tiny random OWLv2, Grounding DINO and SAM folders, for tests and demos.

No detector weights can be downloaded here, so the tests and the demo save
random models of the real architectures with ``save_pretrained`` and load
them through the same ``from_pretrained(folder)`` path users take with
real weights. Their detections are meaningless but deterministic.
"""
import json
import os
import os.path as osp
from typing import Sequence

import torch

# A few words so that class names tokenize into real tokens.
WORDS = ('person', 'ball', 'bike', 'wheel', 'car', 'phone', 'hand', 'head',
         'road', 'tree', 'rabbit', 'grass', 'sky', 'face', 'arm', 'leg')


def _clip_tokenizer(folder: str, words: Sequence[str]):
    """A byte-level CLIP tokenizer with whole-word merges of ``words``."""
    from transformers import CLIPTokenizer
    from transformers.models.clip.tokenization_clip import bytes_to_unicode
    symbols = list(bytes_to_unicode().values())
    symbols += [s + '</w>' for s in symbols]
    merges = []
    for word in words:  # merge letter by letter into the whole word
        current = word[0]
        for index, char in enumerate(word[1:], 1):
            last = index == len(word) - 1
            merges.append(
                f'{current} {char}</w>' if last else f'{current} {char}')
            current += char
            symbols.append(current + ('</w>' if last else ''))
    symbols = list(dict.fromkeys(symbols))
    symbols += ['<|startoftext|>', '<|endoftext|>']
    os.makedirs(folder, exist_ok=True)
    vocab_file = osp.join(folder, 'vocab.json')
    merges_file = osp.join(folder, 'merges.txt')
    with open(vocab_file, 'w', encoding='utf-8') as f:
        json.dump({s: i for i, s in enumerate(symbols)}, f)
    with open(merges_file, 'w', encoding='utf-8') as f:
        f.write('#version: 0.2\n' + '\n'.join(dict.fromkeys(merges)) + '\n')
    return CLIPTokenizer(
        vocab_file, merges_file, model_max_length=16, pad_token='!')


def save_tiny_owlv2(folder: str, seed: int = 0, image_size: int = 32) -> str:
    """Save a random 1-layer OWLv2 (width 16) and its processor.

    Args:
        folder (str): Output folder.
        seed (int): Torch seed of the random weights. Defaults to 0.
        image_size (int): Square input size of the processor.

    Returns:
        str: ``folder``.
    """
    from transformers import (Owlv2Config, Owlv2ForObjectDetection,
                              Owlv2ImageProcessor, Owlv2Processor)
    tokenizer = _clip_tokenizer(folder, WORDS)
    width = 16  # projection_dim must equal the text width
    config = Owlv2Config(
        text_config=dict(
            vocab_size=len(tokenizer),
            hidden_size=width,
            intermediate_size=2 * width,
            num_hidden_layers=1,
            num_attention_heads=2,
            max_position_embeddings=16,
            pad_token_id=tokenizer.pad_token_id,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id),
        vision_config=dict(
            hidden_size=width,
            intermediate_size=2 * width,
            num_hidden_layers=1,
            num_attention_heads=2,
            image_size=image_size,
            patch_size=8),
        projection_dim=width)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = Owlv2ForObjectDetection(config)
    processor = Owlv2Processor(
        image_processor=Owlv2ImageProcessor(
            size=dict(height=image_size, width=image_size)),
        tokenizer=tokenizer)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def _bert_tokenizer(folder: str, words: Sequence[str]):
    """A BERT WordPiece tokenizer whose special ids match bert-base-uncased
    ([CLS] 101, [SEP] 102, '.' 1012, '?' 1029), which Grounding DINO's text
    masks look for."""
    from transformers import BertTokenizer
    vocab = [f'[unused{i}]' for i in range(1100)]
    fixed = {
        0: '[PAD]',
        100: '[UNK]',
        101: '[CLS]',
        102: '[SEP]',
        103: '[MASK]',
        1012: '.',
        1029: '?'
    }
    for index, token in fixed.items():
        vocab[index] = token
    for index, word in enumerate(words):
        vocab[200 + index] = word
    os.makedirs(folder, exist_ok=True)
    vocab_file = osp.join(folder, 'vocab.txt')
    with open(vocab_file, 'w', encoding='utf-8') as f:
        f.write('\n'.join(vocab) + '\n')
    return BertTokenizer(vocab_file, do_lower_case=True)


def save_tiny_grounding_dino(folder: str, seed: int = 0) -> str:
    """Save a random 1-layer Grounding DINO (d_model 32) and its processor.

    Returns:
        str: ``folder``.
    """
    from transformers import (GroundingDinoConfig,
                              GroundingDinoForObjectDetection,
                              GroundingDinoImageProcessor,
                              GroundingDinoProcessor)
    tokenizer = _bert_tokenizer(folder, WORDS)
    config = GroundingDinoConfig(
        backbone_config=dict(
            model_type='swin',
            embed_dim=8,
            depths=[1, 1],
            num_heads=[1, 1],
            window_size=4,
            image_size=32,
            out_features=['stage1', 'stage2']),
        text_config=dict(
            model_type='bert',
            vocab_size=len(tokenizer),
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=32,
            max_position_embeddings=64),
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        num_queries=10,
        num_feature_levels=2,
        encoder_n_points=2,
        decoder_n_points=2,
        max_text_len=32)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = GroundingDinoForObjectDetection(config)
    processor = GroundingDinoProcessor(
        image_processor=GroundingDinoImageProcessor(
            size=dict(shortest_edge=32, longest_edge=48)),
        tokenizer=tokenizer)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def save_tiny_sam(folder: str,
                  seed: int = 0,
                  image_size: int = 64,
                  hq: bool = False) -> str:
    """Save a random 1-layer SAM (width 16) and its processor.

    The processor resizes the frames to ``image_size`` on their longest
    side and pads them to a square, as SAM's does at 1024, and brings the
    low-resolution masks back to the frame size.

    Args:
        folder (str): Output folder.
        seed (int): Torch seed of the random weights. Defaults to 0.
        image_size (int): Square input size (a multiple of 32).
        hq (bool): A SAM-HQ (``SamHQModel``) instead. Defaults to False.

    Returns:
        str: ``folder``.
    """
    import transformers
    prefix = 'SamHQ' if hq else 'Sam'
    width, patch = 16, 8
    vision = dict(
        hidden_size=width,
        output_channels=width,
        num_hidden_layers=1,
        num_attention_heads=2,
        image_size=image_size,
        patch_size=patch,
        window_size=4,
        global_attn_indexes=[0],
        num_pos_feats=width // 2,
        mlp_dim=2 * width,
        # the default (1e-10) gives denormal weights: very slow on CPUs
        initializer_range=0.02)
    decoder = dict(
        hidden_size=width,
        mlp_dim=2 * width,
        num_hidden_layers=1,
        num_attention_heads=2,
        iou_head_hidden_dim=width)
    if hq:
        decoder.update(vit_dim=width)
    config = getattr(transformers, f'{prefix}Config')(
        vision_config=vision,
        prompt_encoder_config=dict(
            hidden_size=width,
            image_size=image_size,
            patch_size=patch,
            mask_input_channels=4),
        mask_decoder_config=decoder)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = getattr(transformers, f'{prefix}Model')(config)
    mask_side = image_size // 4
    processor = getattr(transformers, f'{prefix}Processor')(
        image_processor=transformers.SamImageProcessor(
            size=dict(longest_edge=image_size),
            pad_size=dict(height=image_size, width=image_size),
            mask_size=dict(longest_edge=mask_side),
            mask_pad_size=dict(height=mask_side, width=mask_side)))
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder

"""Tiny SAGE pieces for the tests: a small CLIP text tower on disk and
random samples of the model's input contract (not part of the package)."""
import torch
from mmengine.structures import BaseDataElement
from transformers import CLIPTextConfig, CLIPTextModelWithProjection

from mmaction_ext.models.text_encoders.clip_weights import (BOS_TOKEN_ID,
                                                            EOS_TOKEN_ID)

DIMS = dict(in_dims=16, motion_dims=6, text_dims=16)


def model_cfg(clip_dir, cache_dir, learner=None, **kwargs):
    """A tiny SAGEDetector config on the contract's test sizes."""
    encoder = dict(type='CLIPTextEncoder', pretrained=clip_dir)
    cfg = dict(
        type='SAGEDetector',
        encoder=dict(
            type='SAGERelationEncoder', embed_dims=16, max_frames=8, **DIMS),
        head=dict(
            type='SAGEHead',
            prompt_learner=learner or dict(
                type='ClassAwarePromptLearner',
                text_encoder=encoder,
                classes='vidvrd_predicates',
                num_prompts=2,
                tke_hidden=4,
                insert_layer=2),
            object_embeddings=dict(
                type='ClassTextEmbeddings',
                text_bank='label_map:vidvrd_objects',
                template='a photo of a {synonyms[0]}',
                text_encoder=dict(encoder, frozen=True),
                cache_dir=str(cache_dir))))
    cfg.update(kwargs)
    return cfg


def save_tiny_clip(folder, layers=4, width=32, embed_dims=16, seed=0):
    """A random CLIP text tower saved with ``save_pretrained``."""
    torch.manual_seed(seed)
    config = CLIPTextConfig(
        vocab_size=49408,
        hidden_size=width,
        intermediate_size=2 * width,
        num_attention_heads=2,
        num_hidden_layers=layers,
        max_position_embeddings=77,
        projection_dim=embed_dims,
        hidden_act='quick_gelu',
        bos_token_id=BOS_TOKEN_ID,
        eos_token_id=EOS_TOKEN_ID)
    model = CLIPTextModelWithProjection(config).eval()
    model.save_pretrained(str(folder))
    return str(folder)


def contract_sample(num_pairs,
                    frames=4,
                    dims=16,
                    motion_dims=6,
                    text_dims=16,
                    num_objects=25,
                    num_predicates=71,
                    descriptions=True,
                    seed=0):
    """One segment's inputs dict and data sample, random contents.

    Labels and targets are in the label space of VidVRD's base classes
    (25 objects, 71 predicates), as the training split gives them; boxes
    cover the segment's 30 frames with a gap (NaN) in the first pair's
    subject track.
    """
    g = torch.Generator().manual_seed(seed)
    inputs = dict(
        subject_feats=torch.randn(num_pairs, frames, dims, generator=g),
        object_feats=torch.randn(num_pairs, frames, dims, generator=g),
        union_feats=torch.randn(num_pairs, frames, dims, generator=g),
        frame_feats=torch.randn(frames, dims, generator=g),
        motion_feats=torch.randn(num_pairs, frames, motion_dims, generator=g),
        pair_mask=torch.rand(num_pairs, frames, generator=g) > 0.2)
    inputs['pair_mask'][:, 0] = True
    if descriptions:
        inputs['description_feats'] = torch.randn(
            num_pairs, 4, text_dims, generator=g)
    begin = 15 * seed
    sample = BaseDataElement(
        metainfo=dict(video_id=f'v{seed % 2}', segment=(begin, begin + 30)))
    sample.subject_labels = torch.randint(
        0, num_objects, (num_pairs, ), generator=g)
    sample.object_labels = torch.randint(
        0, num_objects, (num_pairs, ), generator=g)
    sample.subject_scores = torch.ones(num_pairs)
    sample.object_scores = torch.ones(num_pairs)
    sample.relation_targets = (torch.rand(
        num_pairs, num_predicates, generator=g) > 0.95).float()
    sample.pair_tids = torch.stack(
        [torch.arange(num_pairs),
         torch.arange(num_pairs) + 1], 1)
    boxes = torch.rand(num_pairs, 30, 4, generator=g) * 100
    boxes[..., 2:] += boxes[..., :2] + 10
    sample.subject_boxes = boxes.clone()
    sample.subject_boxes[:1, 10:13] = float('nan')
    sample.object_boxes = boxes.flip(0)
    return inputs, sample

"""Frozen CLIP region features of VidVRD segments (the precompute step).

For every video of a :class:`VidVRDSegmentDataset`, the frames its samples
use are decoded (decord), resized so that the short side is ``short_side``
(both sides rounded to the patch size), normalised with CLIP's mean / std
and passed through :class:`CLIPVisionEncoder` with a projected patch grid.
Subject / object (per track), union (per pair: the smallest box holding
both) and whole-frame features are :func:`trajectory_roi_align` of that
grid, averaged over the ``roi_size`` x ``roi_size`` bins, so all live in
CLIP's joint embedding space (D = projection size, 512 for ViT-B/16).
Inclusive pixel boxes [x1, y1, x2, y2] cover [x1, x2 + 1) x [y1, y2 + 1).

The result is one feature file per video (format in
:mod:`mmaction_ext.datasets.vidvrd_features`), written atomically; an
existing file written with the same settings is kept (resume), one
written with other settings is an error, never overwritten.
"""
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional

import numpy as np
import torch

from ..ops import trajectory_roi_align
from .vidvrd_annotation import VidVRDFormatError
from .vidvrd_features import read_feature_key, save_video_features

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
SCHEMA = 'mmaction_ext.vidvrd_features/1'


class VideoPlan:
    """What one video needs: frames, per-track and per-pair boxes."""

    def __init__(self, entries: List[dict]) -> None:
        first = entries[0]
        self.video_id = first['video_id']
        self.video_path = first['video_path']
        self.feature_file = first['feature_file']
        self.width, self.height = first['width'], first['height']
        self.frame_count = first['frame_count']
        self.objects: Dict[int, Dict[int, np.ndarray]] = OrderedDict()
        pairs = set()
        frames = set()
        for e in entries:
            local = e['frame_inds'] - e['segment'][0]
            frames.update(int(f) for f in e['frame_inds'])
            for k, tid in enumerate(e['track_tids']):
                boxes = self.objects.setdefault(int(tid), {})
                for f, box in zip(e['frame_inds'], e['track_boxes'][k, local]):
                    if not np.isnan(box[0]):
                        boxes[int(f)] = box
            pairs.update((int(e['track_tids'][s]), int(e['track_tids'][o]))
                         for s, o in e['pairs'])
        self.frames = np.array(sorted(frames), dtype=np.int64)
        self.pairs = sorted(pairs)


def _resized_shape(height, width, short_side, patch):
    scale = short_side / min(height, width)
    new_h = max(patch, int(round(height * scale / patch)) * patch)
    new_w = max(patch, int(round(width * scale / patch)) * patch)
    return new_h, new_w


def open_video(plan: VideoPlan):
    """A decord reader of the plan's video, checked against it."""
    import decord
    if not osp.isfile(plan.video_path):
        raise FileNotFoundError(f'video {plan.video_id!r}: no video file '
                                f'{plan.video_path}')
    try:
        reader = decord.VideoReader(plan.video_path)
    except decord.DECORDError as err:
        raise VidVRDFormatError(f'video {plan.video_id!r}: cannot decode '
                                f'{plan.video_path} ({err})') from None
    # decoders may count a frame less than the annotation: only the frames
    # the samples use must exist
    if len(plan.frames) and plan.frames[-1] >= len(reader):
        raise VidVRDFormatError(
            f'video {plan.video_id!r}: {plan.video_path} has {len(reader)} '
            f'frames, the samples need frame {plan.frames[-1]} (annotation '
            f'frame_count {plan.frame_count})')
    height, width = reader[0].shape[:2]
    if (width, height) != (plan.width, plan.height):
        raise VidVRDFormatError(
            f'video {plan.video_id!r}: {plan.video_path} is {width}x'
            f'{height} but the annotation width/height is {plan.width}x'
            f'{plan.height}')
    return reader


def _to_input(frames: np.ndarray, shape) -> torch.Tensor:
    images = torch.from_numpy(frames).permute(0, 3, 1, 2).float() / 255.
    images = torch.nn.functional.interpolate(
        images, size=shape, mode='bilinear', align_corners=False)
    mean = torch.tensor(CLIP_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CLIP_STD).view(1, 3, 1, 1)
    return (images - mean) / std


def _region_features(grid, boxes, valid, scale, patch, roi_size):
    """(N, n, D) mean RoIAlign features of (N, n, 4) inclusive boxes, on
    the CPU whatever the device of ``grid``."""
    if not len(boxes):
        return torch.zeros(0, grid.size(0), grid.size(1))
    edges = boxes.clone()
    edges[..., 2:] += 1
    edges = edges * scale
    pooled = trajectory_roi_align(
        grid,
        edges.to(grid.device, grid.dtype),
        valid.to(grid.device),
        roi_size,
        spatial_scale=1. / patch,
        sampling_ratio=2,
        reduce='none')
    return pooled.mean((-2, -1)).float().cpu()


class FeatureExtractor:
    """Writes the feature files of a dataset's videos.

    Args:
        encoder (CLIPVisionEncoder): Built with ``patch_grid='projected'``.
        key (dict): Settings recorded in (and checked against) each file.
        short_side (int): Short side of the resized frames. Defaults to
            224.
        roi_size (int): RoIAlign bins per side. Defaults to 4.
        batch_frames (int): Frames per encoder batch. Defaults to 16.
        dtype (str): Storage type. Defaults to 'float16'.
    """

    def __init__(self,
                 encoder,
                 key: dict,
                 short_side: int = 224,
                 roi_size: int = 4,
                 batch_frames: int = 16,
                 dtype: str = 'float16') -> None:
        if encoder.patch_grid != 'projected':
            raise ValueError("the encoder needs patch_grid='projected'")
        self.encoder = encoder.eval()
        self.key = dict(
            key,
            schema=SCHEMA,
            short_side=short_side,
            roi_size=roi_size,
            dtype=dtype)
        self.short_side, self.roi_size = short_side, roi_size
        self.batch_frames, self.dtype = batch_frames, dtype

    def status(self, plan: VideoPlan) -> str:
        """'missing', 'done' (same settings) or raises (other settings)."""
        if not osp.exists(plan.feature_file):
            return 'missing'
        stored = read_feature_key(plan.feature_file)
        if stored != self.key:
            raise VidVRDFormatError(
                f'{plan.feature_file}: video {plan.video_id!r}: the existing '
                'feature file was written with other settings or is not a '
                'feature file; it is left unchanged (choose another output '
                f'folder). Stored: {stored}; now: {self.key}')
        return 'done'

    @torch.no_grad()
    def extract(self, plan: VideoPlan) -> None:
        """Compute and write one video's features."""
        patch = self.encoder.patch_size
        shape = _resized_shape(plan.height, plan.width, self.short_side, patch)
        scale = torch.tensor([
            shape[1] / plan.width, shape[0] / plan.height,
            shape[1] / plan.width, shape[0] / plan.height
        ])
        tids = list(plan.objects)
        frame_feats, object_feats, union_feats = [], [], []
        object_rows = np.full((len(tids), len(plan.frames)), -1, np.int32)
        union_rows = np.full((len(plan.pairs), len(plan.frames)), -1, np.int32)
        counts = [0, 0]
        reader = open_video(plan)
        for start in range(0, len(plan.frames), self.batch_frames):
            chunk = plan.frames[start:start + self.batch_frames]
            frames = reader.get_batch(list(chunk)).asnumpy()
            device = next(self.encoder.parameters()).device
            _, grid = self.encoder(_to_input(frames, shape).to(device))
            obj_boxes = torch.zeros(len(tids), len(chunk), 4)
            obj_valid = torch.zeros(len(tids), len(chunk), dtype=torch.bool)
            for k, tid in enumerate(tids):
                for t, f in enumerate(chunk):
                    if int(f) in plan.objects[tid]:
                        obj_boxes[k, t] = torch.from_numpy(
                            plan.objects[tid][int(f)].astype(np.float32))
                        obj_valid[k, t] = True
            index = {tid: k for k, tid in enumerate(tids)}
            sub = obj_boxes[[index[s] for s, _ in plan.pairs]]
            obj = obj_boxes[[index[o] for _, o in plan.pairs]]
            uni_valid = obj_valid[[index[s] for s, _ in plan.pairs]] & \
                obj_valid[[index[o] for _, o in plan.pairs]]
            uni_boxes = torch.cat([
                torch.minimum(sub[..., :2], obj[..., :2]),
                torch.maximum(sub[..., 2:], obj[..., 2:])
            ], -1)
            whole = torch.tensor([0., 0., plan.width - 1.,
                                  plan.height - 1.]).expand(1, len(chunk), 4)
            feats = [
                _region_features(grid, b, v, scale, patch, self.roi_size)
                for b, v in ((obj_boxes, obj_valid), (uni_boxes, uni_valid),
                             (whole, torch.ones(1, len(chunk), dtype=bool)))
            ]
            frame_feats.append(feats[2][0])
            for which, (valid, rows, store) in enumerate(
                ((obj_valid, object_rows, object_feats),
                 (uni_valid, union_rows, union_feats))):
                n, t = valid.nonzero(as_tuple=True)
                rows[n.numpy(),
                     t.numpy() + start] = np.arange(counts[which],
                                                    counts[which] + len(n))
                counts[which] += len(n)
                store.append(feats[which][n, t])
        dims = self.encoder.embed_dims
        save_video_features(
            plan.feature_file, self.key,
            dict(
                frame_ids=plan.frames,
                frame_feats=torch.cat(frame_feats).numpy(),
                object_tids=np.array(tids, dtype=np.int64),
                object_rows=object_rows,
                object_feats=_stack(object_feats, dims),
                pair_tids=np.array(plan.pairs, dtype=np.int64).reshape(-1, 2),
                union_rows=union_rows,
                union_feats=_stack(union_feats, dims)), self.dtype)


def _stack(parts: List[torch.Tensor], dims: int) -> np.ndarray:
    parts = [p for p in parts if len(p)]
    return torch.cat(parts).numpy() if parts else np.zeros(
        (0, dims), np.float32)


def video_plans(data_list: List[dict],
                videos: Optional[List[str]] = None) -> List[VideoPlan]:
    """One plan per video of a dataset's ``data_list``, in order."""
    grouped: Dict[str, List[dict]] = OrderedDict()
    for entry in data_list:
        grouped.setdefault(entry['video_id'], []).append(entry)
    if videos is not None:
        unknown = sorted(set(videos) - set(grouped))
        if unknown:
            raise VidVRDFormatError(f'videos {unknown} are not in the '
                                    'dataset (or have no segment with pairs)')
        grouped = OrderedDict((v, grouped[v]) for v in videos)
    return [VideoPlan(entries) for entries in grouped.values()]


def config_dataset(config: str, split: str, cfg_options=None):
    """The ``VidVRDSegmentDataset`` of a config's ``<split>_dataloader``,
    built without its pipeline (and unserialised) for the data tools."""
    from mmaction.registry import DATASETS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmaction_ext  # noqa: F401  (registers the dataset)
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    key = f'{split}_dataloader'
    if key not in cfg or cfg[key] is None:
        raise KeyError(f'{config} has no {key}')
    dataset_cfg = cfg[key].dataset.copy()
    if dataset_cfg.get('type') not in ('VidVRDSegmentDataset',
                                       'mmaction.VidVRDSegmentDataset'):
        raise ValueError(f'{config}: {key}.dataset is a '
                         f'{dataset_cfg.get("type")}, not a '
                         'VidVRDSegmentDataset')
    dataset_cfg.update(pipeline=[], serialize_data=False, lazy_init=False)
    return DATASETS.build(dataset_cfg)


def feature_settings(clip: str, dataset) -> dict:
    """What shapes a dataset's features (recorded in every file)."""
    from mmaction_ext.text.embedding_cache import encoder_identity
    tracklets = dataset.tracklet_file
    return dict(
        clip=encoder_identity(dict(pretrained=clip)),
        trajectories=dataset.trajectories,
        tracklet_file=osp.realpath(tracklets) if tracklets else None,
        num_frames=dataset.num_frames,
        segment_length=dataset.segment_length,
        segment_stride=dataset.segment_stride)


def extract_dataset_features(dataset,
                             clip: str,
                             videos: Optional[List[str]] = None,
                             device: str = 'cpu',
                             progress: bool = True,
                             **kwargs) -> dict:
    """Write the missing feature files of a dataset's videos.

    Args:
        dataset (VidVRDSegmentDataset): Built unserialised (see
            :func:`config_dataset`).
        clip (str): Local CLIP weights.
        videos (list[str], optional): Only these videos.
        device (str): Encoder device. Defaults to 'cpu'.
        progress (bool): Show a tqdm bar. Defaults to True.
        **kwargs: ``short_side``, ``roi_size``, ``batch_frames``, ``dtype``
            of :class:`FeatureExtractor`.

    Returns:
        dict: ``videos``, ``written`` and ``kept`` counts.
    """
    import os

    from tqdm import tqdm

    from mmaction_ext.models.text_encoders import CLIPVisionEncoder
    if not osp.exists(clip):
        raise FileNotFoundError(f'CLIP weights {clip} do not exist')
    plans = video_plans(dataset.data_list, videos)
    encoder = CLIPVisionEncoder(
        pretrained=clip, patch_grid='projected', frozen=True).to(device)
    extractor = FeatureExtractor(encoder, feature_settings(clip, dataset),
                                 **kwargs)
    summary = dict(videos=len(plans), written=0, kept=0)
    for plan in tqdm(plans, desc='videos', unit='video', disable=not progress):
        if extractor.status(plan) == 'done':
            summary['kept'] += 1
            continue
        os.makedirs(osp.dirname(plan.feature_file) or '.', exist_ok=True)
        try:
            extractor.extract(plan)
        except VidVRDFormatError as err:
            raise VidVRDFormatError(
                f'{err} ({summary["written"]} videos written so far; rerun '
                'to resume)') from None
        summary['written'] += 1
    return summary

"""Precompute CLIP RoI node features of scene-graph videos (ProDA).

Example::

    python tools/proda/extract_node_features.py \
        data/action_genome/scene_graphs/train.pkl \
        data/action_genome/scene_graphs/test.pkl \
        --clip checkpoints/clip-vit-base-patch16 \
        --video-dir data/charades/Charades_v1_480 \
        --out-dir data/action_genome/node_features_clip_b16 --device cuda

For every video of the annotation files and each of its keyframes, every
present slot's box is pooled from CLIP's patch-token grid (see
``mmaction_ext/datasets/node_feature_extraction.py``). Frames come from
``<video-dir>/<video_id>.mp4`` (decord) or, with ``--frame-dir``, from
Action Genome's dumped frames ``<frame-dir>/<video_id>.mp4/<NNNNNN>.png``.
One file per video, ``<out-dir>/<video_id>.pkl``, written atomically; a
rerun skips the videos whose file matches their annotation (resumable) and
recomputes stale ones. ``--clip`` is a local CLIP (transformers directory,
OpenAI or open_clip file): nothing is downloaded.
"""
import argparse
import os.path as osp
import sys

import numpy as np
import torch
from tqdm import tqdm

from mmaction_ext.datasets.node_feature_cache import (feature_file,
                                                      is_complete,
                                                      write_node_features)
from mmaction_ext.datasets.node_feature_extraction import (
    NodeFeatureExtractor, read_frame_folder, read_video_frames)
from mmaction_ext.fileio import safe_load
from mmaction_ext.models.text_encoders import CLIPVisionEncoder
from mmaction_ext.utils import BadInputError, run_tool


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='CLIP RoI features of scene-graph nodes, one file per '
        'video')
    parser.add_argument(
        'ann_files', nargs='+', help='scene-graph annotation pkl(s)')
    parser.add_argument(
        '--clip', required=True, help='local CLIP weights (e.g. ViT-B/16)')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--video-dir', help='folder of <video_id>.mp4')
    source.add_argument(
        '--frame-dir', help='folder of <video_id>.mp4/<NNNNNN>.png frames')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument(
        '--grid',
        default='projected',
        choices=('projected', 'hidden'),
        help='patch tokens in CLIP\'s embedding space '
        '(projected) or the last hidden layer')
    parser.add_argument(
        '--image-size',
        type=int,
        default=224,
        help='short side of the resized frames')
    parser.add_argument('--roi-size', type=int, default=7)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--fp32', action='store_true', help='store float32 (default float16)')
    parser.add_argument(
        '--skip-missing',
        action='store_true',
        help='list videos without frames and go on (exit '
        'status 1) instead of stopping at the first')
    return parser.parse_args(argv)


def load_videos(ann_files):
    """Every video entry of the annotation files, each id once."""
    videos = {}
    for path in ann_files:
        data = safe_load(path)
        if not isinstance(data, dict) or 'data_list' not in data:
            raise BadInputError(f'{path}: not a scene-graph annotation file '
                                '(no "data_list")')
        for entry in data['data_list']:
            videos.setdefault(entry['video_id'], entry)
    return list(videos.values())


def read_frames(args, entry):
    video_id = entry['video_id']
    if args.video_dir:
        return read_video_frames(
            osp.join(args.video_dir, f'{video_id}.mp4'), entry['frame_inds'],
            video_id)
    return read_frame_folder(
        osp.join(args.frame_dir, f'{video_id}.mp4'), entry['frame_inds'],
        video_id)


def main(argv=None):
    args = parse_args(argv)
    videos = load_videos(args.ann_files)
    todo = [
        v for v in videos
        if not is_complete(feature_file(args.out_dir, v['video_id']), v)
    ]
    print(f'{len(videos)} videos: {len(videos) - len(todo)} done, '
          f'{len(todo)} to extract')
    if not todo:
        return 0
    wants_cuda = torch.device(args.device).type == 'cuda'
    if wants_cuda and not torch.cuda.is_available():
        raise BadInputError(f'--device {args.device}: CUDA is not available '
                            'in this torch build or machine')
    encoder = CLIPVisionEncoder(
        pretrained=args.clip, patch_grid=args.grid,
        frozen=True).to(args.device)
    extractor = NodeFeatureExtractor(encoder, args.image_size, args.roi_size,
                                     args.batch_size)
    dtype = np.float32 if args.fp32 else np.float16
    missing = []
    for entry in tqdm(todo, desc='node features', unit='video'):
        try:
            frames = read_frames(args, entry)
        except FileNotFoundError as err:
            if not args.skip_missing:
                raise
            missing.append(str(err))
            continue
        feats = extractor(frames, entry)
        write_node_features(
            feature_file(args.out_dir, entry['video_id']), entry['video_id'],
            entry['frame_inds'], entry['slot_classes'], feats.astype(dtype))
    for problem in missing:
        print(f'skipped: {problem}', file=sys.stderr)
    print(f'wrote {len(todo) - len(missing)} feature files to '
          f'{args.out_dir}; {len(missing)} video(s) skipped')
    return 1 if missing else 0


if __name__ == '__main__':
    torch.set_grad_enabled(False)
    sys.exit(run_tool(main))

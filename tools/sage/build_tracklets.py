"""Detect and track objects into a tracklet file (SGDet), with mmdet.

Runs an MMDetection detector on every frame of the videos of ANNOTATION_DIR
(VidVRD-helper annotation JSON: video ids, frame counts and sizes; their
relations are not used) and links the detections with a simple IoU tracker
(:mod:`mmaction_ext.datasets.vidvrd_iou_tracker`) into the tracklet file
format of :mod:`mmaction_ext.datasets.vidvrd_tracklets`. The paper uses
MEGA + DeepSORT, RePro Seq-NMS over VinVL detections; this is a simpler
stand-in for own videos. Needs mmdet with full mmcv (its detectors use
``mmcv.ops``). An existing OUT_JSON is never overwritten.

Example::

    python tools/sage/build_tracklets.py data/vidvrd/test data/vidvrd/videos \\
        faster-rcnn_r50_fpn_1x_coco.py faster_rcnn_r50_fpn_1x_coco.pth \\
        data/vidvrd/tracklets/test_mmdet.json --class-map coco_to_vidvrd.json
"""
import argparse
import glob
import json
import os
import os.path as osp
import sys
from typing import Callable, Optional, Sequence

import numpy as np

from mmaction_ext.utils import run_tool
from mmaction_ext.utils.errors import BadInputError


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('annotation_dir', help='annotation JSON folder')
    parser.add_argument('video_dir', help='folder of <video_id>.mp4')
    parser.add_argument('det_config', help='mmdet config')
    parser.add_argument('det_checkpoint', help='mmdet checkpoint')
    parser.add_argument('out_json', help='tracklet file to write')
    parser.add_argument(
        '--class-map',
        help='JSON {detector class: dataset class}; other classes are '
        'dropped (default: keep the detector names)')
    parser.add_argument('--score-thr', type=float, default=0.3)
    parser.add_argument('--iou', type=float, default=0.5)
    parser.add_argument('--max-gap', type=int, default=0)
    parser.add_argument('--min-length', type=int, default=15)
    parser.add_argument('--min-side', type=float, default=5.)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def mmdet_detector(config: str, checkpoint: str, device: str) -> Callable:
    """frames (uint8 RGB list) -> [(boxes, scores, class names)]."""
    try:
        from mmdet.apis import inference_detector, init_detector
        model = init_detector(config, checkpoint, device=device)
    except ImportError as err:
        raise BadInputError(f'the detector needs mmdet with full mmcv '
                            f'(mmcv.ops): {err}') from None
    names = model.dataset_meta['classes']

    def detect(frames):
        results = inference_detector(model, [f[..., ::-1] for f in frames])
        out = []
        for result in results:
            pred = result.pred_instances
            labels = pred.labels.cpu().numpy()
            out.append((pred.bboxes.cpu().numpy(), pred.scores.cpu().numpy(),
                        [names[i] for i in labels]))
        return out

    return detect


def video_detections(reader, detect, frame_count, width, height, args,
                     class_map):
    """Per-frame (boxes, scores, labels) kept by score and class map."""
    frames = []
    for start in range(0, frame_count, args.batch):
        batch = reader.get_batch(
            list(range(start, min(frame_count, start + args.batch))))
        for boxes, scores, labels in detect(list(batch.asnumpy())):
            boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
            keep = [
                i for i, label in enumerate(labels)
                if scores[i] >= args.score_thr and (
                    class_map is None or label in class_map)
            ]
            # continuous xyxy -> inclusive pixels inside the frame
            kept = boxes[keep].copy()
            kept[:, 2:] -= 1
            kept[:, [0, 2]] = kept[:, [0, 2]].clip(0, width - 1)
            kept[:, [1, 3]] = kept[:, [1, 3]].clip(0, height - 1)
            kept[:, 2:] = np.maximum(kept[:, 2:], kept[:, :2])
            names = [
                labels[i] if class_map is None else class_map[labels[i]]
                for i in keep
            ]
            frames.append((kept, np.asarray(scores)[keep], names))
    return frames


def build(args, detect: Optional[Callable] = None) -> dict:
    import decord

    from mmaction_ext.datasets.vidvrd_annotation import (VidVRDFormatError,
                                                         load_video_annotation,
                                                         read_json)
    from mmaction_ext.datasets.vidvrd_iou_tracker import track_detections
    from mmaction_ext.datasets.vidvrd_tracklets import tracklets_to_json
    from mmaction_ext.fileio.atomic_write import write_atomically
    if osp.exists(args.out_json):
        raise BadInputError(f'{args.out_json} exists; not overwriting it')
    paths = sorted(
        glob.glob(
            osp.join(args.annotation_dir, '**', '*.json'), recursive=True))
    if not paths:
        raise FileNotFoundError(f'no *.json annotation under '
                                f'{args.annotation_dir}')
    class_map = read_json(args.class_map) if args.class_map else None
    if detect is None:
        detect = mmdet_detector(args.det_config, args.det_checkpoint,
                                args.device)
    videos = {}
    for path in paths:
        try:
            anno = load_video_annotation(path)
        except VidVRDFormatError as err:
            raise BadInputError(str(err)) from None
        raw = read_json(path)
        video = osp.join(args.video_dir,
                         raw.get('video_path', f'{anno.video_id}.mp4'))
        if not osp.isfile(video):
            raise FileNotFoundError(f'video {anno.video_id!r}: no video '
                                    f'file {video}')
        detections = video_detections(
            decord.VideoReader(video), detect, anno.frame_count, anno.width,
            anno.height, args, class_map)
        videos[anno.video_id] = track_detections(detections, args.iou,
                                                 args.max_gap, args.min_length,
                                                 args.min_side)
    text = json.dumps(tracklets_to_json(videos)).encode('utf-8')
    os.makedirs(osp.dirname(osp.abspath(args.out_json)), exist_ok=True)
    write_atomically(args.out_json, lambda f: f.write(text))
    return videos


def main(argv: Optional[Sequence[str]] = None, detect=None) -> int:
    args = parse_args(argv)
    videos = build(args, detect)
    print(f'{args.out_json}: {sum(map(len, videos.values()))} tracklets of '
          f'{len(videos)} videos')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(lambda: main(sys.argv[1:])))

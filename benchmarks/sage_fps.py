"""SAGE inference speed on cached features (as the paper times it).

Builds a SAGE config's model at full size (random CLIP text weights when
the real ones are not on disk: speed does not depend on their values),
feeds batches of random segments of the model's input contract (features
cached, as in the paper: CLIP, motion and description features are
precomputed) and times ``predict`` (encoder, classifiers, segment
triplets with trajectories). Prints segments per second and video frames
per second (a 30-frame segment every 15 frames: 15 new frames per segment)
for PredCls (GT labels) and SGDet (predicted labels, more pairs), and the
same for the image-conditioned (CoCoOp-style) ablation, whose prompts are
encoded per pair, side by side. Paper Table 10: 139.24 FPS PredCls, 121.62
FPS SGDet on an RTX 4090 (unit not stated). Not a test: run by hand,

    python benchmarks/sage_fps.py [--device cuda] [--batches 20]
"""
import argparse
import os.path as osp
import sys
import tempfile
import time

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import BaseDataElement

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from mmaction.registry import MODELS  # noqa: E402
from tools.sage.count_params import without_weights  # noqa: E402

CONFIG = 'configs/sage/sage_1xb32-30e_vidvrd-predcls.py'
IMAGE_COND = 'configs/sage/sage_1xb32-30e_vidvrd-predcls_image-cond.py'


def segments(count, pairs, frames, encoder, generator):
    """Random contract inputs and data samples of ``count`` segments."""
    inputs, samples = [], []
    for n in range(count):
        dims = (pairs, frames, encoder.in_dims)
        inputs.append(
            dict(
                subject_feats=torch.randn(*dims, generator=generator),
                object_feats=torch.randn(*dims, generator=generator),
                union_feats=torch.randn(*dims, generator=generator),
                frame_feats=torch.randn(
                    frames, encoder.in_dims, generator=generator),
                motion_feats=torch.randn(
                    pairs, frames, encoder.motion_dims, generator=generator),
                pair_mask=torch.ones(pairs, frames, dtype=torch.bool),
                description_feats=torch.randn(
                    pairs, 4, encoder.text_dims, generator=generator)))
        sample = BaseDataElement(
            metainfo=dict(video_id=f'v{n}', segment=(0, 30)))
        sample.subject_labels = torch.randint(0, 35, (pairs, ))
        sample.object_labels = torch.randint(0, 35, (pairs, ))
        sample.pair_durations = torch.tensor([[0, 30]] * pairs)
        boxes = torch.tensor([[10., 10., 60., 80.]]).expand(pairs, 30, 4)
        sample.subject_trajs = sample.object_trajs = boxes
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def build(config, object_labels, device, cache_dir):
    cfg = Config.fromfile(osp.join(ROOT, config))
    init_default_scope('mmaction')
    model_cfg = without_weights(cfg.model.to_dict(), cache_dir)
    model_cfg['test_cfg']['object_labels'] = object_labels
    return MODELS.build(model_cfg).to(device).eval()


def segments_per_second(model, args, pairs) -> float:
    generator = torch.Generator().manual_seed(0)
    data = [
        segments(args.batch_size, pairs, args.frames, model.encoder, generator)
        for _ in range(args.batches)
    ]
    sync = torch.cuda.synchronize if args.device.startswith('cuda') else \
        (lambda: None)
    with torch.no_grad():
        for batch in data[:args.warmup]:
            model(**model.data_preprocessor(batch), mode='predict')
        sync()
        start = time.perf_counter()
        for batch in data:
            model(**model.data_preprocessor(batch), mode='predict')
        sync()
    return args.batches * args.batch_size / (time.perf_counter() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--batches', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument(
        '--frames', type=int, default=16, help='sampled frames per segment')
    parser.add_argument(
        '--predcls-pairs',
        type=int,
        default=6,
        help='pairs per segment with GT trajectories')
    parser.add_argument(
        '--sgdet-pairs',
        type=int,
        default=20,
        help='pairs per segment with detected tracklets')
    parser.add_argument(
        '--no-image-cond',
        action='store_true',
        help='skip the image-conditioned ablation (it encodes every class '
        'for every pair: slow on CPU)')
    args = parser.parse_args(argv)
    configs = [('class-aware (SAGE)', CONFIG)]
    if not args.no_image_cond:
        configs.append(('image-conditioned', IMAGE_COND))
    print(f'device {args.device}, batch {args.batch_size}, '
          f'{args.frames} frames per segment')
    rows = []
    with tempfile.TemporaryDirectory() as cache_dir:
        for name, config in configs:
            for task, labels, pairs in (('PredCls', 'given',
                                         args.predcls_pairs),
                                        ('SGDet', 'predict',
                                         args.sgdet_pairs)):
                model = build(config, labels, args.device, cache_dir)
                rate = segments_per_second(model, args, pairs)
                print(
                    f'  measured {name} {task}: {rate:.1f} segments/s',
                    flush=True)
                rows.append((name, task, pairs, rate))
    base = {
        task: rate
        for name, task, _, rate in rows if name.startswith('class')
    }
    print(f'{"prompting":20s} {"task":8s} {"pairs":>5s} {"segments/s":>11s} '
          f'{"frames/s":>9s} {"vs SAGE":>8s}')
    for name, task, pairs, rate in rows:
        print(f'{name:20s} {task:8s} {pairs:5d} {rate:11.1f} '
              f'{rate * 15:9.1f} {rate / base[task]:7.2f}x')


if __name__ == '__main__':
    main()

"""What A2O's likelihood-map adapter adds to a recognizer training step.

Times one training step (forward, cross-entropy loss, backward, SGD update)
of ``A2ORecognizer`` (V-JEPA 2 encoder + attentive probe) without an adapter
(the V-JEPA 2 baseline on RGB clips) and with each adapter of the paper's
Table 10 plus the no-compression ablation, side by side in one process: the
variants share one backbone and head and take turns step by step; the
fastest and the median step time of each and their ratios to the baseline
are printed (on a shared CPU the fastest is the steadier figure).
``benchmarks/a2o_maps.py`` prints this table after its map timings.

Tiny but proportional: the default backbone is the full ViT-L/16 (width
1024, 24 layers, tubelet 2) on a small clip, so both costs keep their
paper-size shares per pixel (the adapter works per pixel, the encoder per
2 x 16 x 16-pixel token); only attention, quadratic in the token count, is
cheaper here than at 16 frames x 256^2, so the measured share is an upper
bound of the paper-size one. The multiply-accumulate counts at paper size
are printed too. Weights are random: speed does not depend on them. Not a
test: run it by hand, e.g.

    python benchmarks/a2o_adapter_overhead.py [--frames 4] [--size 64]
        [--num-maps 15] [--hidden 64] [--steps 5] [--depth 24]
        [--clock cpu]
"""
import argparse
import os.path as osp
import statistics
import sys
import time

import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

# name: LikelihoodMapAdapter arguments (None: no adapter)
VARIANTS = {
    'no adapter (V-JEPA 2)': None,
    '1x1 conv': dict(num_blocks=0),
    '{1x1 conv + ReLU} x 3 -> 1x1 conv': dict(num_blocks=3),
    '{1x1 conv + ReLU} x 4 -> 1x1 conv': dict(num_blocks=4),
    'no compression (3 + K channels)': dict(fuse='concat'),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--frames', type=int, default=4)
    parser.add_argument('--size', type=int, default=64)
    parser.add_argument('--batch', type=int, default=1)
    parser.add_argument('--num-maps', type=int, default=15, help='K')
    parser.add_argument('--hidden', type=int, default=64, help='adapter D')
    parser.add_argument('--width', type=int, default=1024)
    parser.add_argument('--depth', type=int, default=24)
    parser.add_argument('--heads', type=int, default=16)
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument(
        '--clock',
        choices=('wall', 'cpu'),
        default='wall',
        help='cpu: process CPU time (steadier on a shared CPU machine)')
    return parser.parse_args(argv)


def build(args):
    """The recognizer without adapter, and each variant's adapter."""
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope

    import mmaction_ext  # noqa: F401
    init_default_scope('mmaction')
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='A2ORecognizer',
            backbone=dict(
                type='VJEPA2',
                config=dict(
                    hidden_size=args.width,
                    num_hidden_layers=args.depth,
                    num_attention_heads=args.heads,
                    crop_size=args.size,
                    frames_per_clip=args.frames,
                    pred_num_hidden_layers=1)),
            cls_head=dict(
                type='AttentiveProbeHead',
                num_classes=174,
                in_channels=args.width,
                num_heads=args.heads))).to(args.device).train()
    adapters = {}
    for name, kwargs in VARIANTS.items():
        adapters[name] = None if kwargs is None else MODELS.build(
            dict(
                type='LikelihoodMapAdapter',
                in_channels=args.num_maps,
                hidden_channels=args.hidden,
                zero_init_output=False,
                **kwargs)).to(args.device).train()
    return model, adapters


def clips(args, with_maps):
    from mmaction.structures import ActionDataSample
    generator = torch.Generator().manual_seed(0)
    channels = 3 + (args.num_maps if with_maps else 0)
    inputs = torch.randn(
        args.batch,
        1,
        channels,
        args.frames,
        args.size,
        args.size,
        generator=generator).to(args.device)
    samples = [ActionDataSample().set_gt_label(1) for _ in range(args.batch)]
    return inputs, samples


def use_variant(model, adapter, patch_convs):
    """Attach ``adapter``; the no-compression one needs the grown conv."""
    model.adapter = adapter
    channels = 3 if adapter is None else adapter.fused_channels
    model.backbone.encoder.embeddings.patch_embeddings.proj = \
        patch_convs[channels]
    model.backbone.in_channels = channels


def step(model, inputs, samples):
    """One training step: loss, backward, plain SGD update."""
    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        p.grad = None
    model(inputs, samples, mode='loss')['loss_cls'].backward()
    with torch.no_grad():
        torch._foreach_add_(params, [p.grad for p in params], alpha=-1e-6)


def sync(device):
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def paper_size_macs(args, num_blocks, frames=16, size=256):
    """Multiply-accumulates of the adapter and the encoder at paper size."""
    pixels = frames * size * size
    tokens = pixels // (2 * 16 * 16)
    if num_blocks is None:
        adapter = 0
    elif num_blocks == 0:
        adapter = pixels * args.num_maps * 3
    else:
        hidden = args.hidden
        adapter = pixels * (
            args.num_maps * hidden +
            (num_blocks - 1) * hidden * hidden + hidden * 3)
    width = 1024
    encoder = tokens * 24 * 12 * width * width + 24 * 2 * tokens**2 * width
    return adapter, encoder


def main(argv=None):
    args = parse_args(argv)
    model, adapters = build(args)
    from mmaction_ext.models.backbones.vjepa2 import _expand_input_channels
    rgb_conv = model.backbone.encoder.embeddings.patch_embeddings.proj
    patch_convs = {
        3: rgb_conv,
        3 + args.num_maps: _expand_input_channels(rgb_conv, 3 + args.num_maps)
    }
    batches = {True: clips(args, True), False: clips(args, False)}
    clock = time.perf_counter if args.clock == 'wall' else time.process_time
    times = {name: [] for name in VARIANTS}
    for index in range(args.warmup + args.steps):
        for name, adapter in adapters.items():
            use_variant(model, adapter, patch_convs)
            inputs, samples = batches[adapter is not None]
            sync(args.device)
            start = clock()
            step(model, inputs, samples)
            sync(args.device)
            if index >= args.warmup:
                times[name].append(clock() - start)
    base = {
        stat: fn(times['no adapter (V-JEPA 2)'])
        for stat, fn in (('min', min), ('median', statistics.median))
    }
    tokens = args.frames // 2 * (args.size // 16)**2
    print(f'A2ORecognizer training step on {args.device}: ViT width '
          f'{args.width}, depth {args.depth}, batch {args.batch}, '
          f'{args.frames} frames at {args.size}^2 ({tokens} tokens), '
          f'K={args.num_maps} maps, adapter width D={args.hidden}; '
          f'{args.steps} steps each, variants taking turns, {args.clock} '
          'clock')
    print(f'{"variant":<36} {"min (s)":>8} {"ratio":>6} {"median (s)":>10} '
          f'{"ratio":>6} {"MACs vs encoder, 16x256^2":>26}')
    for name, kwargs in VARIANTS.items():
        fastest, median = min(times[name]), statistics.median(times[name])
        blocks = None if kwargs is None or kwargs.get('fuse') else \
            kwargs['num_blocks']
        adapter_macs, encoder_macs = paper_size_macs(args, blocks)
        share = f'{100 * adapter_macs / encoder_macs:.2f}%' \
            if blocks is not None else '-'
        print(f'{name:<36} {fastest:>8.3f} {fastest / base["min"]:>6.3f} '
              f'{median:>10.3f} {median / base["median"]:>6.3f} '
              f'{share:>26}')


if __name__ == '__main__':
    main()

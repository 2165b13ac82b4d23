"""Train-step time and peak memory of ProDA versus its video encoder alone.

At the paper's size: N = 16 frames, M object slots (``--slots``, Charades /
Action Genome scale), 512-d CLIP ViT-B/16 node features, 26 relation types,
157 classes, the model of ``configs/proda/_base_/models/``; several action
specifications per video (``--specs``; the paper's recipe gives 2L + 1, 11
for L = 5). ``encoder`` is the same Dual-AI encoder with a masked mean and
a linear classifier (BCE), i.e. without DPM, VGPNN, readout and AD loss.
One forward + backward + AdamW step, each kind in its own process so peak
memory is its own (max allocated on CUDA, max RSS growth on CPU). Prints
both side by side and their ratio, and the machine's load average (times
on a shared machine compare only at a similar load). ``--with-cp`` turns
on the VGPNN layers' gradient checkpointing. Not a test: run by hand,

    python benchmarks/proda_step.py [--batch 8 --slots 12 --specs 11]
"""
import argparse
import json
import os
import os.path as osp
import resource
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)
MODEL_CFG = osp.join(ROOT, 'configs', 'proda', '_base_', 'models',
                     'proda_dual-ai_vgpnn.py')


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(kind, with_cp=False):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmaction_ext  # noqa: F401
    from mmaction.registry import MODELS
    from mmaction_ext.models.utils.scene_graph_ops import masked_mean
    init_default_scope('mmaction')
    cfg = Config.fromfile(MODEL_CFG).model
    if kind == 'proda':
        cfg.vgpnn.layer_cfg.with_cp = with_cp
        return MODELS.build(cfg)
    encoder = MODELS.build(cfg.encoder)
    head = torch.nn.Linear(cfg.embed_dims, cfg.num_classes)

    class EncoderOnly(torch.nn.Module):

        def __init__(self):
            super().__init__()
            self.encoder, self.head = encoder, head

        def forward(self, inputs, data_samples, mode='loss'):
            x, mask = inputs['node_feats'], inputs['node_mask']
            logits = self.head(masked_mean(self.encoder(x, mask), mask))
            labels = torch.stack([s.gt_label for s in data_samples])
            return dict(
                loss=F.binary_cross_entropy_with_logits(logits, labels))

    return EncoderOnly()


def batch(args, device):
    from mmaction.structures import ActionDataSample
    gen = torch.Generator().manual_seed(0)
    b, n, m = args.batch, 16, args.slots
    mask = torch.rand(b, n, m, generator=gen) > 0.3
    inputs = dict(
        node_feats=torch.randn(b, n, m, 512, generator=gen).to(device),
        node_mask=mask.to(device),
        relations=(torch.rand(b, n, m, m, 26, generator=gen)
                   > 0.9).float().to(device))
    samples = []
    for _ in range(b):
        sample = ActionDataSample()
        label = torch.zeros(157)
        label[torch.randperm(157, generator=gen)[:5]] = 1
        sample.set_field(label.to(device), 'gt_label')
        sample.set_field((torch.rand(args.specs, 157, generator=gen)
                          > 0.9).to(device), 'action_specs')
        samples.append(sample)
    return inputs, samples


def measure(kind, args):
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.manual_seed(0)
    model = build(kind, args.with_cp).to(device).train()
    optim = torch.optim.AdamW(model.parameters(), lr=1e-4)
    inputs, samples = batch(args, device)
    base = rss_mb()
    if device == 'cuda':
        torch.cuda.reset_peak_memory_stats()
    times = []
    for step in range(args.warmup + args.repeats):
        if device == 'cuda':
            torch.cuda.synchronize()
        start = time.perf_counter()
        losses = model(inputs, samples, mode='loss')
        optim.zero_grad()
        sum(losses.values()).backward()
        optim.step()
        if device == 'cuda':
            torch.cuda.synchronize()
        if step >= args.warmup:
            times.append(time.perf_counter() - start)
    peak = (
        torch.cuda.max_memory_allocated() /
        2**20 if device == 'cuda' else rss_mb() - base)
    params = sum(p.numel() for p in model.parameters()) / 1e6
    return dict(
        kind=kind,
        device=device,
        ms=1000 * min(times),
        peak_mb=peak,
        params_m=params)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--slots', type=int, default=12)
    parser.add_argument('--specs', type=int, default=11)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--with-cp', action='store_true')
    parser.add_argument('--kind', choices=('proda', 'encoder'))
    args = parser.parse_args()
    if args.kind:
        print(json.dumps(measure(args.kind, args)))
        return
    load = os.getloadavg()[0]
    rows = {}
    for kind in ('encoder', 'proda'):
        cmd = [sys.executable, __file__, '--kind', kind] + [
            f'--{k}={getattr(args, k)}'
            for k in ('batch', 'slots', 'specs', 'repeats', 'warmup')
        ] + ['--with-cp'] * args.with_cp
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        rows[kind] = json.loads(out.stdout.strip().splitlines()[-1])
    enc, pro = rows['encoder'], rows['proda']
    print(f'device {pro["device"]}, batch {args.batch}, 16 frames, '
          f'{args.slots} slots, 512-d features, {args.specs} specs/video'
          f'{", VGPNN with_cp" if args.with_cp else ""}')
    print(f'{"":22}{"encoder only":>14}{"ProDA":>12}{"ratio":>8}')
    for key, name in (('ms', 'train step (ms)'),
                      ('peak_mb', 'peak memory (MB)'), ('params_m',
                                                        'parameters (M)')):
        ratio = pro[key] / enc[key] if enc[key] else float('nan')
        print(f'{name:22}{enc[key]:14.1f}{pro[key]:12.1f}{ratio:8.2f}')
    print(f'1-min load average {load:.2f} before, '
          f'{os.getloadavg()[0]:.2f} after ({os.cpu_count()} CPUs)')


if __name__ == '__main__':
    main()

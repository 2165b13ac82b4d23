"""GAP's training overhead and inference cost, measured side by side.

Times one SGD training step (forward, backward, update) of the paper-size
CTR-GCN with a 120-class GCNHead at the same batch:

* ``plain``: CTR-GCN alone (RecognizerGCN);
* ``gap-official-code`` (with ``--official-code DIR``): the official GAP
  code itself, built from a checkout of MartinXM/GAP: its model, CLIP text
  tower, prompts, loss and training step (see ``gap_official_code.py`` for
  what is stubbed); without the flag, ``gap-official-emulation`` emulates it
  with our modules (5 prompts of every sample at CLIP's full 77 tokens,
  deduplication and padding trimming switched off): an emulation, not the
  official code;
* ``gap-finetuned``: GAP as we ship it, CLIP text tower fine-tuned, each
  distinct prompt encoded once per batch, in up to 4 batches of similar
  length (``GAPHead(text_batching='bucket')``, the default);
* ``gap-finetuned-one-batch``: the same, all prompts in one batch padded to
  the longest (``text_batching='longest'``);
* ``gap-finetuned-official-texts`` (with ``--official-code``): bucketed, with
  the official descriptions converted from the checkout by
  ``tools/gap/import_official_descriptions.py``;
* ``gap-finetuned-checkpointing``: bucketed, with activation checkpointing
  of the text tower (``GAPHead(text_checkpointing=True)``);
* ``gap-frozen``: CLIP text tower frozen, embeddings cached.

and inference latency of the GAP test model against the plain recognizer.
Step times are measured in one process with the variants taking turns step
by step; peak memory (max RSS on CPU, max allocated on CUDA) in one process
per variant. CLIP weights are random here: speed does not
depend on their values. Not a test: run it by hand, e.g.

    python benchmarks/gap_overhead.py [--batch 16] [--frames 64] [--steps 5]
        [--official-code ../GAP] [--variants plain,gap-finetuned,...]
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

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

VARIANTS = ('plain', 'gap-official-code', 'gap-official-emulation',
            'gap-finetuned', 'gap-finetuned-one-batch',
            'gap-finetuned-official-texts', 'gap-finetuned-checkpointing',
            'gap-frozen')
# where the official texts converted from --official-code are written
OFFICIAL_BANK = osp.join(ROOT, 'work_dirs', 'benchmarks',
                         'ntu120_gap_official.yaml')


def default_variants(official_code):
    if official_code:
        return [v for v in VARIANTS if v != 'gap-official-emulation']
    return [
        v for v in VARIANTS
        if v not in ('gap-official-code', 'gap-finetuned-official-texts')
    ]


def model_config(variant):
    model = dict(
        type='GAPRecognizer',
        backbone=dict(
            type='CTRGCN', graph_cfg=dict(layout='nturgb+d', mode='spatial')),
        cls_head=dict(type='GCNHead', num_classes=120, in_channels=256))
    if variant != 'plain':
        model['gap_head'] = dict(
            type='GAPHead',
            in_channels=256,
            text_bank=OFFICIAL_BANK
            if variant == 'gap-finetuned-official-texts' else 'ntu120',
            partition='ntu_joint_4',
            text_batching='longest'
            if variant == 'gap-finetuned-one-batch' else 'bucket',
            text_checkpointing=variant == 'gap-finetuned-checkpointing',
            text_encoder=dict(
                type='CLIPTextEncoder', frozen=variant == 'gap-frozen'))
    return model


def build(variant, config=None):
    import mmaction_ext  # noqa: F401
    from mmengine.registry import init_default_scope

    from mmaction.registry import MODELS
    init_default_scope('mmaction')
    built = MODELS.build(config or model_config(variant))
    if variant == 'gap-official-emulation':
        encoder = built.gap_head.text_encoder
        # The official code: every prompt of every sample, 77 tokens each.
        encoder.forward = lambda texts: encoder.encode(list(texts), pad_to=77)
    return built


def build_prompts():
    from mmaction_ext.models.utils import build_partition
    from mmaction_ext.text import GAPPromptBuilder, TextBank
    return GAPPromptBuilder(
        TextBank('ntu120'), build_partition('ntu_joint_4', 25)).all_prompts()


def padded_tokens(args, bank, rounds=50):
    """Tokens a step feeds the text tower, padding included (mean).

    Returns the official code's (every prompt of every sample at 77), ours
    in one batch padded to the longest distinct prompt, and ours bucketed.
    """
    from mmaction_ext.models.text_encoders.base_text_encoder import (
        MAX_BUCKETS, best_buckets)
    from mmaction_ext.models.utils import build_partition
    from mmaction_ext.text import GAPPromptBuilder, TextBank
    from mmaction_ext.text.clip_tokenizer import (build_clip_tokenizer,
                                                  clean_text)
    tokenizer = build_clip_tokenizer(None)
    builder = GAPPromptBuilder(
        TextBank(bank), build_partition('ntu_joint_4', 25), 'official')
    generator = torch.Generator().manual_seed(0)
    torch.manual_seed(0)  # the synonym draws
    totals = [0, 0, 0]
    for _ in range(rounds):
        labels = torch.randint(0, 120, (args.batch, ), generator=generator)
        prompts = [p for group in builder.sample(labels) for p in group]
        lengths = sorted(
            min(77, len(tokenizer(clean_text(p))['input_ids']))
            for p in set(prompts))
        start, bucketed = 0, 0
        for size in best_buckets(lengths, MAX_BUCKETS):
            bucketed += size * lengths[start + size - 1]
            start += size
        counts = (len(prompts) * 77, len(lengths) * lengths[-1], bucketed)
        for i, count in enumerate(counts):
            totals[i] += count / rounds
    return totals


def print_padded_tokens(args):
    banks = ['ntu120'] + ([OFFICIAL_BANK] if args.official_code else [])
    print(f'\ntext tokens per step at batch {args.batch} (padding included, '
          'mean of 50 sampled batches): official code / ours one batch / '
          'ours bucketed')
    for bank in banks:
        official, longest, bucketed = padded_tokens(args, bank)
        name = 'official texts' if bank == OFFICIAL_BANK else 'our ' + bank
        print(f'  {name:<16} {official:>7.0f} / {longest:>7.0f} '
              f'({longest / official:.2f}) / {bucketed:>7.0f} '
              f'({bucketed / official:.2f})')


def batch(args, seed=0):
    from mmaction.structures import ActionDataSample
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(
        args.batch, 1, 2, args.frames, 25, 3, generator=generator)
    labels = torch.randint(0, 120, (args.batch, ), generator=generator)
    samples = [ActionDataSample().set_gt_label(int(y)) for y in labels]
    return inputs, samples


def peak_memory_mb():
    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def make_trainer(variant, device, args):
    if variant == 'gap-official-code':
        from gap_official_code import OfficialTrainer
        return OfficialTrainer(args.official_code, device)
    return Trainer(variant, device)


def convert_official_texts(checkout):
    """Our bank of the official NTU-120 texts, from the checkout."""
    subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'gap', 'import_official_descriptions.py'),
        checkout, '--dataset', 'ntu120', '--out', OFFICIAL_BANK, '--overwrite'
    ],
                   check=True,
                   stdout=subprocess.DEVNULL)


class Trainer:
    """One model, its optimizer and a timed training step."""

    def __init__(self, variant, device):
        torch.manual_seed(0)
        self.model = build(variant).to(device).train()
        self.optimizer = torch.optim.SGD(
            [p for p in self.model.parameters() if p.requires_grad],
            lr=0.01,
            momentum=0.9,
            nesterov=True)
        self.one_time_s = 0.
        if variant == 'gap-frozen':  # what its first training step does
            start = time.perf_counter()
            self.model.gap_head.cache_all_prompts()
            self.one_time_s = time.perf_counter() - start

    def step(self, inputs, samples):
        start = time.perf_counter()
        losses = self.model(inputs, samples, mode='loss')
        loss = sum(v for k, v in losses.items() if k.startswith('loss'))
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        sync()
        return time.perf_counter() - start


def measure_peak_memory(variant, args):
    """Peak memory of a few steps of one variant (run in its own process)."""
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    trainer = make_trainer(variant, device, args)
    for step in range(2):
        inputs, samples = batch(args, seed=step)
        trainer.step(inputs.to(device), samples)
    return dict(peak_mb=peak_memory_mb())


def measure_step_times(args):
    """Median step time of every variant, the variants taking turns.

    Taking turns step by step spreads any slowdown of the shared machine
    evenly over the variants, so their ratios stay fair.
    """
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    trainers = {v: make_trainer(v, device, args) for v in args.variants}
    times = {v: [] for v in args.variants}
    for step in range(args.warmup + args.steps):
        inputs, samples = batch(args, seed=step)
        inputs = inputs.to(device)
        for variant, trainer in trainers.items():
            elapsed = trainer.step(inputs, samples)
            if step >= args.warmup:
                times[variant].append(elapsed)
    return {
        v:
        dict(step_s=sorted(t)[len(t) // 2], one_time_s=trainers[v].one_time_s)
        for v, t in times.items()
    }


def measure_inference(args):
    from mmaction_ext.utils import drop_train_only_args
    torch.manual_seed(0)
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    plain = build('plain').to(device).eval()
    trained = build('gap-finetuned')
    test_config = model_config('gap-finetuned')
    drop_train_only_args(test_config)  # what tools/test.py does
    gap = build('gap-finetuned', test_config)
    gap.load_state_dict(trained.state_dict())  # text-branch keys skipped
    gap = gap.to(device).eval()
    inputs, samples = batch(args)
    inputs = inputs.to(device)
    times = {'plain': [], 'gap': []}
    with torch.no_grad():
        for rep in range(args.warmup + 2 * args.steps):
            for name, model in (('plain', plain), ('gap', gap)):
                sync()
                start = time.perf_counter()
                model(inputs, samples, mode='predict')
                sync()
                if rep >= args.warmup:
                    times[name].append(time.perf_counter() - start)
    median = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    params = {
        'plain': sum(p.numel() for p in plain.parameters()),
        'gap': sum(p.numel() for p in gap.parameters()),
        'gap_training': sum(p.numel() for p in trained.parameters()),
    }
    return dict(latency_s=median, params=params)


def run_child(mode, args):
    cmd = [sys.executable, __file__, '--child', mode] + [
        f'--{k}={v}'
        for k, v in (('batch', args.batch), ('frames', args.frames),
                     ('steps', args.steps), ('warmup', args.warmup),
                     ('variants', ','.join(args.variants)))
    ]
    if args.official_code:
        cmd.append(f'--official-code={args.official_code}')
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--frames', type=int, default=64)
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument(
        '--official-code',
        help='checkout of the official GAP code (MartinXM/GAP) to time '
        'against; without it the official behaviour is emulated')
    parser.add_argument(
        '--variants', help='comma-separated subset of: ' + ', '.join(VARIANTS))
    parser.add_argument(
        '--skip-inference', action='store_true', help='no inference part')
    parser.add_argument(
        '--tokens-only',
        action='store_true',
        help='only count the text tokens a step encodes (no timing)')
    parser.add_argument('--child', help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.variants = args.variants.split(',') if args.variants else \
        default_variants(args.official_code)
    unknown = set(args.variants) - set(VARIANTS)
    if unknown:
        parser.error(f'unknown variants {sorted(unknown)}')
    if 'plain' not in args.variants:
        parser.error('the variants must include plain (the reference)')
    if not args.official_code and {
            'gap-official-code', 'gap-finetuned-official-texts'
    } & set(args.variants):
        parser.error('these variants need --official-code')
    return args


def report(results, args):
    base = results['plain']
    print(f'\n{"training step":<30}{"s/step":>9}{"x plain":>9}'
          f'{"peak MB":>10}{"x plain":>9}')
    for variant, r in results.items():
        print(f'{variant:<30}{r["step_s"]:>9.2f}'
              f'{r["step_s"] / base["step_s"]:>9.2f}{r["peak_mb"]:>10.0f}'
              f'{r["peak_mb"] / base["peak_mb"]:>9.2f}')
    reference = 'gap-official-code' if args.official_code \
        else 'gap-official-emulation'
    if reference in results:
        what = 'the official code' if args.official_code \
            else 'an EMULATION of the official code (not the code itself)'
        official = results[reference]['step_s']
        print(f'\nthroughput relative to {what}:')
        for variant, r in results.items():
            if variant.startswith('gap-finetuned'):
                ours = r['step_s'] - base['step_s']
                print(f'  {variant:<30} {official / r["step_s"]:.2f}x '
                      'the throughput; text overhead '
                      f'{ours / (official - base["step_s"]):.2f} of the '
                      'official')
    if 'gap-frozen' in results:
        print(f'frozen {results["gap-frozen"]["step_s"] / base["step_s"]:.2f}'
              'x plain after a one-time '
              f'{results["gap-frozen"]["one_time_s"]:.0f} s encoding all '
              f'{len(build_prompts())} prompts of the bank')


def main():
    args = parse_args()
    if args.child == 'inference':
        print(json.dumps(measure_inference(args)))
        return
    if args.child == 'steps':
        print(json.dumps(measure_step_times(args)))
        return
    if args.child:
        print(json.dumps(measure_peak_memory(args.child, args)))
        return
    device = torch.cuda.get_device_name() if torch.cuda.is_available() \
        else f'CPU ({os.cpu_count()} cores, {torch.get_num_threads()} threads)'
    print(f'GAP overhead, CTR-GCN (1.46M) + CLIP ViT-B/32 text tower, '
          f'batch {args.batch}, {args.frames} frames, 2 persons, '
          f'median of {args.steps} steps after {args.warmup} warm-up '
          '(variants taking turns), '
          f'on {device}; load average at start {os.getloadavg()}')
    if args.official_code:
        convert_official_texts(args.official_code)
    print_padded_tokens(args)
    if args.tokens_only:
        return
    results = run_child('steps', args)
    print(
        'step times (s):', {
            v: round(r['step_s'], 2)
            for v, r in results.items()
        },
        flush=True)
    for variant in args.variants:
        results[variant].update(run_child(variant, args))
        print(
            f'{variant} peak memory: {results[variant]["peak_mb"]:.0f} MB',
            flush=True)
    report(results, args)
    print(f'load average at the end {os.getloadavg()}')
    if args.skip_inference:
        return
    inference = run_child('inference', args)
    lat = inference['latency_s']
    print(f'\ninference (predict, no grad): plain {lat["plain"]*1e3:.1f} ms, '
          f'GAP test model {lat["gap"]*1e3:.1f} ms, ratio '
          f'{lat["gap"] / lat["plain"]:.3f}; parameters plain '
          f'{inference["params"]["plain"]:,}, GAP test model '
          f'{inference["params"]["gap"]:,}, GAP while training '
          f'{inference["params"]["gap_training"]:,}')


if __name__ == '__main__':
    main()

"""Strip GAP's training-only text branch from a checkpoint.

The result holds only the skeleton recognizer (backbone + cls_head) and loads
with ``strict=True`` into the plain MMAction2 ``RecognizerGCN`` config of the
same backbone (e.g. configs/gap/baselines/ctrgcn_*.py for
configs/gap/gap_ctrgcn_*.py). Optimizer and message-hub states are dropped;
``meta`` is kept.

Usage:
    python tools/gap/strip_text_branch.py IN.pth OUT.pth
"""
import argparse
import os.path as osp

import torch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='checkpoint written while training GAP')
    parser.add_argument('dst', help='where to write the stripped checkpoint')
    args = parser.parse_args()
    if osp.abspath(args.src) == osp.abspath(args.dst):
        raise SystemExit('refusing to overwrite the input checkpoint')
    import mmaction_ext  # noqa: F401  (allow-lists MMEngine's pickled types)
    checkpoint = torch.load(args.src, map_location='cpu', weights_only=True)
    state = checkpoint.get('state_dict', checkpoint)
    kept = {k: v for k, v in state.items() if not k.startswith('gap_head.')}
    torch.save(
        dict(meta=checkpoint.get('meta', {}), state_dict=kept), args.dst)
    print(f'{args.dst}: kept {len(kept)} tensors, dropped '
          f'{len(state) - len(kept)} of the text branch')


if __name__ == '__main__':
    main()

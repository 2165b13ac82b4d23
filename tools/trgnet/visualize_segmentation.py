"""Draw ground truth vs prediction colour bars per sequence, as PNGs.

Input: a ``tools/test.py --dump`` pickle of a segmentation model (each
entry has ``gt_frame_labels``, ``pred_frame_scores`` and optionally
``pred_boundary_logits`` and ``frame_dir``). One PNG per sequence: the
ground-truth bar, the predicted bar (argmax, or boundary-refined with
``--refine``) and, when present, the boundary probability curve.

Usage:
    python tools/trgnet/visualize_segmentation.py scores.pkl out_dir/
        [--classes pku_mmd] [--refine] [--max 20]
"""
import argparse
import sys
import os
import os.path as osp

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

from mmaction_ext.evaluation.functional import \
    refine_with_boundaries  # noqa: E402
from mmaction_ext.fileio import safe_load  # noqa: E402
from mmaction_ext.utils import run_tool  # noqa: E402


def as_array(value):
    return np.asarray(value.cpu() if hasattr(value, 'cpu') else value)


def draw(result, num_classes, names=None, refine=False):
    """A matplotlib figure for one sequence."""
    gt = as_array(result['gt_frame_labels'])
    scores = as_array(result['pred_frame_scores'])
    boundary = result.get('pred_boundary_logits')
    pred = scores.argmax(0)
    if refine and boundary is not None:
        pred = refine_with_boundaries(scores, as_array(boundary))
    cmap = ListedColormap(
        plt.get_cmap('tab20', max(num_classes,
                                  2))(np.arange(max(num_classes, 2))))
    rows = 3 if boundary is not None else 2
    fig, axes = plt.subplots(rows, 1, figsize=(12, 1 + rows), sharex=True)
    for ax, labels, title in zip(axes, (gt, pred),
                                 ('ground truth', 'prediction')):
        ax.imshow(
            labels[None],
            aspect='auto',
            cmap=cmap,
            vmin=0,
            vmax=max(num_classes, 2) - 1,
            interpolation='nearest')
        ax.set_yticks([])
        ax.set_ylabel(title, rotation=0, ha='right', va='center')
    if boundary is not None:
        axes[2].plot(1 / (1 + np.exp(-as_array(boundary))), lw=0.8)
        axes[2].set_ylim(0, 1)
        axes[2].set_ylabel('boundary', rotation=0, ha='right', va='center')
    present = sorted(set(gt.tolist()) | set(pred.tolist()))
    handles = [plt.Rectangle((0, 0), 1, 1, color=cmap(c)) for c in present]
    labels = [names[c] if names else str(c) for c in present]
    fig.legend(
        handles,
        labels,
        loc='lower center',
        ncol=min(len(present), 6),
        fontsize=7,
        frameon=False)
    axes[-1].set_xlabel('frame')
    fig.suptitle(str(result.get('frame_dir', '')))
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('dump')
    parser.add_argument('out_dir')
    parser.add_argument(
        '--classes',
        help='class names: a text bank (e.g. pku_mmd) or a segmentation '
        'annotation pkl with a "classes" list')
    parser.add_argument('--refine', action='store_true')
    parser.add_argument('--max', type=int, default=20)
    args = parser.parse_args()
    results = safe_load(args.dump)
    names = None
    if args.classes and args.classes.endswith('.pkl'):
        names = safe_load(args.classes).get('classes')
        if names is None:
            raise SystemExit(f'{args.classes} has no "classes" list')
    elif args.classes:
        from mmaction_ext.text import TextBank
        names = TextBank(args.classes).labels
    num_classes = as_array(results[0]['pred_frame_scores']).shape[0]
    if names is not None and len(names) != num_classes:
        raise SystemExit(f'{args.classes} names {len(names)} classes, the '
                         f'scores have {num_classes}')
    os.makedirs(args.out_dir, exist_ok=True)
    for index, result in enumerate(results[:args.max]):
        fig = draw(result, num_classes, names, args.refine)
        name = osp.basename(str(result.get('frame_dir', f'seq{index:04d}')))
        fig.savefig(osp.join(args.out_dir, f'{name}.png'), dpi=100)
        plt.close(fig)
    print(f'wrote {min(len(results), args.max)} figures to {args.out_dir}')


if __name__ == '__main__':
    sys.exit(run_tool(main))

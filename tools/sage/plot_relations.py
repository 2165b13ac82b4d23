"""Plot a video's relations: GT vs predicted timeline and box trajectories.

Left: one row per triplet over the video's frames, ground truth (green)
and the top predictions (red, opacity by score). Right: the trajectories
of the GT subjects (solid) and objects (dashed) as box-centre paths, with
their boxes at ``--frame``, drawn on that frame of ``--video`` (decoded
with decord) or on a blank canvas. Writes a PNG.

GT_JSON is a consolidated ground truth ``{video_id: [relations]}``
(``tools/sage/vidvrd_gt_json.py``); PRED is a prediction JSON in the
official format (``{"results": {video_id: [relations]}}``) or a
``tools/test.py --dump`` pickle of a SAGE config, whose segment relations
are associated into video relations as ``VidVRDSegmentMetric`` does.

Example::

    python tools/sage/plot_relations.py data/vidvrd/test_gts.json \\
        work_dirs/sage/test_scores.pkl ILSVRC2015_train_00010001 \\
        relations.png --video data/vidvrd/videos/ILSVRC2015_train_00010001.mp4
"""
import argparse
import os.path as osp
import sys
from collections import defaultdict
from typing import Optional, Sequence

from mmaction_ext.utils import run_tool
from mmaction_ext.utils.errors import BadInputError


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('gt_json', help='consolidated ground-truth JSON')
    parser.add_argument('pred', help='prediction JSON or test.py dump .pkl')
    parser.add_argument('video_id')
    parser.add_argument('out_png')
    parser.add_argument('--video', help='the video file (else blank canvas)')
    parser.add_argument(
        '--frame',
        type=int,
        help='frame the boxes are drawn at (default: the middle of the '
        'first GT relation)')
    parser.add_argument(
        '--topk', type=int, default=10, help='predictions shown')
    parser.add_argument('--dataset', default='vidvrd')
    return parser.parse_args(argv)


def dump_relations(path: str, vocabulary) -> dict:
    """Video relations from a ``tools/test.py --dump`` pickle."""
    from mmengine.fileio import load

    from mmaction_ext.datasets.vidvrd_relations import check_relation
    from mmaction_ext.evaluation.functional import greedy_relation_association
    samples = load(path)
    if not isinstance(samples, list):
        raise BadInputError(f'{path}: expected a list of data samples')
    segments = defaultdict(dict)
    for i, sample in enumerate(samples):
        if not isinstance(sample, dict) or not {
                'video_id', 'segment', 'pred_relations'
        } <= set(sample):
            raise BadInputError(
                f'{path}: sample {i} has no video_id / segment / '
                'pred_relations (not a dump of a SAGE config)')
        vid = str(sample['video_id'])
        segment = tuple(int(v) for v in sample['segment'])
        segments[vid][segment] = [
            check_relation(rel, f'{path}: sample {i} pred_relations[{j}]',
                           True, vocabulary)
            for j, rel in enumerate(sample['pred_relations'])
        ]
    return {
        vid: greedy_relation_association(by_segment)
        for vid, by_segment in segments.items()
    }


def load_inputs(args):
    from mmaction_ext.datasets.vidvrd_classes import load_vocabulary
    from mmaction_ext.datasets.vidvrd_relations import (load_groundtruth,
                                                        load_predictions)
    vocabulary = load_vocabulary(args.dataset)
    gts = load_groundtruth(args.gt_json, vocabulary)
    if args.pred.endswith(('.pkl', '.pickle')):
        preds = dump_relations(args.pred, vocabulary)
    elif args.pred.endswith('.json'):
        preds = load_predictions(args.pred, vocabulary)
    else:
        raise BadInputError(f'{args.pred}: expected a .json prediction file '
                            'or a .pkl dump of tools/test.py')
    if args.video_id not in gts:
        raise BadInputError(f'{args.gt_json}: no video {args.video_id!r} '
                            f'(it has {sorted(gts)[:5]}...)')
    if not gts[args.video_id]:
        raise BadInputError(f'{args.gt_json}: video {args.video_id!r} has '
                            'no relations to plot')
    top = sorted(preds.get(args.video_id, []), key=lambda r: -r['score'])
    return gts[args.video_id], top[:args.topk]


def read_frame(path: str, index: int):
    """(H, W, 3) uint8 frame ``index`` of ``path``."""
    import decord
    if not osp.exists(path):
        raise FileNotFoundError(f'--video {path} does not exist')
    reader = decord.VideoReader(path)
    if not 0 <= index < len(reader):
        raise BadInputError(f'--frame {index} is outside {path} '
                            f'({len(reader)} frames)')
    return reader[index].asnumpy()


def plot_timeline(ax, gts, preds):
    # opacity by score relative to the best shown (scores need not be <= 1)
    top = max([float(rel['score']) for rel in preds] + [1e-12])
    rows = [('GT', rel, 1.) for rel in gts]
    rows += [('pred', rel, 0.15 + 0.85 * max(float(rel['score']), 0.) / top)
             for rel in preds]
    for y, (kind, rel, alpha) in enumerate(rows):
        begin, end = rel['duration']
        ax.barh(
            y,
            end - begin,
            left=begin,
            color='tab:green' if kind == 'GT' else 'tab:red',
            alpha=alpha)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([
        f'{kind}: {" ".join(rel["triplet"])}' +
        (f' ({rel["score"]:.2f})' if kind == 'pred' else '')
        for kind, rel, _ in rows
    ],
                       fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel('frame')
    ax.set_title('relations: GT (green) vs predicted (red)')


def plot_trajectories(ax, gts, frame_index, image):
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle
    if image is not None:
        ax.imshow(image)
    else:
        extent = np.concatenate(
            [np.asarray(r[k]) for r in gts for k in ('sub_traj', 'obj_traj')])
        ax.set_xlim(0, extent[:, 2].max() * 1.05)
        ax.set_ylim(extent[:, 3].max() * 1.05, 0)
    colours = iter(colormaps['tab10'].colors * (len(gts) // 10 + 1))
    for rel in gts:
        colour = next(colours)
        begin = rel['duration'][0]
        for key, style in (('sub_traj', '-'), ('obj_traj', '--')):
            boxes = np.asarray(rel[key], dtype=float)
            centres = (boxes[:, :2] + boxes[:, 2:]) / 2
            ax.plot(*centres.T, style, color=colour, linewidth=1)
            if 0 <= frame_index - begin < len(boxes):
                x1, y1, x2, y2 = boxes[frame_index - begin]
                ax.add_patch(
                    Rectangle((x1, y1),
                              x2 - x1,
                              y2 - y1,
                              fill=False,
                              linestyle=style,
                              edgecolor=colour))
    ax.set_title(f'GT trajectories, boxes at frame {frame_index}')
    ax.axis('off')


def plot(args) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from mmaction_ext.fileio.atomic_write import write_atomically
    if args.topk < 0:
        raise BadInputError(f'--topk must be >= 0, got {args.topk}')
    gts, preds = load_inputs(args)
    frame = args.frame
    if frame is None:
        frame = sum(gts[0]['duration']) // 2
    image = read_frame(args.video, frame) if args.video else None
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 5))
    plot_timeline(left, gts, preds)
    plot_trajectories(right, gts, frame, image)
    fig.suptitle(args.video_id)
    fig.tight_layout()
    try:
        write_atomically(args.out_png,
                         lambda f: fig.savefig(f, format='png', dpi=100))
    finally:
        plt.close(fig)


def main(argv: Optional[Sequence[str]] = None) -> int:
    from mmaction_ext.datasets.vidvrd_annotation import VidVRDFormatError
    args = parse_args(argv)
    try:
        plot(args)
    except VidVRDFormatError as err:
        raise BadInputError(str(err)) from None
    print(f'wrote {args.out_png}')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(lambda: main(sys.argv[1:])))

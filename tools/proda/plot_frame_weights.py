"""Draw ProDA's frame weights s against the action segments (Figure 3).

Input: a ``tools/test.py --dump`` pickle of a ProDA run whose samples keep
``frame_weights`` (S, N), ``action_specs`` (S, C), ``spec_distractor``
(S, ), ``frame_inds`` (N, ) and ``action_segments``, e.g. the
``*_stage2-analysis.py`` configs. For one video, each of up to ``--max-specs``
non-distractor specifications (SAPs) that name a class the video holds gets
three rows: s as a heat bar, the ground-truth frames of its classes (red)
and the frames where the min-max normalized s exceeds theta (green), the
localization rule of ``ProDAMetric``.

Usage:
    python tools/proda/plot_frame_weights.py test_scores.pkl out.png
        [--video VIDEO_ID] [--theta 0.7] [--max-specs 4]
        [--classes data/synthetic_scene_graphs/test.pkl] [--overwrite]
"""
import argparse
import os.path as osp
import sys

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mmaction_ext.evaluation.functional import frame_labels  # noqa: E402
from mmaction_ext.evaluation.functional.proda import \
    normalize_weights  # noqa: E402
from mmaction_ext.fileio import safe_load  # noqa: E402
from mmaction_ext.fileio.atomic_write import \
    write_atomically  # noqa: E402
from mmaction_ext.utils import BadInputError, run_tool  # noqa: E402

NEEDED = ('frame_weights', 'action_specs', 'spec_distractor', 'frame_inds',
          'action_segments')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('dump', help='tools/test.py --dump pickle')
    parser.add_argument('out', help='output PNG file')
    parser.add_argument(
        '--video',
        help='video_id to draw (default: the first video with '
        'a specification naming one of its classes)')
    parser.add_argument(
        '--theta',
        type=float,
        default=0.7,
        help='threshold on the normalized s (default 0.7)')
    parser.add_argument('--max-specs', type=int, default=4)
    parser.add_argument(
        '--classes',
        help='a scene-graph annotation pkl whose metainfo names the '
        'classes')
    parser.add_argument(
        '--overwrite', action='store_true', help='replace an existing PNG')
    args = parser.parse_args(argv)
    if not 0 <= args.theta < 1:
        raise BadInputError(f'--theta must be in [0, 1), got {args.theta}')
    if args.max_specs < 1:
        raise BadInputError(f'--max-specs must be >= 1, got {args.max_specs}')
    if not args.out.endswith('.png'):
        raise BadInputError(f'{args.out}: the output must be a .png file')
    return args


def as_array(value) -> np.ndarray:
    return np.asarray(value.cpu() if hasattr(value, 'cpu') else value)


def check_sample(dump: str, index: int, sample) -> None:
    if not isinstance(sample, dict):
        raise BadInputError(f'{dump}: entry {index} is a '
                            f'{type(sample).__name__}, not a data sample')
    missing = [key for key in NEEDED if key not in sample]
    if missing:
        raise BadInputError(
            f'{dump}: sample {index} ({sample.get("video_id", "?")}) has no '
            f'{", ".join(missing)}; dump a ProDA test run whose pipeline '
            'keeps them (e.g. a *_stage2-analysis.py config)')


def spec_rows(sample, num_specs: int):
    """(row, classes present in the video and specified) of the
    non-distractor SAPs that name at least one present class."""
    specs = as_array(sample['action_specs']).astype(bool)
    gt = frame_labels(
        as_array(sample['frame_inds']), sample['action_segments'],
        specs.shape[1])
    present = gt.any(0)
    rows = []
    for row in np.flatnonzero(~as_array(sample['spec_distractor'])):
        classes = np.flatnonzero(specs[row] & present)
        if len(classes):
            rows.append((int(row), classes))
    return rows[:num_specs], gt


def pick_video(dump: str, samples, video, num_specs: int):
    for index, sample in enumerate(samples):
        check_sample(dump, index, sample)
        if video is not None and str(sample.get('video_id')) != video:
            continue
        rows, gt = spec_rows(sample, num_specs)
        if rows:
            return sample, rows, gt
        if video is not None:
            raise BadInputError(f'{dump}: video {video} has no non-distractor '
                                'specification that names one of its classes')
    if video is not None:
        raise BadInputError(f'{dump}: no video {video!r}')
    raise BadInputError(f'{dump}: no video has a non-distractor '
                        'specification that names one of its classes')


def draw(sample, rows, gt, theta: float, names=None):
    """A figure: per SAP, heat bar of s, GT (red), prediction (green)."""
    weights = as_array(sample['frame_weights']).astype(float)
    frames = as_array(sample['frame_inds'])
    fig, axes = plt.subplots(
        len(rows), 1, figsize=(10, 1.4 * len(rows) + 0.6), squeeze=False)
    for ax, (row, classes) in zip(axes[:, 0], rows):
        s = weights[row]
        ax.imshow(
            s[None],
            aspect='auto',
            cmap='viridis',
            vmin=0,
            vmax=1,
            extent=(-0.5, len(s) - 0.5, 1, 3),
            interpolation='nearest')
        for band, on, colour in ((0.5, gt[:, classes].any(1), 'red'),
                                 (0, normalize_weights(s) > theta, 'green')):
            ax.bar(
                np.flatnonzero(on),
                0.45,
                width=1,
                bottom=band,
                color=colour,
                align='center')
        label = ', '.join(names[c] if names else f'class {c}' for c in classes)
        ax.set_title(f'SAP {row}: {label}', fontsize=8, loc='left')
        ax.set_xlim(-0.5, len(s) - 0.5)
        ax.set_ylim(0, 3)
        ax.set_yticks([0.22, 0.72, 2])
        ax.set_yticklabels([f'pred (theta {theta})', 'GT', 's'], fontsize=7)
        ax.set_xticks(np.arange(len(s)))
        ax.set_xticklabels([str(f) for f in frames], fontsize=6)
    axes[-1, 0].set_xlabel('sampled frame (video frame index)')
    fig.suptitle(f'{sample.get("video_id", "")}: frame weights s', fontsize=9)
    fig.tight_layout()
    return fig


def class_names(path: str, num_classes: int):
    names = safe_load(path)
    names = names.get('metainfo', {}).get('classes') if isinstance(
        names, dict) else None
    if names is None:
        raise BadInputError(f'{path}: no metainfo "classes" list')
    if len(names) != num_classes:
        raise BadInputError(f'{path} names {len(names)} classes, the dump '
                            f'has {num_classes}')
    return list(names)


def main(argv=None):
    args = parse_args(argv)
    if osp.exists(args.out) and not args.overwrite:
        raise BadInputError(f'{args.out} exists; pass --overwrite to '
                            'replace it')
    samples = safe_load(args.dump)
    if not isinstance(samples, (list, tuple)) or not samples:
        raise BadInputError(f'{args.dump}: expected a non-empty list of '
                            'data samples (tools/test.py --dump)')
    sample, rows, gt = pick_video(args.dump, samples, args.video,
                                  args.max_specs)
    names = args.classes and class_names(args.classes, gt.shape[1])
    fig = draw(sample, rows, gt, args.theta, names)
    write_atomically(args.out, lambda f: fig.savefig(f, format='png', dpi=100))
    plt.close(fig)
    print(f'wrote {args.out}: video {sample.get("video_id")}, '
          f'{len(rows)} specification(s), theta {args.theta}')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(main))

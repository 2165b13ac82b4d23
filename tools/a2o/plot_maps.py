"""Plot A2O's likelihood maps on frames, or accuracy across ICRL iterations.

``maps``: a grid, one row per sampled frame: the frame, then each object
class's likelihood map overlaid on it (the maps exactly as training sees
them, through ``LoadLikelihoodMaps`` on cached maps: box maps, or mask maps
when they were extracted with a segmenter). ``history``: the
validation accuracy of each ICRL iteration and the best so far, each point
labelled with the size of its object set (the paper's Figure 2 style),
from a ``tools/a2o/icrl.py`` ``history.json``.

Usage:
    python tools/a2o/plot_maps.py maps VIDEO --classes person bike \\
        --maps-dir work_dirs/icrl/maps --video-root data/videos \\
        --out maps.png [--frames 4] [--frame-interval 2]
    python tools/a2o/plot_maps.py history work_dirs/icrl/history.json \\
        --out accuracy.png
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, Optional, Sequence

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mmaction_ext.fileio.atomic_write import write_atomically  # noqa: E402
from mmaction_ext.utils import run_tool  # noqa: E402
from mmaction_ext.utils.errors import BadInputError  # noqa: E402

CELL_INCHES = 1.5


def draw_map_grid(frames: np.ndarray,
                  maps: np.ndarray,
                  classes: Sequence[str],
                  alpha: float = 0.6):
    """Frames x (1 + classes) panels of maps overlaid on frames.

    Args:
        frames (np.ndarray): (T, H, W, 3) RGB, 0-255.
        maps (np.ndarray): (T, K, H, W) likelihoods in [0, 1].
        classes (Sequence[str]): The K class names.
        alpha (float): Largest opacity of a map. Defaults to 0.6.

    Returns:
        matplotlib.figure.Figure: ``CELL_INCHES`` per panel.
    """
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise BadInputError(f'frames must be (T, H, W, 3), got '
                            f'{tuple(frames.shape)}')
    if maps.shape != (frames.shape[0], len(classes)) + frames.shape[1:3]:
        raise BadInputError(
            f'maps must be (T, K, H, W) = {(frames.shape[0], len(classes))}'
            f' + {frames.shape[1:3]}, got {tuple(maps.shape)}')
    rows, cols = frames.shape[0], 1 + len(classes)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(cols * CELL_INCHES, rows * CELL_INCHES),
        squeeze=False)
    for t in range(rows):
        image = np.clip(frames[t], 0, 255).astype(np.uint8)
        axes[t, 0].imshow(image)
        axes[t, 0].set_ylabel(f'frame {t}', fontsize=7)
        for k, name in enumerate(classes):
            axes[t, k + 1].imshow(image)
            # the map's value is its opacity: empty regions stay clear
            axes[t, k + 1].imshow(
                maps[t, k],
                cmap='jet',
                vmin=0,
                vmax=1,
                alpha=alpha * np.clip(maps[t, k], 0, 1))
            if t == 0:
                axes[t, k + 1].set_title(name, fontsize=8)
    axes[0, 0].set_title('frame', fontsize=8)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.subplots_adjust(0.04, 0.01, 0.99, 0.93, 0.03, 0.03)
    return fig


def draw_history(history: Dict, source: str = 'history'):
    """Validation accuracy per ICRL iteration and the best so far.

    Args:
        history (dict): A ``history.json`` (``iterations``: entries with
            ``iteration``, ``status``, ``accuracy``, ``classes``).
        source (str): Its name in error messages.

    Returns:
        matplotlib.figure.Figure: 6 x 4 inches.
    """
    entries = history.get('iterations') if isinstance(history, dict) \
        else None
    if not isinstance(entries, list):
        raise BadInputError(f'{source}: no "iterations" list; is it a '
                            'tools/a2o/icrl.py history.json?')
    done = [e for e in entries if e.get('status') == 'done']
    if not done:
        raise BadInputError(f'{source}: no finished iteration to plot')
    steps = [e['iteration'] for e in done]
    accuracy = [100 * e['accuracy'] for e in done]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(steps, accuracy, 'o-', label='validation top-1')
    ax.plot(steps, np.maximum.accumulate(accuracy), '--', label='best so far')
    for step, value, entry in zip(steps, accuracy, done):
        ax.annotate(
            f'{len(entry.get("classes") or [])} obj.', (step, value),
            textcoords='offset points',
            xytext=(0, 6),
            ha='center',
            fontsize=7)
    ax.set_xlabel('ICRL iteration')
    ax.set_ylabel('accuracy (%)')
    ax.set_xticks(steps)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def load_clip_with_maps(video: str, classes: Sequence[str], maps_dir: str,
                        video_root: Optional[str], num_frames: int,
                        frame_interval: int):
    """(T, H, W, 3) frames and (T, K, H, W) maps via the data pipeline."""
    from mmaction.registry import TRANSFORMS
    from mmengine.dataset import Compose
    from mmengine.registry import init_default_scope

    import mmaction_ext  # noqa: F401  (registers LoadLikelihoodMaps)
    if not osp.isfile(video):
        raise FileNotFoundError(f'video {video!r} does not exist')
    init_default_scope('mmaction')
    pipeline = Compose([
        TRANSFORMS.build(cfg) for cfg in (
            dict(type='DecordInit'),
            dict(
                type='SampleFrames',
                clip_len=num_frames,
                frame_interval=frame_interval,
                num_clips=1,
                test_mode=True),
            dict(type='DecordDecode'),
            dict(
                type='LoadLikelihoodMaps',
                classes=list(classes),
                maps_dir=maps_dir,
                video_root=video_root),
        )
    ])
    imgs = np.stack(pipeline(dict(filename=video, start_index=0))['imgs'])
    return imgs[..., :3], imgs[..., 3:].transpose(0, 3, 1, 2) / 255.0


def save_png(fig, out: str, dpi: int) -> None:
    if not out.lower().endswith('.png'):
        raise BadInputError(f'--out must name a .png file, got {out!r}')
    write_atomically(out, lambda f: fig.savefig(f, format='png', dpi=dpi))
    plt.close(fig)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='kind', required=True)
    maps = sub.add_parser('maps', help='likelihood maps on frames')
    maps.add_argument('video')
    maps.add_argument('--classes', nargs='+', required=True)
    maps.add_argument(
        '--maps-dir', required=True, help='the maps root or set folder')
    maps.add_argument('--video-root', help='as in the maps extraction')
    maps.add_argument('--frames', type=int, default=4)
    maps.add_argument('--frame-interval', type=int, default=2)
    history = sub.add_parser('history', help='accuracy across iterations')
    history.add_argument('history_file')
    for each in (maps, history):
        each.add_argument('--out', required=True, help='PNG file')
        each.add_argument('--dpi', type=int, default=100)
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.kind == 'maps':
        frames, maps = load_clip_with_maps(args.video, args.classes,
                                           args.maps_dir, args.video_root,
                                           args.frames, args.frame_interval)
        fig = draw_map_grid(frames, maps, args.classes)
    else:
        if not osp.isfile(args.history_file):
            raise FileNotFoundError(
                f'history file {args.history_file!r} does not exist')
        with open(args.history_file, encoding='utf-8') as f:
            try:
                history = json.load(f)
            except json.JSONDecodeError as error:
                raise BadInputError(
                    f'{args.history_file} is not JSON: {error}') from None
        fig = draw_history(history, args.history_file)
    save_png(fig, args.out, args.dpi)
    print(args.out)
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(lambda: main()))

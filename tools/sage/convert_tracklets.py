"""Convert released VidVRD / VidOR tracklets into our tracklet file.

Formats read (format written: :mod:`mmaction_ext.datasets.vidvrd_tracklets`):

* ``repro``: RePro's (github.com/Dawn-LX/OpenVoc-VidVRD) folder of
  per-segment tracking results ``<video>-<begin>-<end>.json``, e.g. the
  unzipped ``vidvrd_traj_box_det_th-15-5.zip``; ``--class-names`` maps the
  detector's integer ``label`` to names (otherwise the category is null
  unless the entry has a ``class``);
* ``mmp``: OV-MMP's (github.com/wangyongqi558/MMP_OV_VidVRD)
  ``test_object_trajectories_meta.json``.

An existing OUT_JSON is never overwritten.

Example::

    python tools/sage/convert_tracklets.py repro \\
        data/vidvrd/VidVRD_segment30_tracking_results_th-15-5 \\
        data/vidvrd/tracklets/test_det.json
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Optional, Sequence

from mmaction_ext.fileio.atomic_write import write_atomically
from mmaction_ext.utils import run_tool
from mmaction_ext.utils.errors import BadInputError


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('source', choices=('repro', 'mmp'))
    parser.add_argument('input', help='RePro folder or OV-MMP JSON file')
    parser.add_argument('out_json', help='tracklet file to write')
    parser.add_argument(
        '--class-names',
        help='JSON {label id: class name} of the detector (repro)')
    parser.add_argument(
        '--videos-from',
        help='keep only the videos with an annotation JSON in this folder '
        '(e.g. data/vidvrd/test)')
    return parser.parse_args(argv)


def convert(args: argparse.Namespace) -> dict:
    from mmaction_ext.datasets.vidvrd_annotation import (VidVRDFormatError,
                                                         read_json)
    from mmaction_ext.datasets.vidvrd_tracklets import (
        convert_mmp_tracklets, convert_repro_tracklets, tracklets_to_json)
    if osp.exists(args.out_json):
        raise BadInputError(f'{args.out_json} exists; not overwriting it')
    if not osp.exists(args.input):
        raise FileNotFoundError(f'{args.input} does not exist')
    try:
        if args.source == 'repro':
            names = None
            if args.class_names:
                names = {
                    int(k): v
                    for k, v in read_json(args.class_names).items()
                }
            videos = convert_repro_tracklets(args.input, names)
        else:
            videos = convert_mmp_tracklets(args.input)
    except (VidVRDFormatError, ValueError) as err:
        raise BadInputError(str(err)) from None
    if args.videos_from:
        import glob
        keep = {
            osp.splitext(osp.basename(p))[0]
            for p in glob.glob(
                osp.join(args.videos_from, '**', '*.json'), recursive=True)
        }
        videos = {vid: t for vid, t in videos.items() if vid in keep}
    text = json.dumps(tracklets_to_json(videos)).encode('utf-8')
    os.makedirs(osp.dirname(osp.abspath(args.out_json)), exist_ok=True)
    write_atomically(args.out_json, lambda f: f.write(text))
    return videos


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    videos = convert(args)
    print(f'{args.out_json}: {sum(map(len, videos.values()))} tracklets of '
          f'{len(videos)} videos')
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(lambda: main(sys.argv[1:])))

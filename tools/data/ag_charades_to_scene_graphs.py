"""Convert Action Genome + Charades to scene-graph video annotations (ProDA).

Example::

    python tools/data/ag_charades_to_scene_graphs.py \
        --ag-dir data/action_genome/annotations \
        --charades-dir data/charades/annotations \
        --video-dir data/charades/Charades_v1_480 \
        --out-dir data/action_genome/scene_graphs

Inputs:

- ``--ag-dir``: Action Genome's ``person_bbox.pkl`` and
  ``object_bbox_and_relationship.pkl``, and optionally its
  ``object_classes.txt`` / ``relationship_classes.txt`` (else the bundled
  ``action_genome_objects`` / ``action_genome_relations`` label maps, the
  same lists);
- ``--charades-dir``: ``Charades_v1_train.csv`` and ``Charades_v1_test.csv``;
- ``--video-dir``: the Charades videos ``<id>.mp4`` that Action Genome's
  frames were dumped from (``Charades_v1_480``); each video's own frame
  rate, frame count and size are read with decord.

Output: ``train.pkl`` and ``test.pkl`` in the format of
``mmaction_ext/datasets/scene_graph_format.py`` (read by
``SceneGraphVideoDataset``), with ``metainfo['num_slots']`` = the largest
slot count of any converted video, the same in both files. What is handled
(clipped boxes, several person boxes, invisible objects, ...) is counted in
the printed summary; bad videos (missing frames, boxes outside the frame,
unknown classes, videos without objects, videos missing from the Charades
CSV or the video folder, action ids outside the 157 classes) stop the
conversion with one error naming every one, or with ``--skip-bad`` are left
out and listed. See ``mmaction_ext/datasets/action_genome_scene_graphs.py``
for the rules and their sources.
"""
import argparse
import os.path as osp
import sys

from tqdm import tqdm

from mmaction_ext.datasets.action_genome_scene_graphs import (
    convert_action_genome, video_info_reader)
from mmaction_ext.datasets.charades_annotation import read_charades_csv
from mmaction_ext.datasets.conversion import ConversionError, InputFileError
from mmaction_ext.datasets.label_maps import load_label_map
from mmaction_ext.datasets.scene_graph_format import \
    scene_graph_video_problems
from mmaction_ext.fileio import atomic_dump, safe_load
from mmaction_ext.utils import BadInputError, run_tool

SPLITS = ('train', 'test')
AG_FILES = ('person_bbox.pkl', 'object_bbox_and_relationship.pkl')


def parse_args():
    parser = argparse.ArgumentParser(
        description='Action Genome + Charades -> scene-graph video pkls')
    parser.add_argument(
        '--ag-dir',
        required=True,
        help='folder with the Action Genome annotation pkls')
    parser.add_argument(
        '--charades-dir',
        required=True,
        help='folder with Charades_v1_{train,test}.csv')
    parser.add_argument(
        '--video-dir',
        required=True,
        help='folder with the Charades <id>.mp4 videos')
    parser.add_argument(
        '--out-dir', required=True, help='writes train.pkl and test.pkl here')
    parser.add_argument(
        '--skip-bad',
        action='store_true',
        help='leave bad videos out (listed) instead of '
        'stopping')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace existing outputs (atomically)')
    return parser.parse_args()


def class_list(ag_dir: str, filename: str, bundled: str) -> list:
    """AG's own class file if present, else the bundled label map."""
    path = osp.join(ag_dir, filename)
    if not osp.isfile(path):
        return load_label_map(bundled)
    with open(path, encoding='utf-8') as f:
        return [line.strip() for line in f if line.strip()]


def load_pkl(ag_dir: str, filename: str) -> dict:
    path = osp.join(ag_dir, filename)
    data = safe_load(path)
    if not isinstance(data, dict):
        raise InputFileError(path, 'expected a dict keyed by frame')
    return data


def progress(videos):
    return tqdm(videos, desc='videos', unit='video', file=sys.stderr)


def convert(args) -> int:
    outputs = {s: osp.join(args.out_dir, f'{s}.pkl') for s in SPLITS}
    existing = [p for p in outputs.values() if osp.exists(p)]
    if existing and not args.overwrite:
        raise ConversionError(f'{existing} exist; pass --overwrite to '
                              'replace them')
    metainfo = dict(
        dataset='action_genome',
        classes=tuple(load_label_map('charades')),
        object_classes=tuple(
            class_list(args.ag_dir, 'object_classes.txt',
                       'action_genome_objects')),
        relation_classes=tuple(
            class_list(args.ag_dir, 'relationship_classes.txt',
                       'action_genome_relations')))
    charades = {
        s:
        read_charades_csv(osp.join(args.charades_dir, f'Charades_v1_{s}.csv'))
        for s in SPLITS
    }
    person_boxes, objects = (load_pkl(args.ag_dir, f) for f in AG_FILES)
    entries, log = convert_action_genome(person_boxes, objects,
                                         metainfo['object_classes'],
                                         metainfo['relation_classes'],
                                         charades,
                                         video_info_reader(args.video_dir),
                                         args.skip_bad, progress)
    return write_outputs(entries, log, metainfo, outputs)


def write_outputs(entries, log, metainfo, outputs) -> int:
    """Check every entry as the dataset will, then write both splits."""
    problems = [
        f'video {v["video_id"]}: {p}' for videos in entries.values()
        for v in videos for p in scene_graph_video_problems(
            v, len(metainfo['classes']), len(metainfo['object_classes']),
            len(metainfo['relation_classes']))
    ]
    if problems:
        raise ConversionError(
            '\n'.join(['converted videos fail the format '
                       'checks:'] + problems))
    if not any(entries.values()):
        print(
            'error: no video was converted; nothing written', file=sys.stderr)
        return 1
    num_slots = max(
        len(v['slot_classes']) for videos in entries.values() for v in videos)
    for split, videos in entries.items():
        atomic_dump(
            dict(
                metainfo=dict(metainfo, split=split, num_slots=num_slots),
                data_list=videos), outputs[split])
        keyframes = sum(len(v['frame_inds']) for v in videos)
        print(f'{split}: {len(videos)} videos, {keyframes} keyframes -> '
              f'{outputs[split]}')
    print(f'num_slots (person + object classes, max over videos): '
          f'{num_slots}')
    print('handled:\n' + log.summary())
    for problem in log.skipped:
        print(f'left out: {problem}', file=sys.stderr)
    return 0


def main():
    try:
        return convert(parse_args())
    except (InputFileError, ConversionError) as err:
        # BadVideo is a BadInputError already
        raise BadInputError(str(err)) from None


if __name__ == '__main__':
    sys.exit(run_tool(main))

import json
import os.path as osp
from collections import defaultdict
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from mmaction.datasets import BaseActionDataset
from mmaction.evaluation import read_labelmap
from mmaction.registry import DATASETS
from mmengine.fileio import load
from mmengine.logging import MMLogger

from .conversion import InputFileError
from .hhi_specification import (EVAL_MODES, branch_targets,
                                eval_specified_columns,
                                sample_specified_columns, split_gt)

SPEC_MODES = ('sampled', 'file')
NUM_COLUMNS = 13  # vid, fid, p1 box (4), p2 box (4), label, p1 id, p2 id


def _parse_row(path: str, line: int, fields: List[str]) -> dict:
    if len(fields) != NUM_COLUMNS:
        raise InputFileError(
            path, f'expected {NUM_COLUMNS} comma-separated values (vid, fid, '
            f'x11, y11, x12, y12, x21, y21, x22, y22, label, p1_id, p2_id), '
            f'got {len(fields)}', line)
    try:
        fid, label = int(fields[1]), int(fields[10])
        boxes = np.array([float(v) for v in fields[2:10]], dtype=np.float32)
        p1_id, p2_id = int(fields[11]), int(fields[12])
    except ValueError as err:
        raise InputFileError(path, f'not a number: {err}', line) from None
    p1, p2 = boxes[:4], boxes[4:]
    for name, box in (('person 1', p1), ('person 2', p2)):
        if box[0] > box[2] or box[1] > box[3] or box.min() < 0 or \
                box.max() > 1:
            raise InputFileError(
                path, f'{name} box {box.tolist()} is not x1<=x2, y1<=y2 in '
                'normalised [0, 1] coordinates', line)
    return dict(
        video_id=fields[0],
        fid=fid,
        p1_box=p1,
        p2_box=p2,
        label=label,
        p1_id=p1_id,
        p2_id=p2_id,
        line=line)


@DATASETS.register_module()
class SportsHHIDataset(BaseActionDataset):
    """SportsHHI keyframes with person-pair interactions (MCG-NJU/SportsHHI
    ``hhi_dataset.py`` layout) and ProDA action specifications.

    ``ann_file`` (``sports_{train,val}_v1.csv``) has one interaction per
    row: ``vid, fid, x11, y11, x12, y12, x21, y21, x22, y22, label, p1_id,
    p2_id`` with boxes normalised to [0, 1]; the keyframe is ``fid // fps``
    and its key ``'<vid>,<keyframe:04d>'``. ``proposal_file``
    (``sports_dense_proposals_*.pkl`` / GT dense proposals) maps keys to
    (N, 4) or (N, 5) arrays (the 5th column a score). Classes not in
    ``custom_classes`` are dropped; the others become columns
    ``custom_classes.index(label) + 1`` (column 0 = background).

    Each sample has ``gt_bboxes`` (K, 4) (unique person boxes),
    ``gt_labels`` (K, C), ``gt_interactions`` (N, C) and ``p1_ids`` /
    ``p2_ids`` (N,) into ``gt_bboxes`` for the N GT pairs, ``proposals``
    (+ ``scores``), ``token`` (``num_spec_classes``,) float multi-hot over
    SportsHHI class ids, ``c_interactions`` / ``p_interactions`` (N, C) (see
    :mod:`~mmaction_ext.datasets.hhi_specification`).

    Specifications:

    - ``spec_mode='sampled'`` (default): training draws a new one per
      access after ProDA's Appendix C from the keyframe's GT (``np.random``,
      seeded per worker by the runner); ``test_mode`` uses the fixed,
      GT-free ``eval_spec`` (``'all'`` or ``'fixed_random'``).
    - ``spec_mode='file'`` (official): ``spec_file`` JSON maps each video id
      to a list of ``{"token": [ids], "val": [ids], "inv": [ids]}``; one
      entry per keyframe is drawn once at construction (``spec_seed``),
      in test mode too (as the public code, which leaks the GT when the
      file was built from it).

    Args:
        ann_file (str): Annotation CSV.
        pipeline (list): Processing pipeline.
        label_file (str, optional): ``sports_action_list.pbtxt``; when given,
            ``custom_classes`` must be ids in it.
        proposal_file (str, optional): Proposal pickle.
        exclude_file (str, optional): CSV of ``vid,keyframe`` to skip.
        custom_classes (list[int], optional): Original class ids kept.
        num_classes (int): Columns C incl. background. Defaults to 29.
        num_spec_classes (int): Token length. Defaults to 35.
        spec_mode (str): ``'sampled'`` or ``'file'``. Defaults to 'sampled'.
        spec_file (str, optional): JSON for ``spec_mode='file'``.
        num_specified (int): K of distractor-injected / fixed random
            specifications. Defaults to 8 (our choice; the code and paper
            give none for SportsHHI).
        eval_spec (str): ``'all'`` or ``'fixed_random'``. Defaults to 'all'.
        spec_seed (int): Seed of file draws and fixed random
            specifications. Defaults to 0.
        fps (int): Frames between keyframes. Defaults to 5.
        filename_tmpl (str): Defaults to '{:06}.jpg'.
        timestamp_start (int): Defaults to 0.
        timestamp_end (int): Defaults to 900.
        person_det_score_thr (float): Score threshold of 5-column
            proposals. Defaults to 0.9.
        num_max_proposals (int): Defaults to 10000.
        allow_missing_proposals (bool): A keyframe without proposals gets
            the official dummy box [0, 0, 1, 1] and is counted in the log;
            otherwise an error. Defaults to False.
        data_prefix (dict): ``img`` root of the frame folders.
        test_mode (bool): Defaults to False.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[Dict, Callable]],
                 label_file: Optional[str] = None,
                 proposal_file: Optional[str] = None,
                 exclude_file: Optional[str] = None,
                 custom_classes: Optional[Sequence[int]] = None,
                 num_classes: int = 29,
                 num_spec_classes: int = 35,
                 spec_mode: str = 'sampled',
                 spec_file: Optional[str] = None,
                 num_specified: int = 8,
                 eval_spec: str = 'all',
                 spec_seed: int = 0,
                 fps: int = 5,
                 filename_tmpl: str = '{:06}.jpg',
                 timestamp_start: int = 0,
                 timestamp_end: int = 900,
                 person_det_score_thr: float = 0.9,
                 num_max_proposals: int = 10000,
                 allow_missing_proposals: bool = False,
                 data_prefix: Dict = dict(img=''),
                 test_mode: bool = False,
                 **kwargs) -> None:
        if spec_mode not in SPEC_MODES:
            raise ValueError(f'SportsHHIDataset: spec_mode must be one of '
                             f'{SPEC_MODES}, got {spec_mode!r}')
        if spec_mode == 'file' and spec_file is None:
            raise ValueError("SportsHHIDataset: spec_mode='file' needs "
                             '`spec_file`')
        if eval_spec not in EVAL_MODES:
            raise ValueError(f'SportsHHIDataset: eval_spec must be one of '
                             f'{EVAL_MODES}, got {eval_spec!r}')
        if not 0 <= person_det_score_thr <= 1:
            raise ValueError('SportsHHIDataset: person_det_score_thr must be '
                             f'in [0, 1], got {person_det_score_thr}')
        self.has_custom_classes = custom_classes is not None
        self.columns = self._class_columns(custom_classes, num_classes,
                                           label_file)
        self.num_spec_classes = num_spec_classes
        bad = [i for i in self.columns[1:] if not 0 <= i < num_spec_classes]
        if bad:
            raise ValueError(f'SportsHHIDataset: class ids {bad} do not fit '
                             f'a token of {num_spec_classes}')
        self.spec_mode, self.spec_file = spec_mode, spec_file
        self.num_specified, self.eval_spec = num_specified, eval_spec
        self.spec_seed = spec_seed
        self.exclude_file, self.proposal_file = exclude_file, proposal_file
        self.fps, self.filename_tmpl = fps, filename_tmpl
        self.timestamp_start, self.timestamp_end = (timestamp_start,
                                                    timestamp_end)
        self.person_det_score_thr = person_det_score_thr
        self.num_max_proposals = num_max_proposals
        self.allow_missing_proposals = allow_missing_proposals
        self.missing_proposals = 0
        super().__init__(
            ann_file,
            pipeline=pipeline,
            data_prefix=data_prefix,
            test_mode=test_mode,
            num_classes=num_classes,
            **kwargs)
        self.proposals = None
        if proposal_file is not None:
            self.proposals = load(proposal_file)
            if not isinstance(self.proposals, dict):
                raise InputFileError(
                    proposal_file, 'expected a dict keyframe key -> '
                    f'(N, 4|5) array, got {type(self.proposals).__name__}')

    @staticmethod
    def _class_columns(custom_classes, num_classes, label_file) -> List[int]:
        """Original class id of every column (column 0 = background)."""
        if custom_classes is None:
            return list(range(num_classes))
        custom_classes = [int(c) for c in custom_classes]
        if 0 in custom_classes or len(custom_classes) + 1 != num_classes:
            raise ValueError(
                'SportsHHIDataset: custom_classes must exclude 0 and have '
                f'num_classes - 1 = {num_classes - 1} ids, got '
                f'{len(custom_classes)}')
        if label_file is not None:
            with open(label_file) as f:
                known = read_labelmap(f)[1]
            unknown = sorted(set(custom_classes) - known)
            if unknown:
                raise InputFileError(label_file,
                                     f'custom classes {unknown} not listed')
        return [0] + custom_classes

    def _read_rows(self) -> Dict[str, List[dict]]:
        rows = defaultdict(list)
        with open(self.ann_file) as f:
            for line, text in enumerate(f, 1):
                if not text.strip():
                    continue
                row = _parse_row(self.ann_file, line, text.strip().split(','))
                if not self._keeps(row['label'], line):
                    continue  # a class the configuration drops
                key = f"{row['video_id']},{row['fid'] // self.fps:04d}"
                rows[key].append(row)
        return rows

    def _keeps(self, label: int, line: int) -> bool:
        """Whether a CSV label is a kept class; errors for impossible ids."""
        if not 0 < label < self.num_spec_classes:
            raise InputFileError(
                self.ann_file, f'label {label} outside the interaction ids '
                f'1..{self.num_spec_classes - 1}', line)
        if label in self.columns[1:]:
            return True
        if not self.has_custom_classes:
            raise InputFileError(
                self.ann_file, f'label {label} needs num_classes > {label} '
                'or custom_classes', line)
        return False

    def _keyframe(self, key: str, rows: List[dict]) -> dict:
        boxes, seen = [], {}
        for row in rows:
            for box in (row['p1_box'], row['p2_box']):
                if box.tobytes() not in seen:
                    seen[box.tobytes()] = len(boxes)
                    boxes.append(box)
        pairs = {}
        interactions, p1_ids, p2_ids = [], [], []
        box_labels = np.zeros((len(boxes), self.num_classes), np.float32)
        for row in rows:
            pair = row['p1_box'].tobytes() + row['p2_box'].tobytes()
            if pair in pairs:
                raise InputFileError(
                    self.ann_file, f'duplicate pair in keyframe {key} (also '
                    f"on line {pairs[pair]})", row['line'])
            pairs[pair] = row['line']
            col = self.columns.index(row['label'])
            label = np.zeros(self.num_classes, np.float32)
            label[col] = 1.
            interactions.append(label)
            p1_ids.append(seen[row['p1_box'].tobytes()])
            p2_ids.append(seen[row['p2_box'].tobytes()])
            box_labels[[p1_ids[-1], p2_ids[-1]], col] = 1.
        video_id, timestamp = key.split(',')
        return dict(
            frame_dir=osp.join(self.data_prefix.get('img') or '', video_id),
            video_id=video_id,
            timestamp=int(timestamp),
            timestamp_start=self.timestamp_start,
            timestamp_end=self.timestamp_end,
            img_key=key,
            shot_info=(1,
                       (self.timestamp_end - self.timestamp_start) * self.fps +
                       1),
            fps=self.fps,
            gt_bboxes=np.stack(boxes),
            gt_labels=box_labels,
            gt_interactions=np.stack(interactions),
            p1_ids=np.array(p1_ids, dtype=np.int64),
            p2_ids=np.array(p2_ids, dtype=np.int64))

    def load_data_list(self) -> List[dict]:
        """Keyframes of the CSV in first-appearance order."""
        excluded = set()
        if self.exclude_file is not None:
            with open(self.exclude_file) as f:
                for line, text in enumerate(f, 1):
                    fields = text.strip().split(',')
                    if len(fields) != 2 or not fields[1].isdigit():
                        raise InputFileError(self.exclude_file,
                                             'expected "vid,keyframe"', line)
                    excluded.add(f'{fields[0]},{int(fields[1]):04d}')
        rows = self._read_rows()
        data_list = [
            self._keyframe(key, records) for key, records in rows.items()
            if key not in excluded
        ]
        MMLogger.get_current_instance().info(
            f'SportsHHIDataset: {len(data_list)} keyframes from '
            f'{self.ann_file} ({len(rows) - len(data_list)} excluded)')
        if self.spec_mode == 'file':
            self._draw_file_specs(data_list)
        return data_list

    def _draw_file_specs(self, data_list: List[dict]) -> None:
        with open(self.spec_file) as f:
            entries = json.load(f)
        rng = np.random.RandomState(self.spec_seed)
        for info in data_list:
            choices = entries.get(info['video_id'])
            if not choices:
                raise InputFileError(
                    self.spec_file,
                    f'no specification for video {info["video_id"]!r}')
            entry = choices[rng.randint(len(choices))]
            try:
                token = [int(i) for i in entry['token']]
                if any(not 0 <= i < self.num_spec_classes for i in token):
                    raise ValueError('token id out of range')
                val = [self.columns.index(int(i)) for i in entry['val']]
                inv = [self.columns.index(int(i)) for i in entry['inv']]
            except (KeyError, TypeError, ValueError) as err:
                raise InputFileError(
                    self.spec_file, f'bad entry for video '
                    f'{info["video_id"]!r}: {entry!r} ({err!r}); expected '
                    'token/val/inv lists of kept class ids') from None
            info['spec'] = (token, val, inv)

    def _specification(self, info: dict) -> tuple:
        """(token ids, val columns, inv columns) of a keyframe."""
        if 'spec' in info:
            return info['spec']
        present = [
            int(c) for c in np.flatnonzero(info['gt_interactions'].max(0))
            if c > 0
        ]
        candidates = list(range(1, self.num_classes))
        if self.test_mode:
            specified = eval_specified_columns(info['img_key'], candidates,
                                               self.eval_spec,
                                               self.num_specified,
                                               self.spec_seed)
        else:
            specified = sample_specified_columns(present, candidates,
                                                 self.num_specified, np.random)
        val, inv = split_gt(present, specified)
        return [self.columns[c] for c in specified], val, inv

    def _proposals(self, info: dict) -> None:
        key = info['img_key']
        if key not in self.proposals:
            if not self.allow_missing_proposals:
                raise InputFileError(self.proposal_file,
                                     f'no proposals for keyframe {key!r}')
            self.missing_proposals += 1
            MMLogger.get_current_instance().warning(
                f'SportsHHIDataset: keyframe {key} has no proposals; using '
                f'[0, 0, 1, 1] ({self.missing_proposals} so far)')
            info['proposals'] = np.array([[0, 0, 1, 1]], np.float32)
            info['scores'] = np.array([1.], np.float32)
            return
        proposals = np.asarray(self.proposals[key], np.float32)
        if proposals.ndim != 2 or proposals.shape[1] not in (4, 5):
            raise InputFileError(
                self.proposal_file, f'proposals of {key!r} must be (N, 4) or '
                f'(N, 5), got {proposals.shape}')
        if proposals.shape[1] == 5:
            thr = min(self.person_det_score_thr, proposals[:,
                                                           4].max(initial=0.))
            proposals = proposals[proposals[:, 4] >= thr]
            info['scores'] = proposals[:self.num_max_proposals, 4]
        info['proposals'] = proposals[:self.num_max_proposals, :4]

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        info['filename_tmpl'] = self.filename_tmpl
        if self.proposals is not None:
            self._proposals(info)
        token_ids, val, inv = self._specification(info)
        info.pop('spec', None)
        token = np.zeros(self.num_spec_classes, np.float32)
        token[token_ids] = 1.
        info['token'] = token
        info['c_interactions'], info['p_interactions'] = branch_targets(
            info['gt_interactions'], val, inv)
        return info

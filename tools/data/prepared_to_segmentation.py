"""Convert a prepared skeleton segmentation release to our pkl.

Example::

    python tools/data/prepared_to_segmentation.py \
        --root data/DeST/MCFS-22 --dataset mcfs22 --split 1 \
        --match-by index --out data/segmentation/mcfs22_split1.pkl

"Prepared releases" are the MS-TCN-style folders of PKU-MMD (subject and
view protocols), LARa, MCFS-22/130 and TCG-15 that skeleton action
segmentation code trains on (DeST distributes them, see the
"Datasets" link in its README; LaSA and TRG-Net read the same layout)::

    <root>/features/<video>.npy          # skeletons, layout per dataset
    <root>/groundTruth/<video>.txt       # one class name per frame
                                         # (LARa: <video>.csv, same content)
    <root>/gt_arr/<video>.npy            # class index per frame
    <root>/gt_boundary_arr/<video>.npy   # 0/1 boundaries (not read)
    <root>/mapping.txt                   # lines "<index> <name>"
    <root>/splits/{train,test}.split<N>.bundle  # one file name per line

Facts and where they come from:

- Folder names and ``mapping.txt``: lyhisme/DeST README.md and
  ``libs/class_id_map.py`` @ 3c6578398f7b (index = first token, name =
  second token of each line; here the rest of the line, which is the same
  for names without spaces). ``groundTruth`` holds one name per line,
  mapped through ``mapping.txt`` to ``gt_arr`` (DeST
  ``utils/generate_gt_array.py``, which reads ``*.csv`` for LARA and
  ``*.txt`` otherwise and saves float arrays, so ``gt_arr`` may hold
  integer-valued floats). Bundle lines end in a 4-character extension that
  ``utils/make_csv_files.py`` cuts off (DeST and HaoyuJi/TRG-Net
  @ ec593c67cb5f); here a trailing ``.txt``, ``.csv`` or ``.npy`` is
  removed.
- CSVs ``feature,label,boundary`` (``csv/<DATASET>/{train,val,test}<N>.csv``
  in DeST and TRG-Net) name the same files; only the ``feature`` column's
  file name is used here (``--csv-dir``). DeST builds val from every 10th
  training id; TRG-Net's shipped ``val1.csv`` is its test split (its
  ``train.py`` @ ec593c67 evaluates on it). Split names are kept as given:
  ``train``, ``val``, ``test``.
- Skeleton layouts, from the official loader ``libs/dataset.py`` of TRG-Net
  @ ec593c67cb5f (identical in DeST ``libs/dataset.py`` apart from TCG):

  ==========  ===============  ========================================
  dataset     npy              stored here as (M, T, V, C)
  ==========  ===============  ========================================
  pku         (T, 150)         reshape (T, 2, 25, 3) -> (2, T, 25, 3)
  lara        (C, T, 19, M)    transpose -> (M, T, 19, C)
  mcfs22/130  (T, 25, >= 2)    x, y -> (1, T, 25, 2)
  tcg         (T, 17, 3)       (1, T, 17, 3)
  ==========  ===============  ========================================

  PKU-MMD: 2 persons x 25 Kinect joints x xyz per frame, person-major
  (``reshape(-1, 2, 25, 3)``). LARa: the loader reshapes the 12-channel
  displacement + relative features to (12, 19, T), so C * M = 6 is
  required; which of C = 6, M = 1 or C = 3, M = 2 the release uses is
  **not verified** (MS-GCN, BenjaminFiltjens/MS-GCN README.md and
  ``main.py``, feeds LARa as 6 channels per joint without computing
  features, which suggests C = 6, M = 1; the meaning of the 6 values is
  unverified). Either way the stored array is the npy transposed, and
  :class:`SegmentationFeatures` ``'disp_rel'`` yields the official 12
  channels. MCFS: the loader keeps ``[:, :, :2]`` (OpenPose BODY_25
  pixels, x / 1280, y / 720); a third channel, if present, is stored as
  ``keypoint_score`` (M, T, V). That it is the OpenPose confidence is
  **unverified** (third-party code only); more than 3 channels is refused.
  TCG-15: ``feature[:, :, :, None]`` then (C, T, V, M), i.e. 3 coordinates,
  17 joints, one person. TCG-15 appears only in TRG-Net's loader; that its
  release uses the same folders is **unverified** (no public copy).
  Coordinates are stored raw; features are computed by the
  ``SegmentationFeatures`` transform.

Labels: ``groundTruth`` names (default when the folder exists) or
``gt_arr`` indices (``--labels``), mapped to our class order
``TextBank(bank).labels`` (banks ``pku_mmd``, ``lara``, ``mcfs22``,
``mcfs130``, ``tcg15``):

- ``--match-by name`` (default): release names match our names ignoring
  case and every character that is not a letter or digit
  (``brushing_hair`` = ``Brushing Hair``); ``--class-map`` (json
  ``{"release name": "our name" or index}``, or text lines ``<release
  name> <our name>``) overrides single names. Every release name without
  a match is listed in one error. With ``mapping.txt`` all its names must
  match; ``gt_arr`` labels need it to get names.
- ``--match-by index``: the release's index is our index (``mapping.txt``
  must then have as many classes as the bank). Our banks list the classes
  in LaSA's ``text/actions/simple/*.txt`` order, whose line k is the text
  of label k, so they follow the release's ``mapping.txt`` order if LaSA
  wrote them in that order (**unverified**: the release's ``mapping.txt``
  files are not public). ``tcg15`` follows the label encoding of
  againerju/tcg_recognition instead, equally unchecked against a TCG
  ``mapping.txt``. A warning names mapping names that match another of our
  classes by name.

The release's class names are not public: MCFS uses abbreviations such as
``ChComboSpin4`` and ``3Lutz_3Toeloop`` (third-party code, unverified), so
use ``--match-by index`` or a ``--class-map`` there; LARa's own names
differ from LaSA's at two classes (see
``mmaction_ext/datasets/label_maps/lara.txt``).

Bad videos (missing feature or label file, unreadable or misshapen
arrays, label / feature frame count mismatch, class names or indices not
in ``mapping.txt``) are all listed in one error naming each file, or with
``--skip-bad`` left out and listed. Not supported: MS-GCN's own example
layout (``features7/<x>_input.npy``, numeric ``groundTruth_`` csv).

Output (``mmengine.dump``), read by ``SkeletonSegmentationDataset``::

    dict(split=dict(train=[video, ...], test=[...]),  # + val if given
         classes=[...],                                # TextBank labels
         annotations=[dict(frame_dir=video, total_frames=T,
                           keypoint=float32 (M, T, V, C),
                           keypoint_score=float32 (M, T, V),  # MCFS only
                           frame_labels=int64 (T, )), ...])
"""
import argparse
import json
import os
import os.path as osp
import re
import sys
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from mmaction_ext.datasets.conversion import (
    ConversionError, check_bad_inputs, check_segmentation_file,
    segmentation_entry, add_output_arguments, add_skip_bad_argument,
    write_converted, InputFileError as PreparedFormatError, keep_converted,
    normalise_class_name, read_feature_list)
from mmaction_ext.text import TextBank

SPLIT_NAMES = ('train', 'val', 'test')
LIST_EXTENSIONS = ('.txt', '.csv', '.npy')
NAME_LABEL_EXTENSIONS = ('.txt', '.csv')
Layout = Tuple[np.ndarray, Optional[np.ndarray]]

# ------------------------------------------------------------- layouts --


def pku_layout(feature: np.ndarray) -> Layout:
    """PKU-MMD (T, 150) -> keypoint (2, T, 25, 3), no score."""
    if feature.ndim != 2 or feature.shape[1] != 150:
        raise ValueError(f'has shape {feature.shape}, expected (T, 150) = '
                         '2 persons x 25 joints x 3 per frame')
    return feature.reshape(-1, 2, 25, 3).transpose(1, 0, 2, 3), None


def lara_layout(feature: np.ndarray) -> Layout:
    """LARa (C, T, 19, M) with C * M = 6 -> keypoint (M, T, 19, C)."""
    if feature.ndim != 4 or feature.shape[2] != 19 or \
            feature.shape[0] * feature.shape[3] != 6:
        raise ValueError(f'has shape {feature.shape}, expected (C, T, 19, '
                         'M) with C * M = 6')
    return feature.transpose(3, 1, 2, 0), None


def mcfs_layout(feature: np.ndarray) -> Layout:
    """MCFS (T, 25, 2 or 3) -> keypoint (1, T, 25, 2), score (1, T, 25)."""
    if feature.ndim != 3 or feature.shape[1] != 25 or \
            feature.shape[2] not in (2, 3):
        raise ValueError(f'has shape {feature.shape}, expected (T, 25, 2) '
                         'or (T, 25, 3) OpenPose x, y(, score)')
    score = feature[None, :, :, 2] if feature.shape[2] == 3 else None
    return feature[None, :, :, :2], score


def tcg_layout(feature: np.ndarray) -> Layout:
    """TCG-15 (T, 17, 3) -> keypoint (1, T, 17, 3), no score."""
    if feature.ndim != 3 or feature.shape[1:] != (17, 3):
        raise ValueError(f'has shape {feature.shape}, expected (T, 17, 3)')
    return feature[None], None


# name -> (text bank, layout function, V, C or None when it varies)
DATASETS: Dict[str, Tuple[str, Callable, int, Optional[int]]] = dict(
    pku=('pku_mmd', pku_layout, 25, 3),
    lara=('lara', lara_layout, 19, None),
    mcfs22=('mcfs22', mcfs_layout, 25, 2),
    mcfs130=('mcfs130', mcfs_layout, 25, 2),
    tcg=('tcg15', tcg_layout, 17, 3))

# -------------------------------------------------------------- labels --


def read_mapping(path: str) -> Dict[str, int]:
    """``mapping.txt``: lines ``<index> <name>``.

    Args:
        path (str): The file.

    Returns:
        dict[str, int]: Name -> index, in file order.
    """
    mapping, seen = {}, {}
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            parts = line.strip().split(maxsplit=1)
            if not parts:
                continue
            if len(parts) != 2 or not re.fullmatch(r'-?\d+', parts[0]):
                raise PreparedFormatError(
                    path, f'line {number} is not "<index> <name>": '
                    f'{line.strip()!r}')
            index, name = int(parts[0]), parts[1].strip()
            if name in mapping or index in seen:
                raise PreparedFormatError(
                    path, f'line {number} repeats index {index} or name '
                    f'{name!r}')
            mapping[name], seen[index] = index, name
    if not mapping:
        raise PreparedFormatError(path, 'names no classes')
    return mapping


def read_name_labels(path: str) -> List[str]:
    """Class names, one per frame (``groundTruth`` file).

    Args:
        path (str): The file.

    Returns:
        list[str]: One name per frame (trailing empty lines dropped).
    """
    with open(path, encoding='utf-8') as f:
        names = [line.strip() for line in f.read().splitlines()]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise PreparedFormatError(path, 'has no labels')
    empty = [number for number, name in enumerate(names, 1) if not name]
    if empty:
        raise PreparedFormatError(path, f'empty label on line(s) {empty[:5]}')
    return names


def read_index_labels(path: str) -> np.ndarray:
    """Class indices, one per frame (``gt_arr`` npy, int or float).

    Args:
        path (str): The file.

    Returns:
        np.ndarray: int64 (T, ).
    """
    labels = load_npy(path)
    if labels.ndim != 1 or not len(labels):
        raise PreparedFormatError(
            path, f'has shape {labels.shape}, expected (T, ) with T > 0')
    if np.issubdtype(labels.dtype, np.integer):
        return labels.astype(np.int64)
    if not np.issubdtype(labels.dtype, np.floating):
        raise PreparedFormatError(path, f'has dtype {labels.dtype}')
    bad = ~np.isfinite(labels) | (labels != np.round(labels))
    if bad.any():
        frame = int(np.argmax(bad))
        raise PreparedFormatError(
            path, f'label {labels[frame]} at frame {frame} is not an integer')
    return labels.astype(np.int64)


def load_npy(path: str) -> np.ndarray:
    """A numeric npy array (no pickled objects)."""
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise PreparedFormatError(path, f'cannot read npy: {err}')
    if not isinstance(array, np.ndarray) or not (np.issubdtype(
            array.dtype, np.number) or array.dtype == np.bool_):
        raise PreparedFormatError(path, 'is not a numeric array')
    return array


def read_class_map(path: str) -> Dict[str, Union[str, int]]:
    """``--class-map``: release name -> our name or index.

    Args:
        path (str): ``.json`` object, or text lines ``<release name> <our
            name>`` (``#`` starts a comment line).

    Returns:
        dict: Release name -> our class name (str) or index (int).
    """
    with open(path, encoding='utf-8') as f:
        if path.endswith('.json'):
            try:
                table = json.load(f)
            except ValueError as err:
                raise PreparedFormatError(path, f'is not json: {err}')
            if not isinstance(table, dict) or not all(
                    isinstance(v, (str, int)) for v in table.values()):
                raise PreparedFormatError(
                    path, 'must be an object {"release name": "our name" or '
                    'index}')
            return table
        table = {}
        for number, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            parts = line.strip().split(maxsplit=1)
            if len(parts) != 2:
                raise PreparedFormatError(
                    path, f'line {number} is not "<release name> <our name>"')
            table[parts[0]] = parts[1].strip()
    return table


def match_names(names: Sequence[str], classes: Sequence[str],
                class_map: Dict[str, Union[str, int]],
                source: str) -> Dict[str, int]:
    """Our class index of every release class name.

    Args:
        names (Sequence[str]): Release class names.
        classes (Sequence[str]): Our class names in index order.
        class_map (dict): Overrides, release name -> our name or index.
        source (str): Where the names come from, for messages.

    Returns:
        dict[str, int]: Release name -> our index.

    Raises:
        ConversionError: Listing every name without a match.
    """
    lookup = {
        normalise_class_name(name): index
        for index, name in enumerate(classes)
    }
    if len(lookup) != len(classes):
        raise ValueError(f'our class names collide when normalised: '
                         f'{list(classes)}')
    table, unmatched = {}, []
    for name in names:
        target = class_map.get(name, name)
        if isinstance(target, int) and not isinstance(target, bool):
            index = target if 0 <= target < len(classes) else None
        else:
            index = lookup.get(normalise_class_name(str(target)))
        if index is None and name in class_map:
            raise ConversionError(
                f'--class-map maps {name!r} to {target!r}, which is not one '
                f'of our {len(classes)} classes')
        if index is None:
            unmatched.append(name)
        else:
            table[name] = index
    if unmatched:
        raise ConversionError(
            f'{len(unmatched)} class name(s) of {source} match none of our '
            f'{len(classes)} classes: {unmatched}. Ours begin with '
            f'{list(classes)[:4]}. Give --class-map or --match-by index.')
    return table


class LabelMapper:
    """Turn release labels (names or indices) into our class indices.

    Args:
        classes (Sequence[str]): Our class names in index order.
        mapping (dict, optional): ``mapping.txt``, name -> release index.
        match_by (str): ``'name'`` or ``'index'``.
        class_map (dict): ``--class-map`` overrides.
        mapping_path (str): ``mapping.txt`` path, for messages.
    """

    def __init__(self, classes: Sequence[str], mapping: Optional[Dict],
                 match_by: str, class_map: Dict, mapping_path: str) -> None:
        self.classes = list(classes)
        self.mapping = mapping
        self.match_by = match_by
        self.class_map = class_map
        self.mapping_path = mapping_path
        self.by_index = {v: k for k, v in (mapping or {}).items()}
        self.table: Optional[Dict[str, int]] = None
        self.warnings: List[str] = []
        if mapping is not None and match_by == 'name':
            self.table = match_names(
                list(mapping), classes, class_map, mapping_path)
        if mapping is not None and match_by == 'index':
            self._check_index_order()

    def _check_index_order(self) -> None:
        """Class count check, and warnings for names pointing elsewhere."""
        if len(self.mapping) != len(self.classes):
            raise ConversionError(
                f'{self.mapping_path} has {len(self.mapping)} classes, we '
                f'have {len(self.classes)}: --match-by index needs the same')
        lookup = {
            normalise_class_name(c): i
            for i, c in enumerate(self.classes)
        }
        for name, index in self.mapping.items():
            ours = lookup.get(normalise_class_name(name))
            if ours is not None and ours != index:
                self.warnings.append(
                    f'{self.mapping_path}: {name!r} has index {index} but '
                    f'our class {ours} is {self.classes[ours]!r}')

    def check_source(self, source: str) -> None:
        """Refuse label folders this mapper cannot translate.

        Args:
            source (str): ``'groundTruth'`` or ``'gt_arr'``.
        """
        if self.mapping is not None:
            return
        if source == 'groundTruth' and self.match_by == 'index':
            raise ConversionError(
                '--match-by index with groundTruth names needs '
                f'{self.mapping_path}')
        if source == 'gt_arr' and self.match_by == 'name':
            raise ConversionError(
                f'gt_arr labels need {self.mapping_path} to match classes '
                'by name; give it or use --match-by index')

    def need_names_first(self, uses_names: bool) -> bool:
        """Whether all names must be seen before mapping (no mapping)."""
        return uses_names and self.mapping is None and \
            self.match_by == 'name'

    def learn_names(self, names: Sequence[str], source: str) -> None:
        """Match names found in the label files (no ``mapping.txt``)."""
        self.table = match_names(names, self.classes, self.class_map, source)

    def names_to_ours(self, names: Sequence[str], path: str) -> np.ndarray:
        """Our indices of one ``groundTruth`` file's names."""
        if self.mapping is not None:
            unknown = [(i, n) for i, n in enumerate(names, 1)
                       if n not in self.mapping]
            if unknown:
                raise PreparedFormatError(
                    path, f'{len(unknown)} label(s) not in '
                    f'{self.mapping_path}, first {unknown[0][1]!r} on line '
                    f'{unknown[0][0]}')
        if self.match_by == 'index':
            return np.array([self.mapping[n] for n in names], np.int64)
        return np.array([self.table[n] for n in names], np.int64)

    def indices_to_ours(self, labels: np.ndarray, path: str) -> np.ndarray:
        """Our indices of one ``gt_arr`` file's indices."""
        if self.match_by == 'index':
            return labels
        known = np.isin(labels, list(self.by_index))
        if not known.all():
            frame = int(np.argmax(~known))
            raise PreparedFormatError(
                path, f'label {labels[frame]} at frame {frame} is not an '
                f'index of {self.mapping_path}')
        return np.array([self.table[self.by_index[v]] for v in labels],
                        np.int64)


# -------------------------------------------------------------- splits --


def strip_extension(entry: str) -> str:
    """A list entry without a trailing ``.txt``, ``.csv`` or ``.npy``."""
    for extension in LIST_EXTENSIONS:
        if entry.endswith(extension):
            return entry[:-len(extension)]
    return entry


def read_list(path: str) -> List[str]:
    """Video names of a ``.bundle`` file (one file name per line)."""
    names = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            name = strip_extension(line.strip())
            if name and name not in names:
                names.append(name)
    return names


def read_bundle_splits(root: str, split: int) -> Dict[str, List[str]]:
    """``splits/{train,val,test}.split<N>.bundle`` of a release.

    Args:
        root (str): The release folder.
        split (int): N.

    Returns:
        dict[str, list[str]]: Split name -> videos; empty without a
        ``splits`` folder.
    """
    folder = osp.join(root, 'splits')
    if not osp.isdir(folder):
        return {}
    splits = {}
    for name in SPLIT_NAMES:
        path = osp.join(folder, f'{name}.split{split}.bundle')
        if osp.isfile(path):
            splits[name] = read_list(path)
    if not splits:
        raise PreparedFormatError(
            folder, f'has no train/val/test.split{split}.bundle')
    return splits


def read_csv_splits(csv_dir: str, split: int) -> Dict[str, List[str]]:
    """``{train,val,test}<N>.csv`` (``feature,label,boundary``) lists.

    Args:
        csv_dir (str): E.g. TRG-Net's ``csv/PKU-view``.
        split (int): N.

    Returns:
        dict[str, list[str]]: Split name -> videos (file names of the
        ``feature`` column without ``.npy``).
    """
    splits = {}
    for name in SPLIT_NAMES:
        path = osp.join(csv_dir, f'{name}{split}.csv')
        if not osp.isfile(path):
            continue
        splits[name] = read_feature_list(path)
    if not splits:
        raise PreparedFormatError(csv_dir, f'has no train/val/test{split}.csv')
    return splits


# ----------------------------------------------------------- conversion --


def label_source(root: str, labels: str) -> str:
    """``'groundTruth'`` or ``'gt_arr'``: the folder labels are read from."""
    if labels != 'auto':
        folder = osp.join(root, labels)
        if not osp.isdir(folder):
            raise FileNotFoundError(f'{folder!r} is not a directory')
        return labels
    for folder in ('groundTruth', 'gt_arr'):
        if osp.isdir(osp.join(root, folder)):
            return folder
    raise FileNotFoundError(f'{root!r} has neither groundTruth/ nor gt_arr/')


def read_raw_labels(root: str, source: str,
                    video: str) -> Tuple[str, Union[List[str], np.ndarray]]:
    """The label file of a video and its names or indices."""
    if source == 'gt_arr':
        path = osp.join(root, 'gt_arr', f'{video}.npy')
        if not osp.isfile(path):
            raise PreparedFormatError(path, 'label file is missing')
        return path, read_index_labels(path)
    for extension in NAME_LABEL_EXTENSIONS:
        path = osp.join(root, 'groundTruth', video + extension)
        if osp.isfile(path):
            return path, read_name_labels(path)
    raise PreparedFormatError(
        osp.join(root, 'groundTruth', video + '.txt'),
        'label file is missing (no .txt or .csv)')


def convert_video(root: str, dataset: str, video: str, label_path: str,
                  labels: np.ndarray, classes: Sequence[str]) -> Dict:
    """One video as an annotation of the segmentation format.

    Args:
        root (str): The release folder.
        dataset (str): A key of :data:`DATASETS`.
        video (str): The video name.
        label_path (str): Its label file, for messages.
        labels (np.ndarray): Our class index per frame.
        classes (Sequence[str]): Our class names.

    Returns:
        dict: ``frame_dir``, ``total_frames``, ``keypoint``,
        ``frame_labels`` and, for MCFS with 3 channels, ``keypoint_score``.
    """
    _, layout, num_joints, _ = DATASETS[dataset]
    path = osp.join(root, 'features', f'{video}.npy')
    if not osp.isfile(path):
        raise PreparedFormatError(path, 'feature file is missing')
    try:
        keypoint, score = layout(load_npy(path).astype(np.float32))
    except ValueError as err:
        raise PreparedFormatError(path, str(err))
    if keypoint.shape[1] == 0:
        raise PreparedFormatError(path, 'has no frames')
    if keypoint.shape[1] != len(labels):
        raise PreparedFormatError(
            path, f'has {keypoint.shape[1]} frames but {label_path} has '
            f'{len(labels)} labels')
    entry = segmentation_entry(video, np.ascontiguousarray(keypoint), labels)
    if score is not None:
        entry['keypoint_score'] = np.ascontiguousarray(score, np.float32)
    try:
        check_segmentation_file(
            dict(classes=list(classes), annotations=[entry]), num_joints)
    except ConversionError as err:
        problems = str(err).splitlines()[1:]
        raise PreparedFormatError(path, '; '.join(p.strip() for p in problems))
    return entry


def videos_and_splits(
        root: str, split: int,
        csv_dir: Optional[str]) -> Tuple[List[str], Dict[str, List[str]]]:
    """The videos to convert and the split lists."""
    if csv_dir:
        splits = read_csv_splits(csv_dir, split)
    else:
        splits = read_bundle_splits(root, split)
    if splits:
        videos = list(dict.fromkeys(v for vs in splits.values() for v in vs))
        return videos, splits
    folder = osp.join(root, 'features')
    if not osp.isdir(folder):
        raise FileNotFoundError(f'{folder!r} is not a directory')
    videos = sorted(f[:-len('.npy')] for f in os.listdir(folder)
                    if f.endswith('.npy'))
    return videos, {}


def build_mapper(root: str, classes: Sequence[str], match_by: str,
                 class_map: Optional[str]) -> LabelMapper:
    """The label mapper of a release (reads ``mapping.txt`` if present)."""
    mapping_path = osp.join(root, 'mapping.txt')
    mapping = read_mapping(mapping_path) if osp.isfile(mapping_path) \
        else None
    if class_map and match_by != 'name':
        raise ConversionError('--class-map needs --match-by name')
    overrides = read_class_map(class_map) if class_map else {}
    return LabelMapper(classes, mapping, match_by, overrides, mapping_path)


def convert(root: str,
            dataset: str,
            split: int = 1,
            csv_dir: Optional[str] = None,
            labels: str = 'auto',
            match_by: str = 'name',
            class_map: Optional[str] = None,
            skip_bad: bool = False) -> Tuple[Dict, List[str], List[str]]:
    """Convert a prepared release.

    Args:
        root (str): The release folder (``features/``, ``groundTruth/`` or
            ``gt_arr/``, ``mapping.txt``, ``splits/``).
        dataset (str): ``pku``, ``lara``, ``mcfs22``, ``mcfs130`` or
            ``tcg``.
        split (int): Split number N of the bundles / CSVs. Defaults to 1.
        csv_dir (str, optional): Take the splits from
            ``{train,val,test}<N>.csv`` there instead of the bundles.
        labels (str): ``'auto'`` (``groundTruth`` if present, else
            ``gt_arr``), ``'groundTruth'`` or ``'gt_arr'``.
        match_by (str): ``'name'`` or ``'index'``.
        class_map (str, optional): Release name overrides (json / txt).
        skip_bad (bool): Leave out bad videos instead of raising.

    Returns:
        tuple: ``dict(split, classes, annotations)``, the bad videos as
        ``'path: reason'`` strings, and warnings.
    """
    if dataset not in DATASETS:
        raise ValueError(f'dataset must be one of {sorted(DATASETS)}, got '
                         f'{dataset!r}')
    if not osp.isdir(root):
        raise FileNotFoundError(f'{root!r} is not a directory')
    bank, _, num_joints, dims = DATASETS[dataset]
    classes = TextBank(bank).labels
    source = label_source(root, labels)
    mapper = build_mapper(root, classes, match_by, class_map)
    mapper.check_source(source)
    videos, splits = videos_and_splits(root, split, csv_dir)

    raw, bad = {}, []
    for video in videos:
        try:
            raw[video] = read_raw_labels(root, source, video)
        except PreparedFormatError as err:
            bad.append(str(err))
    if mapper.need_names_first(source == 'groundTruth'):
        seen = dict.fromkeys(n for _, names in raw.values() for n in names)
        mapper.learn_names(list(seen), f'{root}/groundTruth')

    annotations = []
    for video, (label_path, values) in raw.items():
        try:
            if source == 'gt_arr':
                ours = mapper.indices_to_ours(values, label_path)
            else:
                ours = mapper.names_to_ours(values, label_path)
            annotations.append(
                convert_video(root, dataset, video, label_path, ours, classes))
        except PreparedFormatError as err:
            bad.append(str(err))
    check_bad_inputs(bad, skip_bad)
    if not annotations:
        raise ConversionError(f'{root}: no video could be converted')
    data = dict(
        split=keep_converted(splits, annotations),
        classes=list(classes),
        annotations=annotations)
    if dims is None and annotations:
        dims = annotations[0]['keypoint'].shape[-1]
    check_segmentation_file(data, num_joints, dims)
    return data, bad, mapper.warnings


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert a prepared skeleton segmentation release '
        '(features/, groundTruth/ or gt_arr/, mapping.txt, splits/) to a '
        'SkeletonSegmentationDataset pkl')
    parser.add_argument('--root', required=True, help='the release folder')
    parser.add_argument('--dataset', required=True, choices=sorted(DATASETS))
    add_output_arguments(parser)
    parser.add_argument(
        '--split', type=int, default=1, help='split number N (default 1)')
    parser.add_argument(
        '--csv-dir',
        help='take the splits from {train,val,test}<N>.csv there (DeST / '
        'TRG-Net csv/<DATASET>) instead of splits/*.bundle')
    parser.add_argument(
        '--split-prefix',
        default='',
        help='prepended to the split names, e.g. "xsub_" for PKU-subject so '
        'that both PKU-MMD protocols can share the TRG-Net configs\' names '
        '(xsub_train, xview_test, ...)')
    parser.add_argument(
        '--labels',
        default='auto',
        choices=('auto', 'groundTruth', 'gt_arr'),
        help='label folder (auto: groundTruth if present, else gt_arr)')
    parser.add_argument(
        '--match-by',
        default='name',
        choices=('name', 'index'),
        help='map release classes to ours by name or by index')
    parser.add_argument(
        '--class-map',
        help='json {"release name": "our name" or index} or text lines '
        '"<release name> <our name>"')
    add_skip_bad_argument(parser, 'videos that cannot be converted')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        data, bad, warnings = convert(args.root, args.dataset, args.split,
                                      args.csv_dir, args.labels, args.match_by,
                                      args.class_map, args.skip_bad)
    except (ConversionError, PreparedFormatError, FileNotFoundError) as err:
        print(err, file=sys.stderr)
        return 1
    data['split'] = {
        args.split_prefix + name: members
        for name, members in data['split'].items()
    }
    for warning in warnings:
        print(f'warning: {warning}', file=sys.stderr)
    status = write_converted(
        data,
        args.out,
        bad, f'{len(data["annotations"])} videos ({len(bad)} bad), '
        f'{len(data["classes"])} classes',
        overwrite=args.overwrite)
    if status:
        return status
    if not data['split']:
        print('  no split lists found: every video is in the file '
              'without a split')
    return 0


if __name__ == '__main__':
    sys.exit(main())

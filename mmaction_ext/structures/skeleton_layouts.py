"""Skeleton layouts: joint names, trees, centres and body-part partitions.

Every layout is a tree over named joints in MMAction2's ``Graph`` form:
``inward`` edges ``(child, parent)`` (0-based) and a ``center`` joint, so
:meth:`SkeletonLayout.graph_layout` can be handed to
:class:`mmaction.models.utils.Graph` as a layout dict. The names a config
can use are the keys of :data:`SKELETON_LAYOUTS`; ``'nturgb+d'`` and
``'coco'`` are MMAction2's own graphs (same edges, same order).

Sources (0-based joint order of the official lists):

- NTU RGB+D / PKU-MMD: Kinect v2 ``JointType`` order, as in
  github.com/shahroudy/NTURGB-D ``Matlab/read_skeleton_file.m``.
- NW-UCLA: Kinect v1 ``JointType`` order (Kinect for Windows SDK 1.8).
- GAP's trees: github.com/MartinXM/GAP ``graph/ucla.py`` and
  ``graph/infogcn/ntu_rgb_d.py`` @ 5a7781ccec29.
- COCO-17: detectron2 ``COCO_PERSON_KEYPOINT_NAMES``; OpenPose BODY_25:
  CMU-Perceptual-Computing-Lab/openpose ``doc/02_output.md``.
- TRG-Net's trees (Ji et al., 2025; its own graph file is not published):
  github.com/HaoyuJi/LaSA @ d3855e67a2d3 (NTU, LARa, BODY_25) and
  github.com/HIT-ZhihaoYang/TMD ``libs/models/graph/graph.py`` @
  54c1d0761b59 (TCG). LARa names are LaSA's ``text/joints/detail/LARA.txt``
  (it names two joints "Neck"); TCG names are inferred (no public list).
"""
from typing import Dict, List, NamedTuple, Sequence, Tuple, Union

import numpy as np

Edges = Tuple[Tuple[int, int], ...]


class SkeletonLayout(NamedTuple):
    """A skeleton: joint names and a tree over them.

    Attributes:
        joints (tuple[str]): Joint names, in the data's joint order.
        inward (tuple[tuple[int, int]]): Tree edges ``(child, parent)``,
            0-based; the order is kept as published.
        center (int): The centre joint of MMAction2's spatial partitioning.
    """
    joints: Tuple[str, ...]
    inward: Edges
    center: int

    @property
    def num_node(self) -> int:
        return len(self.joints)

    @property
    def outward(self) -> Edges:
        """Edges ``(parent, child)``, in the order of :attr:`inward`."""
        return tuple((j, i) for i, j in self.inward)

    @property
    def parents(self) -> Tuple[int, ...]:
        """Parent of every joint, -1 for the root."""
        parents = [-1] * self.num_node
        for child, parent in self.inward:
            parents[child] = parent
        return tuple(parents)

    def graph_layout(self) -> Dict:
        """This layout as a ``layout`` dict of MMAction2's ``Graph``."""
        return dict(
            num_node=self.num_node,
            inward=[tuple(e) for e in self.inward],
            center=self.center)


def _one_based(pairs) -> Edges:
    return tuple((i - 1, j - 1) for i, j in pairs)


NTU25_JOINTS = ('SpineBase', 'SpineMid', 'Neck', 'Head', 'ShoulderLeft',
                'ElbowLeft', 'WristLeft', 'HandLeft', 'ShoulderRight',
                'ElbowRight', 'WristRight', 'HandRight', 'HipLeft', 'KneeLeft',
                'AnkleLeft', 'FootLeft', 'HipRight', 'KneeRight', 'AnkleRight',
                'FootRight', 'SpineShoulder', 'HandTipLeft', 'ThumbLeft',
                'HandTipRight', 'ThumbRight')
UCLA20_JOINTS = ('HipCenter', 'Spine', 'ShoulderCenter', 'Head',
                 'ShoulderLeft', 'ElbowLeft', 'WristLeft', 'HandLeft',
                 'ShoulderRight', 'ElbowRight', 'WristRight', 'HandRight',
                 'HipLeft', 'KneeLeft', 'AnkleLeft', 'FootLeft', 'HipRight',
                 'KneeRight', 'AnkleRight', 'FootRight')
COCO17_JOINTS = ('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
                 'left_shoulder', 'right_shoulder', 'left_elbow',
                 'right_elbow', 'left_wrist', 'right_wrist', 'left_hip',
                 'right_hip', 'left_knee', 'right_knee', 'left_ankle',
                 'right_ankle')
BODY25_JOINTS = ('Nose', 'Neck', 'RShoulder', 'RElbow', 'RWrist', 'LShoulder',
                 'LElbow', 'LWrist', 'MidHip', 'RHip', 'RKnee', 'RAnkle',
                 'LHip', 'LKnee', 'LAnkle', 'REye', 'LEye', 'REar', 'LEar',
                 'LBigToe', 'LSmallToe', 'LHeel', 'RBigToe', 'RSmallToe',
                 'RHeel')
LARA19_JOINTS = ('Spine Base (Middle Hip)', 'Right Hip', 'Right Knee',
                 'Right Ankle', 'Right Foot', 'Left Hip', 'Left Knee',
                 'Left Ankle', 'Left Foot', 'Spine Mid', 'Head', 'Neck',
                 'Right Shoulder', 'Right Elbow', 'Right Wrist', 'Neck',
                 'Left Shoulder', 'Left Elbow', 'Left Wrist')
TCG17_JOINTS = ('Chest', 'Head', 'Hips', 'Left Arm', 'Left Foot',
                'Left Fore Arm', 'Left Hand', 'Left Leg', 'Left Up Leg',
                'Neck', 'Right Arm', 'Right Foot', 'Right Fore Arm',
                'Right Hand', 'Right Leg', 'Right Up Leg', 'Spine')

# yapf: disable
SKELETON_LAYOUTS: Dict[str, SkeletonLayout] = {
    # MMAction2's NTU graph (ST-GCN's), centred on SpineShoulder.
    'nturgb+d': SkeletonLayout(NTU25_JOINTS, _one_based((
        (1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6), (8, 7),
        (9, 21), (10, 9), (11, 10), (12, 11), (13, 1), (14, 13), (15, 14),
        (16, 15), (17, 1), (18, 17), (19, 18), (20, 19), (22, 8), (23, 8),
        (24, 12), (25, 12))), 20),
    # GAP's k-hop tree: InfoGCN's NTU tree rooted at SpineMid (fingers chained
    # HandTip -> Thumb -> Hand).
    'nturgb+d_infogcn': SkeletonLayout(NTU25_JOINTS, tuple(
        (c - 1, p - 1) for p, c in (
            (2, 1), (2, 21), (21, 3), (3, 4), (21, 5), (5, 6), (6, 7),
            (7, 8), (8, 23), (23, 22), (21, 9), (9, 10), (10, 11), (11, 12),
            (12, 25), (25, 24), (1, 13), (13, 14), (14, 15), (15, 16),
            (1, 17), (17, 18), (18, 19), (19, 20))), 1),
    # LaSA's NTU / PKU-MMD tree rooted at SpineBase (thumbs on the wrists).
    'nturgb+d_lasa': SkeletonLayout(NTU25_JOINTS, (
        (12, 0), (13, 12), (14, 13), (15, 14), (16, 0), (17, 16), (18, 17),
        (19, 18), (1, 0), (20, 1), (2, 20), (3, 2), (4, 20), (5, 4), (6, 5),
        (7, 6), (21, 7), (22, 6), (8, 20), (9, 8), (10, 9), (11, 10),
        (24, 10), (23, 11)), 0),
    'nwucla': SkeletonLayout(UCLA20_JOINTS, (
        (0, 1), (1, 2), (3, 2), (4, 2), (5, 4), (6, 5), (7, 6), (8, 2),
        (9, 8), (10, 9), (11, 10), (12, 0), (13, 12), (14, 13), (15, 14),
        (16, 0), (17, 16), (18, 17), (19, 18)), 2),
    # MMAction2's COCO graph, centred on the nose.
    'coco': SkeletonLayout(COCO17_JOINTS, (
        (15, 13), (13, 11), (16, 14), (14, 12), (11, 5), (12, 6), (9, 7),
        (7, 5), (10, 8), (8, 6), (5, 0), (6, 0), (1, 0), (3, 1), (2, 0),
        (4, 2)), 0),
    'openpose_body25': SkeletonLayout(BODY25_JOINTS, _one_based((
        (2, 9), (1, 2), (16, 1), (18, 16), (17, 1), (19, 17), (6, 2),
        (7, 6), (8, 7), (3, 2), (4, 3), (5, 4), (10, 9), (11, 10), (12, 11),
        (25, 12), (23, 12), (24, 23), (13, 9), (14, 13), (15, 14), (22, 15),
        (20, 15), (21, 20))), 8),
    'lara': SkeletonLayout(LARA19_JOINTS, (
        (1, 0), (2, 1), (3, 2), (4, 3), (5, 0), (6, 5), (7, 6), (8, 7),
        (9, 0), (10, 9), (11, 9), (12, 10), (13, 12), (14, 13), (15, 9),
        (16, 15), (17, 16), (18, 17)), 0),
    # TMD's tree (HyperSeg hangs the arms from joint 9 instead of 0); the
    # pelvis (2) is the root TRG-Net subtracts.
    'tcg17': SkeletonLayout(TCG17_JOINTS, (
        (16, 2), (0, 16), (9, 0), (1, 9), (3, 0), (5, 3), (6, 5), (10, 0),
        (12, 10), (13, 12), (8, 2), (7, 8), (4, 7), (15, 2), (14, 15),
        (11, 14)), 2),
}
# yapf: enable


def get_layout(layout: Union[str, Dict]) -> SkeletonLayout:
    """A layout by name, or from MMAction2's dict form.

    Args:
        layout (str | dict): A key of :data:`SKELETON_LAYOUTS` or
            ``dict(num_node=V, inward=[(child, parent), ...], center=c)``.

    Returns:
        SkeletonLayout: The layout (joints of a dict are named by index).
    """
    if isinstance(layout, dict):
        missing = {'num_node', 'inward', 'center'} - set(layout)
        if missing:
            raise KeyError(f'layout dict {layout} lacks {sorted(missing)}')
        return SkeletonLayout(
            tuple(str(i) for i in range(layout['num_node'])),
            tuple(tuple(e) for e in layout['inward']), layout['center'])
    if layout not in SKELETON_LAYOUTS:
        raise KeyError(f'unknown skeleton layout {layout!r}; choose from '
                       f'{sorted(SKELETON_LAYOUTS)} or give dict(num_node, '
                       'inward, center)')
    return SKELETON_LAYOUTS[layout]


# GAP's modality graph A per layout name: (tree, direction), A[i, j] = 1 for
# every (i, j) of the direction's edges. NTU: A[child, parent], so row i of
# (I - A^k) X is x_i minus its k-th ancestor (k=1 gives bones). NW-UCLA: the
# official code uses A[parent, child], so row p is x_p minus the sum of its
# depth-k descendants; a quirk, kept because it produced the published
# numbers.
K_HOP_GRAPHS = {
    'nturgb+d': ('nturgb+d_infogcn', 'inward'),
    'nwucla': ('nwucla', 'outward'),
}


def k_hop_graph_edges(layout: Union[str, Dict]) -> Tuple[int, Edges]:
    """Joints and (row, column) entries of GAP's graph A for a layout.

    Args:
        layout (str | dict): A key of :data:`K_HOP_GRAPHS` or of
            :data:`SKELETON_LAYOUTS` (its inward edges), or
            ``dict(num_joints=V, edges=[(row, column), ...])``.

    Returns:
        tuple[int, tuple]: V and the entries of A.
    """
    if isinstance(layout, dict):
        return layout['num_joints'], tuple(layout['edges'])
    name, direction = K_HOP_GRAPHS.get(layout, (layout, 'inward'))
    skeleton = get_layout(name)
    return skeleton.num_node, getattr(skeleton, direction)


def k_hop_difference_matrix(num_joints: int, edges: Sequence[Tuple[int, int]],
                            k: int) -> np.ndarray:
    """``I - A^k`` (V, V) for the binary graph with entries ``edges``."""
    adjacency = np.zeros((num_joints, num_joints))
    for row, column in edges:
        adjacency[row, column] = 1
    return np.eye(num_joints) - np.linalg.matrix_power(adjacency, k)


# Body-part partitions. A partition is a list of parts, each with a
# ``name``, the 0-based ``joints`` pooled for it and the bank part ``texts``
# its prompt is composed from. The ``*_4`` partitions of NTU RGB+D and
# NW-UCLA are the official GAP code's (joint and bone streams differ); the 2-
# and 6-part ones and the COCO-17 ones follow the GAP paper's Figure 3.
HEAD, HAND_ARM, HIP, LEG_FOOT = (['head'], ['hand',
                                            'arm'], ['hip'], ['leg', 'foot'])
UPPER, LOWER = ['head', 'hand', 'arm'], ['hip', 'leg', 'foot']


def _parts(names, texts, joint_lists) -> List[Dict]:
    return [
        dict(name=n, texts=t, joints=list(j))
        for n, t, j in zip(names, texts, joint_lists)
    ]


def _four(head, hand, hip, foot):
    return _parts(['head', 'hand', 'hip', 'foot'],
                  [HEAD, HAND_ARM, HIP, LEG_FOOT], [head, hand, hip, foot])


def _two(upper, lower):
    return _parts(['upper', 'lower'], [UPPER, LOWER], [upper, lower])


def _six(head, hand, arm, hip, leg, foot):
    names = ['head', 'hand', 'arm', 'hip', 'leg', 'foot']
    return _parts(names, [[n] for n in names],
                  [head, hand, arm, hip, leg, foot])


R = range
# yapf: disable
PARTITIONS: Dict[str, Dict] = {
    'ntu_joint_4': dict(layout='nturgb+d', num_joints=25, parts=_four(
        [2, 3, 20], [*R(4, 12), 21, 22, 23, 24], [0, 1, 2, 12, 16],
        R(12, 20))),
    'ntu_bone_4': dict(layout='nturgb+d', num_joints=25, parts=_four(
        [2, 3], [*R(4, 12), 20, 22, 23, 24], [0, 1, 12, 16], R(12, 20))),
    'ntu_2': dict(layout='nturgb+d', num_joints=25, parts=_two(
        [*R(1, 12), *R(20, 25)], [0, *R(12, 20)])),
    'ntu_6': dict(layout='nturgb+d', num_joints=25, parts=_six(
        [2, 3], [6, 7, 10, 11, *R(21, 25)], [4, 5, 8, 9], [0, 12, 16],
        [13, 17], [14, 15, 18, 19])),
    'ucla_joint_4': dict(layout='nwucla', num_joints=20, parts=_four(
        [2, 3], [10, 11, 6, 7, 8, 9, 4, 5], [0, 1, 12, 16],
        [*R(16, 20), *R(12, 16)])),
    'ucla_bone_4': dict(layout='nwucla', num_joints=20, parts=_four(
        [2], [*R(7, 11), *R(3, 7)], [0, 1, 11, 15], R(11, 19))),
    'ucla_2': dict(layout='nwucla', num_joints=20, parts=_two(
        R(1, 12), [0, *R(12, 20)])),
    'ucla_6': dict(layout='nwucla', num_joints=20, parts=_six(
        [2, 3], [6, 7, 10, 11], [4, 5, 8, 9], [0, 12, 16], [13, 17],
        [14, 15, 18, 19])),
    'coco_2': dict(layout='coco', num_joints=17, parts=_two(
        R(0, 11), R(11, 17))),
    'coco_4': dict(layout='coco', num_joints=17, parts=_four(
        R(0, 5), R(5, 11), [11, 12], R(13, 17))),
    'coco_6': dict(layout='coco', num_joints=17, parts=_six(
        R(0, 5), [9, 10], [5, 6, 7, 8], [11, 12], [13, 14], [15, 16])),
}
# yapf: enable

"""Body-part partitions: joint groups per layout and the text of each part.

A partition is a list of parts; each part has a ``name``, the 0-based
``joints`` pooled for it and the bank ``texts`` (part descriptions) its
prompt is composed from. The ``*_4`` partitions of NTU RGB+D and NW-UCLA are
the official GAP code's (joint and bone streams differ); the 2- and 6-part
ones and the COCO-17 ones follow the paper's Figure 3 on those layouts.
"""
import copy
from typing import Dict, List, Sequence

HEAD, HAND_ARM, HIP, LEG_FOOT = (['head'], ['hand',
                                            'arm'], ['hip'], ['leg', 'foot'])
UPPER, LOWER = ['head', 'hand', 'arm'], ['hip', 'leg', 'foot']


def _parts(names, texts, joint_lists):
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
PARTITIONS: Dict[str, Dict] = {
    # NTU RGB+D 25 joints (Kinect v2 order).
    'ntu_joint_4':
    dict(
        num_joints=25,
        parts=_four([2, 3, 20], [*R(4, 12), 21, 22, 23, 24], [0, 1, 2, 12, 16],
                    R(12, 20))),
    'ntu_bone_4':
    dict(
        num_joints=25,
        parts=_four([2, 3], [*R(4, 12), 20, 22, 23, 24], [0, 1, 12, 16],
                    R(12, 20))),
    'ntu_2':
    dict(num_joints=25, parts=_two([*R(1, 12), *R(20, 25)], [0, *R(12, 20)])),
    'ntu_6':
    dict(
        num_joints=25,
        parts=_six([2, 3], [6, 7, 10, 11, *R(21, 25)], [4, 5, 8, 9],
                   [0, 12, 16], [13, 17], [14, 15, 18, 19])),
    # NW-UCLA 20 joints (Kinect v1 order).
    'ucla_joint_4':
    dict(
        num_joints=20,
        parts=_four([2, 3], [10, 11, 6, 7, 8, 9, 4, 5], [0, 1, 12, 16],
                    [*R(16, 20), *R(12, 16)])),
    'ucla_bone_4':
    dict(
        num_joints=20,
        parts=_four([2], [*R(7, 11), *R(3, 7)], [0, 1, 11, 15], R(11, 19))),
    'ucla_2': dict(
        num_joints=20, parts=_two(R(1, 12), [0, *R(12, 20)])),
    'ucla_6': dict(
        num_joints=20,
        parts=_six([2, 3], [6, 7, 10, 11], [4, 5, 8, 9], [0, 12, 16],
                   [13, 17], [14, 15, 18, 19])),
    # COCO 17 keypoints.
    'coco_2':
    dict(num_joints=17, parts=_two(R(0, 11), R(11, 17))),
    'coco_4':
    dict(num_joints=17, parts=_four(R(0, 5), R(5, 11), [11, 12], R(13, 17))),
    'coco_6':
    dict(
        num_joints=17,
        parts=_six(
            R(0, 5), [9, 10], [5, 6, 7, 8], [11, 12], [13, 14], [15, 16])),
}


def build_partition(partition, num_joints: int = None) -> List[Dict]:
    """Parts of a named or explicit partition, checked against the layout.

    Args:
        partition (str | list[dict]): A key of :data:`PARTITIONS` or a list
            of ``dict(name, texts, joints)``.
        num_joints (int, optional): Joints V of the backbone's layout.

    Returns:
        list[dict]: The parts, each ``dict(name, texts, joints)``.
    """
    if isinstance(partition, str):
        if partition not in PARTITIONS:
            raise KeyError(f'unknown partition {partition!r}; choose from '
                           f'{sorted(PARTITIONS)} or give a list of parts')
        preset = PARTITIONS[partition]
        if num_joints is not None and preset['num_joints'] != num_joints:
            raise ValueError(
                f'partition {partition!r} is for {preset["num_joints"]} '
                f'joints, the backbone layout has {num_joints}')
        parts = copy.deepcopy(preset['parts'])
    else:
        parts = copy.deepcopy(list(partition))
    for part in parts:
        missing = {'name', 'texts', 'joints'} - set(part)
        if missing:
            raise ValueError(f'part {part} lacks {sorted(missing)}')
        joints: Sequence[int] = part['joints']
        if not joints:
            raise ValueError(f'part {part["name"]!r} has no joints')
        bad = [
            j for j in joints
            if j < 0 or (num_joints is not None and j >= num_joints)
        ]
        if bad:
            raise ValueError(f'part {part["name"]!r} has joint indices '
                             f'{bad} outside the layout of {num_joints} '
                             'joints')
    return parts

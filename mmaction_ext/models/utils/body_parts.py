"""Build a body-part partition, checked against the backbone's layout.

The preset partitions live with the skeleton layouts in
:data:`mmaction_ext.structures.skeleton_layouts.PARTITIONS`.
"""
import copy
from typing import Dict, List, Sequence

from mmaction_ext.structures.skeleton_layouts import PARTITIONS


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

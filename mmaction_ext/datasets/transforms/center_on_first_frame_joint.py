from typing import Dict

from mmcv.transforms import BaseTransform

from mmaction.registry import TRANSFORMS


@TRANSFORMS.register_module()
class CenterOnFirstFrameJoint(BaseTransform):
    """Translate a clip so that one joint of the first frame is the origin.

    The first step of the official CTR-GCN / GAP NW-UCLA feeder
    (``feeder_ucla.py``): ``value - value[0, 1, :]``, i.e. joint 1 (0-based)
    of frame 0 becomes (0, 0, 0). One translation is used for the whole
    clip and all persons, taken from person ``person``.

    Required keys: ``keypoint`` (M, T, V, C). Modified: ``keypoint``.

    Args:
        joint (int): 0-based joint index. Defaults to 1 (NW-UCLA: the
            official feeder's centre).
        person (int): Person whose joint is used. Defaults to 0.
    """

    def __init__(self, joint: int = 1, person: int = 0) -> None:
        self.joint = joint
        self.person = person

    def transform(self, results: Dict) -> Dict:
        keypoint = results['keypoint']
        center = keypoint[self.person, 0, self.joint].copy()
        results['keypoint'] = (keypoint - center).astype(keypoint.dtype)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(joint={self.joint}, '
                f'person={self.person})')

"""mmaction_ext.fileio.safe_load: plain data loads, code never runs."""
import pickle

import mmengine
import numpy as np
import pytest
import torch

from mmaction_ext.datasets.synthetic_skeletons import make_pose_annotations
from mmaction_ext.fileio import (CorruptFileError, UnsafePickleError,
                                 safe_load, safe_load_npy)


class Payload:
    """Creates ``marker`` when unpickled by a plain unpickler."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return exec, (f'open({self.marker!r}, "w").close()', )


def write_payload(path, marker, wrap=lambda p: [p]):
    with open(path, 'wb') as f:
        pickle.dump(wrap(Payload(marker)), f)
    return str(path)


def test_plain_pickle_would_run_the_payload(tmp_path):
    """The payload is real: plain pickle runs it."""
    marker = tmp_path / 'ran'
    with open(write_payload(tmp_path / 'x.pkl', marker), 'rb') as f:
        pickle.load(f)
    assert marker.exists()


def test_payload_is_refused_and_not_run(tmp_path):
    marker = tmp_path / 'ran'
    path = write_payload(tmp_path / 'x.pkl', marker)
    with pytest.raises(UnsafePickleError, match=r'x\.pkl.*builtins\.exec'):
        safe_load(path)
    assert not marker.exists()


@pytest.mark.parametrize('protocol', [2, 4, 5])
def test_dump_contents_round_trip(tmp_path, protocol):
    data = [
        dict(
            pred_score=torch.randn(5),
            gt_label=torch.tensor([3]),
            mask=torch.zeros(2, dtype=torch.bool),
            shape=torch.Size([2, 3]),
            dtype=torch.float16,
            frame_dir='S001',
            keypoint=np.random.rand(1, 4, 3, 2).astype(np.float32),
            labels=np.arange(4),
            scalar=np.float64(0.5),
            img_shape=(1080, 1920),
            tags={'a', 'b'})
    ]
    path = tmp_path / 'dump.pkl'
    path.write_bytes(pickle.dumps(data, protocol=protocol))
    loaded = safe_load(str(path))
    for key, value in data[0].items():
        got = loaded[0][key]
        if isinstance(value, (torch.Tensor, np.ndarray)):
            assert type(got) is type(value) and got.dtype == value.dtype
            assert (np.asarray(got) == np.asarray(value)).all()
        else:
            assert got == value


def test_annotation_file_loads_like_mmengine(tmp_path):
    data = make_pose_annotations('nturgb+d', num_subjects=2, seed=0)
    path = str(tmp_path / 'ann.pkl')
    mmengine.dump(data, path)
    loaded = safe_load(path)
    assert loaded['split'] == data['split']
    first, same = data['annotations'][0], loaded['annotations'][0]
    assert set(first) == set(same)
    assert np.array_equal(first['keypoint'], same['keypoint'])


def test_truncated_file_names_the_path(tmp_path):
    path = tmp_path / 'cut.pkl'
    mmengine.dump([dict(a=np.zeros(100))], str(path))
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(CorruptFileError, match=r'cut\.pkl: truncated'):
        safe_load(str(path))


def test_npy_object_array_loads_without_code(tmp_path):
    poses = np.empty(2, dtype=object)
    poses[0], poses[1] = np.zeros((3, 2)), np.ones((5, 2))
    path = str(tmp_path / 'poses.npy')
    np.save(path, poses, allow_pickle=True)
    loaded = safe_load_npy(path)
    assert loaded.shape == (2, ) and loaded[1].shape == (5, 2)
    np.save(path, np.arange(6.).reshape(2, 3))
    assert safe_load_npy(path).tolist() == [[0, 1, 2], [3, 4, 5]]
    marker = tmp_path / 'ran'
    evil = np.empty(1, dtype=object)
    evil[0] = Payload(marker)
    np.save(path, evil, allow_pickle=True)
    with pytest.raises(UnsafePickleError, match=r'poses\.npy.*exec'):
        safe_load_npy(path)
    assert not marker.exists()

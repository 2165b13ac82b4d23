"""SAGE features: motion features against a plain loop, the CLIP region
feature precompute (tiny random CLIP from a local folder, real decoded
clips), its resume / refusal guarantees, the embedded synthetic set."""
import importlib.util
import json
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope

import mmaction_ext  # noqa: F401
from mmaction.registry import DATASETS
from mmaction_ext.datasets.synthetic_vidvrd import (make_synthetic_vidvrd,
                                                    save_tiny_clip)
from mmaction_ext.datasets.vidvrd_annotation import VidVRDFormatError
from mmaction_ext.datasets.vidvrd_feature_extraction import \
    extract_dataset_features
from mmaction_ext.datasets.vidvrd_features import (MOTION_DIMS, VideoFeatures,
                                                   motion_features)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
init_default_scope('mmaction')


def plain_motion(s, o, w, h):
    """The documented 17 values for one frame, written out."""
    ws, hs = s[2] - s[0] + 1, s[3] - s[1] + 1
    wo, ho = o[2] - o[0] + 1, o[3] - o[1] + 1
    rel = [((o[0] + o[2]) / 2 - (s[0] + s[2]) / 2) / ws,
           ((o[1] + o[3]) / 2 - (s[1] + s[3]) / 2) / hs,
           np.log(wo / ws),
           np.log(ho / hs)]
    iw = max(0, min(s[2], o[2]) - max(s[0], o[0]) + 1)
    ih = max(0, min(s[3], o[3]) - max(s[1], o[1]) + 1)
    iou = iw * ih / (ws * hs + wo * ho - iw * ih)
    return [
        s[0] / w, s[1] / h, s[2] / w, s[3] / h, o[0] / w, o[1] / h, o[2] / w,
        o[3] / h
    ] + rel + [iou]


def test_motion_features_equal_a_plain_loop():
    rng = np.random.default_rng(0)
    corners = rng.uniform(0, 60, (3, 5, 2, 2))
    subject = np.concatenate([corners.min(2), corners.max(2)], -1)
    corners = rng.uniform(0, 60, (3, 5, 2, 2))
    obj = np.concatenate([corners.min(2), corners.max(2)], -1)
    mask = rng.random((3, 5)) < .7
    subject[~mask] = np.nan  # absent boxes never leak in
    got = motion_features(subject, obj, mask, 64, 48)
    assert got.shape == (3, 5, MOTION_DIMS) and got.dtype == np.float32
    for p in range(3):
        previous = None
        for t in range(5):
            if not mask[p, t]:
                assert not got[p, t].any()
                previous = None
                continue
            values = plain_motion(subject[p, t], obj[p, t], 64, 48)
            change = [0.] * 4 if previous is None else [
                a - b for a, b in zip(values[8:12], previous)
            ]
            np.testing.assert_allclose(got[p, t], values + change, 1e-5, 1e-6)
            previous = values[8:12]


@pytest.fixture(scope='module')
def synthetic(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthetic')
    splits = make_synthetic_vidvrd(
        str(root), seed=3, num_train=1, num_test=1, num_frames=30, width=64)
    clip = save_tiny_clip(str(root / 'clip'), dims=16)
    return root, splits, clip


def full_frame_annotation(root, video_id):
    """The synthetic video with objects: the whole frame (tid 0), a box
    (tid 1) and the same box again (tid 2)."""
    with open(osp.join(root, 'annotations', 'train', f'{video_id}.json')) as f:
        anno = json.load(f)
    w, h = anno['width'], anno['height']
    boxes = {0: [0, 0, w - 1, h - 1], 1: [4, 5, 30, 20], 2: [4, 5, 30, 20]}
    anno['subject/objects'] = [dict(tid=t, category='dog') for t in boxes]
    anno['trajectories'] = [[
        dict(tid=t, bbox=dict(zip(('xmin', 'ymin', 'xmax', 'ymax'), b)))
        for t, b in boxes.items()
    ] for _ in range(anno['frame_count'])]
    anno['relation_instances'] = []
    return anno


def dataset_of(root, anno_dir, features, **kwargs):
    return DATASETS.build(
        dict(
            type='VidVRDSegmentDataset',
            ann_file=str(anno_dir),
            pipeline=[],
            data_prefix=dict(
                video=str(root / 'videos'), features=str(features)),
            serialize_data=False,
            **kwargs))


def test_region_features_of_known_boxes(synthetic, tmp_path):
    root, splits, clip = synthetic
    vid = splits['train'][0]
    folder = tmp_path / 'anno'
    folder.mkdir()
    (folder / f'{vid}.json').write_text(
        json.dumps(full_frame_annotation(root, vid)))
    dataset = dataset_of(root, folder, tmp_path / 'f1')
    summary = extract_dataset_features(
        dataset, clip, short_side=32, roi_size=2, progress=False)
    assert summary == dict(videos=1, written=1, kept=0)
    feats = VideoFeatures(str(tmp_path / 'f1' / f'{vid}.npz'), vid)
    assert feats.dims == 16
    assert feats.frame_ids.tolist() == [1, 5, 9, 13, 16, 20, 24, 28]
    whole = feats.object_feats[feats.object_rows[0]].astype(np.float32)
    frame = feats.frame_feats.astype(np.float32)
    np.testing.assert_allclose(whole, frame, atol=2e-3)  # float16 storage
    assert np.abs(frame[0] - frame[-1]).max() > 1e-2  # frames differ
    one = feats.object_feats[feats.object_rows[1]]
    two = feats.object_feats[feats.object_rows[2]]
    pair = feats.pair_tids.tolist().index([1, 2])
    union = feats.union_feats[feats.union_rows[pair]]
    assert np.array_equal(one, two) and np.array_equal(one, union)
    # encoder batches of one frame give the same features
    extract_dataset_features(
        dataset_of(root, folder, tmp_path / 'f2'),
        clip,
        short_side=32,
        roi_size=2,
        batch_frames=1,
        progress=False)
    other = VideoFeatures(str(tmp_path / 'f2' / f'{vid}.npz'), vid)
    for q in range(len(feats.pair_tids)):
        np.testing.assert_allclose(
            other.union_feats[other.union_rows[q]].astype(np.float32),
            feats.union_feats[feats.union_rows[q]].astype(np.float32),
            atol=2e-3)
    np.testing.assert_allclose(other.frame_feats, feats.frame_feats, atol=2e-3)


def test_resume_and_refusal(synthetic, tmp_path):
    root, splits, clip = synthetic
    anno_dir = root / 'annotations' / 'test'
    out = tmp_path / 'features'
    dataset = dataset_of(root, anno_dir, out, test_mode=True)
    kwargs = dict(short_side=32, roi_size=2, progress=False)
    assert extract_dataset_features(dataset, clip, **kwargs)['written'] == 1
    path = out / f'{splits["test"][0]}.npz'
    stamp = os.stat(path).st_mtime_ns
    assert extract_dataset_features(dataset, clip, **kwargs)['kept'] == 1
    with pytest.raises(VidVRDFormatError, match='other settings'):
        extract_dataset_features(
            dataset, clip, short_side=32, roi_size=3, progress=False)
    assert os.stat(path).st_mtime_ns == stamp
    # the samples load through the transform
    from mmaction_ext.datasets.transforms import LoadVidVRDSegmentFeatures
    results = LoadVidVRDSegmentFeatures(feature_dims=16)(
        dataset.get_data_info(0))
    assert results['subject_feats'].shape[-1] == 16


def test_video_problems_name_the_video(synthetic, tmp_path):
    root, splits, clip = synthetic
    vid = splits['train'][0]
    anno = full_frame_annotation(root, vid)
    anno['width'] += 2
    folder = tmp_path / 'anno'
    folder.mkdir()
    (folder / f'{vid}.json').write_text(json.dumps(anno))
    dataset = dataset_of(root, folder, tmp_path / 'f')
    with pytest.raises(
            VidVRDFormatError,
            match=f"video '{vid}'.*annotation width/height"):
        extract_dataset_features(dataset, clip, progress=False)
    anno['width'] -= 2
    anno['frame_count'] = 50  # the video has 30
    anno['trajectories'] += anno['trajectories'][:20]
    (folder / f'{vid}.json').write_text(json.dumps(anno))
    with pytest.raises(
            VidVRDFormatError,
            match=f"'{vid}'.* has 30 frames, the samples need "
            'frame 43'):
        extract_dataset_features(
            dataset_of(root, folder, tmp_path / 'f'), clip, progress=False)
    dataset.data_list[0]['video_path'] = str(tmp_path / 'nope.mp4')
    dataset.data_list[0]['frame_count'] = 30
    with pytest.raises(FileNotFoundError, match=f"'{vid}': no video file"):
        extract_dataset_features(dataset, clip, progress=False)
    assert not os.listdir(tmp_path / 'f')


def test_synthetic_set_is_reproducible_and_valid(synthetic, tmp_path):
    root, splits, _ = synthetic
    again = make_synthetic_vidvrd(
        str(tmp_path),
        seed=3,
        num_train=1,
        num_test=1,
        num_frames=30,
        width=64)
    assert again == splits
    for split, vids in splits.items():
        for vid in vids:
            name = osp.join('annotations', split, f'{vid}.json')
            assert open(root / name).read() == open(tmp_path / name).read()
    with pytest.raises(FileExistsError, match='not replacing'):
        make_synthetic_vidvrd(str(tmp_path), seed=3)
    import decord
    reader = decord.VideoReader(str(root / 'videos' / f'{vid}.mp4'))
    assert len(reader) == 30 and reader[0].shape[1] == 64
    from mmaction_ext.datasets.vidvrd_annotation import load_video_annotation
    from mmaction_ext.datasets.vidvrd_classes import load_vocabulary
    anno = load_video_annotation(str(root / name), load_vocabulary('vidvrd'))
    assert anno.relations and anno.frame_count == 30


def test_tool_extracts_a_config_dataset(synthetic, tmp_path, capsys):
    root, splits, clip = synthetic
    spec = importlib.util.spec_from_file_location(
        'extract_features',
        osp.join(ROOT, 'tools', 'sage', 'extract_features.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    config = tmp_path / 'config.py'
    config.write_text(
        f"_base_ = ['{ROOT}/configs/sage/_base_/datasets/"
        "synthetic_vidvrd.py']\n"
        f"train_dataloader = dict(dataset=dict(ann_file='{root}/annotations"
        f"/train', data_prefix=dict(video='{root}/videos', features="
        f"'{tmp_path}/features')))\n")
    args = [str(config), '--clip', clip, '--short-side', '32']
    assert tool.main(args) == 0
    assert '1 videos: 1 written, 0 already done' in capsys.readouterr().out
    assert tool.run_tool(lambda: tool.main(args + ['--roi-size', '2'])) == 1
    assert 'other settings' in capsys.readouterr().err
    assert tool.run_tool(
        lambda: tool.main(args + ['--videos', 'unknown'])) == 1
    assert "videos ['unknown'] are not in" in capsys.readouterr().err


def test_embedded_data_tool_to_a_training_batch(tmp_path, capsys):
    from mmengine.config import Config
    from mmengine.runner import Runner
    spec = importlib.util.spec_from_file_location(
        'make_synthetic_vidvrd',
        osp.join(ROOT, 'tools', 'sage', 'make_synthetic_vidvrd.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = str(tmp_path / 'sage')
    assert tool.main(
        [out, '--num-train', '1', '--num-test', '1', '--num-frames',
         '45']) == 0
    assert '1 train and 1 test videos' in capsys.readouterr().out
    assert tool.run_tool(lambda: tool.main([out])) == 1
    assert 'not replacing' in capsys.readouterr().err
    cfg = Config.fromfile(tool.CONFIG)
    for split in ('train', 'test'):
        cfg.merge_from_dict(tool.dataset_overrides(out, split))
    batch = next(iter(Runner.build_dataloader(cfg.train_dataloader, seed=0)))
    inputs, samples = batch['inputs'], batch['data_samples']
    assert len(inputs['subject_feats']) == len(samples) == 2  # 2 segments
    for feats, sample in zip(inputs['subject_feats'], samples):
        assert feats.shape == (len(sample.pair_tids), 8, 32)
        assert sample.relation_targets.shape[1] == 71  # base predicates
    test = Runner.build_dataloader(cfg.test_dataloader, seed=0).dataset
    first = test[0]['data_samples']
    assert first.gt_relations and first.relation_targets.shape[1] == 132

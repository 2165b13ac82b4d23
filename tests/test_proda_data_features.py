"""CLIP RoI node features (tools/proda/extract_node_features.py) with a tiny
random CLIP saved to a folder and tiny mp4 files written here."""
import os
import os.path as osp
import sys

import cv2
import mmengine
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

import mmaction_ext  # noqa: F401
from mmaction_ext.datasets.node_feature_cache import read_node_features
from mmaction_ext.models.text_encoders import CLIPVisionEncoder
from mmaction_ext.ops import roi_align
from mmaction_ext.utils import BadInputError

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tools', 'proda'))
import extract_node_features as tool  # noqa: E402

HEIGHT, WIDTH, FRAMES = 48, 64, 12


def frame_image(index):
    """A frame with structure, different per index (RGB uint8)."""
    y, x = np.mgrid[:HEIGHT, :WIDTH]
    return np.stack([(x * 4 + index * 20) % 256, (y * 5) % 256,
                     ((x + y) * 3 + index * 7) % 256], -1).astype(np.uint8)


def video_entry(video_id, frame_inds):
    rng = np.random.default_rng(len(video_id) + frame_inds[0])
    k = len(frame_inds)
    xy = rng.uniform(0, 30, (k, 3, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(8, 18, (k, 3, 2))], -1)
    mask = np.ones((k, 3), bool)
    mask[1, 2] = False
    return dict(
        video_id=video_id,
        scene='Kitchen',
        label=[1],
        action_intervals=[(1, 0., 0.5)],
        fps=10.,
        num_frames=FRAMES,
        img_shape=(HEIGHT, WIDTH),
        frame_inds=np.asarray(frame_inds, np.int64),
        slot_classes=np.array([0, 3, 5]),
        boxes=(boxes * mask[..., None]).astype(np.float32),
        box_mask=mask,
        relations=np.array([[0, 0, 1, 2]]))


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp('features')
    clip_dir = str(root / 'clip')
    torch.manual_seed(0)
    CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            image_size=32,
            patch_size=8,
            projection_dim=8)).save_pretrained(clip_dir)
    video_dir = root / 'videos'
    video_dir.mkdir()
    for video_id in ('A', 'B'):
        writer = cv2.VideoWriter(
            str(video_dir / f'{video_id}.mp4'),
            cv2.VideoWriter_fourcc(*'mp4v'), 10, (WIDTH, HEIGHT))
        for i in range(FRAMES):
            writer.write(frame_image(i)[..., ::-1].copy())
        writer.release()
    ann = str(root / 'train.pkl')
    videos = [video_entry('A', [0, 5, 11]), video_entry('B', [2, 3, 9])]
    mmengine.dump(dict(metainfo={}, data_list=videos), ann)
    return dict(
        root=root,
        clip=clip_dir,
        videos=str(video_dir),
        ann=ann,
        entries=videos)


def run(setup, out_dir, *extra):
    return tool.main([
        setup['ann'], '--clip', setup['clip'], '--out-dir', out_dir,
        '--image-size', '32', '--roi-size', '2', *extra
    ] + ([] if '--frame-dir' in extra else ['--video-dir', setup['videos']]))


def reference_features(setup, entry, frames):
    """Resize, normalise, encode and pool, written out plainly."""
    encoder = CLIPVisionEncoder(
        pretrained=setup['clip'], patch_grid='projected').eval()
    out = np.zeros(entry['box_mask'].shape + (8, ), np.float32)
    for k, frame in enumerate(frames):
        image = torch.tensor(frame, dtype=torch.float32).permute(2, 0, 1)
        image = F.interpolate(
            image[None], (32, 40), mode='bilinear', align_corners=False)[0]
        mean = torch.tensor([122.770938, 116.7460125, 104.09373615])
        std = torch.tensor([68.5005327, 66.6321579, 70.32316305])
        image = (image - mean[:, None, None]) / std[:, None, None]
        with torch.no_grad():
            _, grid = encoder(image[None])
        for s in np.nonzero(entry['box_mask'][k])[0]:
            box = entry['boxes'][k, s] * [40 / 64, 32 / 48, 40 / 64, 32 / 48]
            roi = torch.tensor([[0, *box]], dtype=torch.float32)
            out[k, s] = roi_align(grid, roi, 2, 1 / 8, 2).mean(
                (2, 3))[0].numpy()
    return out


def decoded_frames(setup, entry):
    import decord
    reader = decord.VideoReader(
        osp.join(setup['videos'], f'{entry["video_id"]}.mp4'))
    return reader.get_batch(list(entry['frame_inds'])).asnumpy()


def test_features_equal_a_plain_reference(setup, tmp_path):
    out_dir = str(tmp_path / 'feats')
    assert run(setup, out_dir, '--fp32') == 0
    for entry in setup['entries']:
        feats = read_node_features(
            osp.join(out_dir, f'{entry["video_id"]}.pkl'), entry)
        assert feats.shape == (3, 3, 8) and feats.dtype == np.float32
        assert not feats[1, 2].any()  # absent slot
        expected = reference_features(setup, entry,
                                      decoded_frames(setup, entry))
        np.testing.assert_allclose(feats, expected, atol=1e-5)


def test_frame_folders_give_the_video_features(setup, tmp_path):
    frame_dir = tmp_path / 'frames'
    for entry in setup['entries']:
        folder = frame_dir / f'{entry["video_id"]}.mp4'
        folder.mkdir(parents=True)
        frames = decoded_frames(setup, entry)
        for index, frame in zip(entry['frame_inds'], frames):
            cv2.imwrite(
                str(folder / f'{index + 1:06d}.png'), frame[..., ::-1].copy())
    assert run(setup, str(tmp_path / 'a'), '--fp32') == 0
    assert run(setup, str(tmp_path / 'b'), '--fp32', '--frame-dir',
               str(frame_dir)) == 0
    for name in ('A.pkl', 'B.pkl'):
        a = mmengine.load(str(tmp_path / 'a' / name))['node_feats']
        b = mmengine.load(str(tmp_path / 'b' / name))['node_feats']
        np.testing.assert_array_equal(a, b)


def test_missing_frame_image_is_named(setup, tmp_path):
    """A dumped keyframe PNG that is absent names the video and the file;
    nothing is written for that video."""
    frame_dir = tmp_path / 'frames'
    for entry in setup['entries']:
        folder = frame_dir / f'{entry["video_id"]}.mp4'
        folder.mkdir(parents=True)
        for index in entry['frame_inds']:
            cv2.imwrite(str(folder / f'{index + 1:06d}.png'), frame_image(0))
    os.remove(frame_dir / 'B.mp4' / '000004.png')  # keyframe 3 of B
    out_dir = tmp_path / 'f'
    with pytest.raises(
            FileNotFoundError,
            match='video B: frame .*000004.png is missing'):
        run(setup, str(out_dir), '--frame-dir', str(frame_dir))
    assert not (out_dir / 'B.pkl').exists()


def test_rerun_skips_done_videos_and_redoes_stale_ones(setup, tmp_path,
                                                       capsys):
    out_dir = tmp_path / 'feats'
    assert run(setup, str(out_dir)) == 0
    assert '2 videos: 0 done, 2 to extract' in capsys.readouterr().out
    a_file, b_file = out_dir / 'A.pkl', out_dir / 'B.pkl'
    assert mmengine.load(str(a_file))['node_feats'].dtype == np.float16
    before = a_file.stat().st_mtime_ns
    stale = mmengine.load(str(b_file))
    stale['frame_inds'] = stale['frame_inds'] + 1
    mmengine.dump(stale, str(b_file))
    assert run(setup, str(out_dir)) == 0
    assert '2 videos: 1 done, 1 to extract' in capsys.readouterr().out
    assert a_file.stat().st_mtime_ns == before
    read_node_features(str(b_file), setup['entries'][1])
    assert run(setup, str(out_dir)) == 0
    assert '2 videos: 2 done, 0 to extract' in capsys.readouterr().out
    assert not [n for n in os.listdir(out_dir) if n.endswith('.tmp')]


def test_missing_video_is_named_or_skipped(setup, tmp_path, capsys):
    videos = tmp_path / 'videos'
    videos.mkdir()
    os.symlink(osp.join(setup['videos'], 'A.mp4'), videos / 'A.mp4')
    args = [
        setup['ann'], '--clip', setup['clip'], '--video-dir',
        str(videos), '--out-dir',
        str(tmp_path / 'f'), '--image-size', '32'
    ]
    with pytest.raises(FileNotFoundError, match='video B: .*B.mp4 not found'):
        tool.main(args)
    assert tool.main(args + ['--skip-missing']) == 1
    assert 'skipped: video B' in capsys.readouterr().err
    assert osp.isfile(tmp_path / 'f' / 'A.pkl')


def test_keyframe_past_the_video_end_is_named(setup, tmp_path):
    entry = video_entry('A', [0, 5, 20])
    ann = str(tmp_path / 'ann.pkl')
    mmengine.dump(dict(metainfo={}, data_list=[entry]), ann)
    with pytest.raises(
            BadInputError, match='video A: keyframe 20 is '
            'missing'):
        tool.main([
            ann, '--clip', setup['clip'], '--video-dir', setup['videos'],
            '--out-dir',
            str(tmp_path / 'f')
        ])


def test_on_the_fly_features_equal_the_cached_ones(setup, tmp_path):
    from mmaction_ext.datasets.transforms import (LoadSceneGraphNodeFeatures,
                                                  SampleSceneGraphFrames)
    out_dir = str(tmp_path / 'feats')
    assert run(setup, out_dir, '--fp32') == 0
    cached = LoadSceneGraphNodeFeatures(feature_dir=out_dir)
    live = LoadSceneGraphNodeFeatures(
        source='clip',
        clip=dict(
            pretrained=setup['clip'],
            video_dir=setup['videos'],
            image_size=32,
            roi_size=2))
    for entry in setup['entries']:
        results = SampleSceneGraphFrames(
            num_frames=5, test_mode=True)(
                dict(entry, num_slots=4, num_relations=3))
        expected = cached(dict(results))['node_feats']
        got = live(dict(results))['node_feats']
        assert got.shape == expected.shape == (5, 4, 8)
        np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.skipif(torch.cuda.is_available(), reason='needs a CPU machine')
def test_cuda_device_without_cuda_is_a_clear_error(setup, tmp_path):
    with pytest.raises(BadInputError, match='--device cuda: CUDA is not'):
        run(setup, str(tmp_path / 'f'), '--device', 'cuda')

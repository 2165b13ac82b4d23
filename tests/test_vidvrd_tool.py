"""tools/sage/eval_vidvrd.py: once through a subprocess, as users run it,
and in-process (the package import takes seconds) for the other cases."""
import importlib.util
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TOOL = osp.join(ROOT, 'tools', 'sage', 'eval_vidvrd.py')

SUB = [[0, 0, 9, 9]] * 2
OBJ = [[20, 20, 29, 29]] * 2
RIDE = ['person', 'ride', 'bicycle']
ABOVE = ['person', 'above', 'dog']


def rel(triplet, score=None, sub=SUB):
    out = dict(triplet=triplet, duration=[0, 2], sub_traj=sub, obj_traj=OBJ)
    if score is not None:
        out['score'] = score
    return out


def write(tmp_path, gt, pred):
    paths = []
    for name, data in (('gt.json', gt), ('pred.json', pred)):
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data))
        paths.append(str(path))
    return paths


def load_tool():
    spec = importlib.util.spec_from_file_location('eval_vidvrd', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Done:
    """What a run of the tool gave: returncode, stdout, stderr."""

    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run(tmp_path, gt, pred, *args, capsys=None):
    """Run the tool in-process (``capsys`` given) or as a subprocess."""
    argv = [*write(tmp_path, gt, pred), *args]
    if capsys is None:
        return subprocess.run([sys.executable, TOOL, *argv],
                              capture_output=True,
                              text=True,
                              cwd=ROOT,
                              env=dict(os.environ, PYTHONPATH=ROOT))
    code = load_tool().main(argv)
    out = capsys.readouterr()
    return Done(code, out.out, out.err)


GT = {'v1': [rel(RIDE), rel(ABOVE)], 'v2': [rel(RIDE)], 'v3': []}
PRED = {
    'version': 'VERSION 1.0',
    'results': {
        # v1: TP, FP (GT taken), TP -> AP 5/6; v2 none -> AP 0
        'v1': [rel(RIDE, 0.9), rel(ABOVE, 0.7),
               rel(RIDE, 0.8)]
    },
    'external_data': {}
}


def test_scores_all_as_a_subprocess(tmp_path):
    done = run(tmp_path, GT, PRED)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith('vidvrd split=all: 2 videos, 3 GT relations')
    # mAP (5/6 + 0) / 2, recall 2 / 3; tagging P@1 (1 + 0) / 2
    assert lines[1] == 'detection mAP: 41.67  R@50: 66.67  R@100: 66.67'
    assert lines[2] == 'tagging P@1: 50.00  P@5: 50.00  P@10: 50.00'
    bad = run(tmp_path, GT, {'results': {'v1': [rel(RIDE, 0.5, sub=SUB[:1])]}})
    assert bad.returncode == 2 and bad.stderr.count('\n') == 1
    assert bad.stderr.startswith("error: ") and "relation 0.sub_traj" in \
        bad.stderr


def test_scores_novel(tmp_path, capsys):
    done = run(tmp_path, GT, PRED, '--split', 'novel', capsys=capsys)
    assert done.returncode == 0, done.stderr
    # only v1's 'above' relation remains, found by its only prediction
    assert 'split=novel: 1 videos, 1 GT relations' in done.stdout
    assert 'detection mAP: 100.00  R@50: 100.00' in done.stdout


def test_unscored_videos_warn(tmp_path, capsys):
    pred = json.loads(json.dumps(PRED))
    pred['results']['elsewhere'] = [rel(RIDE, 0.5)]
    done = run(tmp_path, GT, pred, capsys=capsys)
    assert done.returncode == 0
    assert "1 predicted videos are not in the ground truth" in done.stderr


@pytest.mark.parametrize('gt,pred,message', [
    ('{"v1": [', PRED, r'gt.json: malformed JSON at line 1'),
    (GT, {
        'results': {
            'v1': [rel(RIDE, 0.5, sub=SUB[:1])]
        }
    }, "pred.json: video 'v1': relation 0.sub_traj has 1 boxes"),
    (GT, {
        'results': {
            'v1': [rel(['person', 'fly', 'dog'], 0.5)]
        }
    }, "predicate 'fly' is not a vidvrd class"),
    ({
        'v1': []
    }, PRED, 'no video has a ground-truth relation'),
])
def test_bad_input_is_one_line(tmp_path, capsys, gt, pred, message):
    done = run(tmp_path, gt, pred, capsys=capsys)
    assert done.returncode == 2
    assert done.stderr.count('\n') == 1 and message in done.stderr
    assert done.stderr.startswith('error: ')


def test_missing_file(tmp_path, capsys):
    code = load_tool().main([str(tmp_path / 'no.json')] * 2)
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith('error: cannot read') and err.count('\n') == 1


def load_converter():
    path = osp.join(ROOT, 'tools', 'sage', 'vidvrd_gt_json.py')
    spec = importlib.util.spec_from_file_location('vidvrd_gt_json', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_annotations_to_groundtruth_to_scores(tmp_path, capsys):
    from test_vidvrd_data import annotation
    folder = tmp_path / 'test' / 'pkg'
    folder.mkdir(parents=True)
    for vid in ('a', 'b'):
        (folder / f'{vid}.json').write_text(
            json.dumps(dict(annotation(), video_id=vid)))
    out = tmp_path / 'gts.json'
    convert = load_converter().main
    assert convert([str(tmp_path / 'test'), str(out)]) == 0
    assert '2 videos (0 without relations' in capsys.readouterr().out
    gt = json.loads(out.read_text())
    assert gt['a'][0]['triplet'] == RIDE and gt['a'][0]['duration'] == [1, 3]
    # predicting the ground truth itself scores 100
    pred = {
        'results': {
            vid: [dict(r, score=1.) for r in rels]
            for vid, rels in gt.items()
        }
    }
    (tmp_path / 'pred.json').write_text(json.dumps(pred))
    assert load_tool().main([str(out), str(tmp_path / 'pred.json')]) == 0
    assert 'detection mAP: 100.00  R@50: 100.00' in capsys.readouterr().out
    # an existing output is never overwritten
    before = out.read_text()
    assert convert([str(tmp_path / 'test'), str(out)]) == 2
    assert 'exists; not overwriting' in capsys.readouterr().err
    assert out.read_text() == before
    # a bad annotation: one line naming the file, video and field
    (folder / 'b.json').write_text(
        json.dumps(dict(annotation(), video_id='b', frame_count=3)))
    assert convert([str(tmp_path / 'test'), str(tmp_path / 'x.json')]) == 2
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and "b.json: video 'b'" in err
    assert not (tmp_path / 'x.json').exists()

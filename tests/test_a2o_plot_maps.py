"""tools/a2o/plot_maps.py: map grids and ICRL accuracy plots as PNGs."""
import importlib.util
import json
import os.path as osp
import struct

import numpy as np
import pytest

from mmaction_ext.utils.errors import BadInputError

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def load_plot_tool():
    spec = importlib.util.spec_from_file_location(
        'plot_maps', osp.join(ROOT, 'tools', 'a2o', 'plot_maps.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def png_size(path):
    """(width, height) from the PNG header."""
    with open(path, 'rb') as f:
        head = f.read(24)
    assert head[:8] == b'\x89PNG\r\n\x1a\n'
    return struct.unpack('>II', head[16:24])


def history(*accuracies, failed=False):
    entries = [
        dict(
            iteration=i + 1,
            status='done',
            accuracy=a,
            classes=['person'] * (i + 1)) for i, a in enumerate(accuracies)
    ]
    if failed:
        entries.append(dict(iteration=len(entries) + 1, status='skipped'))
    return dict(iterations=entries, best=None)


def test_history_plot_is_a_png_of_the_figure_size(tmp_path):
    tool = load_plot_tool()
    source = tmp_path / 'history.json'
    source.write_text(json.dumps(history(0.5, 0.75, failed=True)))
    out = str(tmp_path / 'acc.png')
    assert tool.main(['history',
                      str(source), '--out', out, '--dpi', '50']) == 0
    assert png_size(out) == (6 * 50, 4 * 50)


def test_map_grid_has_a_panel_per_frame_and_class(tmp_path):
    tool = load_plot_tool()
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (3, 8, 10, 3)).astype(np.float32)
    maps = rng.random((3, 2, 8, 10))
    fig = tool.draw_map_grid(frames, maps, ['person', 'bike'])
    assert len(fig.axes) == 3 * (1 + 2)
    out = str(tmp_path / 'grid.png')
    tool.save_png(fig, out, dpi=40)
    cell = int(tool.CELL_INCHES * 40)
    assert png_size(out) == (3 * cell, 3 * cell)


def test_bad_inputs_name_the_problem(tmp_path):
    tool = load_plot_tool()
    frames = np.zeros((2, 4, 4, 3))
    with pytest.raises(BadInputError, match=r'maps must be \(T, K, H, W\)'):
        tool.draw_map_grid(frames, np.zeros((2, 3, 4, 4)), ['a', 'b'])
    with pytest.raises(BadInputError, match='frames must be'):
        tool.draw_map_grid(np.zeros((2, 4, 4)), np.zeros((2, 1, 4, 4)), ['a'])
    empty = tmp_path / 'empty.json'
    empty.write_text(json.dumps(history(failed=True)))
    with pytest.raises(BadInputError, match='empty.json: no finished'):
        tool.main(['history', str(empty), '--out', str(tmp_path / 'a.png')])
    prose = tmp_path / 'prose.json'
    prose.write_text('not json')
    with pytest.raises(BadInputError, match='prose.json is not JSON'):
        tool.main(['history', str(prose), '--out', str(tmp_path / 'a.png')])
    other = tmp_path / 'other.json'
    other.write_text('[1, 2]')
    with pytest.raises(BadInputError, match='other.json: no "iterations"'):
        tool.main(['history', str(other), '--out', str(tmp_path / 'a.png')])
    good = tmp_path / 'good.json'
    good.write_text(json.dumps(history(0.5)))
    with pytest.raises(BadInputError, match='must name a .png'):
        tool.main(['history', str(good), '--out', str(tmp_path / 'a.jpg')])
    with pytest.raises(FileNotFoundError, match='missing.mp4'):
        tool.main([
            'maps',
            str(tmp_path / 'missing.mp4'), '--classes', 'a', '--maps-dir',
            str(tmp_path), '--out',
            str(tmp_path / 'm.png')
        ])
    assert not any(p.suffix == '.png' for p in tmp_path.iterdir())

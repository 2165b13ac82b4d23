"""Backend selection: automatic order, forcing, and the printed table."""
import pytest
import torch

from mmaction_ext.ops import (BackendUnavailable, backend_table, backends,
                              resolve_backend, roi_align, set_backend,
                              trajectory_viou, use_backend)
from mmaction_ext.ops.__main__ import main


@pytest.fixture
def no_extension(monkeypatch):
    """Behave as an install without the compiled extension."""
    monkeypatch.setitem(backends._ext_cache, 'module', None)
    monkeypatch.setitem(
        backends._ext_cache, 'reason',
        'not built; build it with `' + backends.BUILD_COMMAND + '`')


def test_auto_falls_back_to_pytorch_without_extension(no_extension):
    name, reason = resolve_backend('roi_align', 'cpu')
    if backends.mmcv_roi_align() is None:
        assert name == 'pytorch'
        assert 'compiled:' in reason and 'mmcv:' in reason
    assert resolve_backend('trajectory_viou', 'cpu')[0] == 'pytorch'


def test_forcing_compiled_without_extension_says_how_to_build(no_extension):
    with pytest.raises(
            BackendUnavailable,
            match='MMACTION_EXT_WITH_OPS=1 pip install -e . '
            '--no-build-isolation'):
        resolve_backend('roi_align', 'cpu', backend='compiled')
    with pytest.raises(BackendUnavailable, match='mmcv.ops has no'):
        resolve_backend('trajectory_viou', 'cpu', backend='mmcv')


def test_environment_variable_forces_backends(monkeypatch):
    monkeypatch.setenv(backends.ENV_VAR, 'pytorch')
    assert resolve_backend('roi_align', 'cpu') == ('pytorch', 'forced')
    monkeypatch.setenv(backends.ENV_VAR, 'trajectory_viou=pytorch')
    assert resolve_backend('trajectory_viou', 'cpu') == ('pytorch', 'forced')
    assert resolve_backend('roi_align', 'cpu')[1] != 'forced'
    monkeypatch.setenv(backends.ENV_VAR, 'roi_align=fast')
    with pytest.raises(ValueError, match="unknown backend 'fast'"):
        resolve_backend('roi_align', 'cpu')
    monkeypatch.setenv(backends.ENV_VAR, 'roi_allign=pytorch')
    with pytest.raises(ValueError, match='op=backend pairs'):
        resolve_backend('roi_align', 'cpu')


def test_python_forcing_and_precedence(monkeypatch):
    monkeypatch.setenv(backends.ENV_VAR, 'compiled')
    with use_backend('pytorch', op='roi_align'):
        assert resolve_backend('roi_align', 'cpu') == ('pytorch', 'forced')
    set_backend('pytorch')
    try:
        assert resolve_backend('trajectory_viou', 'cpu')[0] == 'pytorch'
    finally:
        set_backend('auto')
    with pytest.raises(ValueError, match='unknown op'):
        set_backend('pytorch', op='nms')


def test_backends_agree_where_built():
    gen = torch.Generator().manual_seed(0)
    feat = torch.randn(2, 3, 6, 6, generator=gen)
    rois = torch.tensor([[0, 0.5, 1.0, 4.2, 5.1], [1, 2.0, 0.3, 3.1, 3.3]])
    names = [
        n for n in backends.BACKENDS
        if backends._why_not('roi_align', n, 'cpu') is None
    ]
    outs = [roi_align(feat, rois, 2, backend=n) for n in names]
    for out in outs[1:]:
        torch.testing.assert_close(out, outs[0])
    boxes = torch.rand(4, 5, 4).sort(-1).values * 10
    spans = torch.tensor([[0, 5], [2, 6], [3, 3], [1, 4]])
    results = [
        trajectory_viou(boxes, spans, backend=n)[0] for n in names
        if backends._why_not('trajectory_viou', n, 'cpu') is None
    ]
    for result in results[1:]:
        torch.testing.assert_close(result, results[0])


def test_table_lists_every_op(capsys):
    rows = backend_table(['cpu'])
    assert [r[0] for r in rows] == list(backends.OPS)
    main()
    printed = capsys.readouterr().out
    for op in backends.OPS:
        assert op in printed
    assert 'compiled extension' in printed

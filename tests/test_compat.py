"""The upstream workarounds of mmaction_ext.compat, one by one."""
import io
import pickle
import pickletools

import pytest
import torch

import mmaction_ext  # noqa: F401
from mmaction_ext import compat


def test_mmaction_models_imports_and_drn_explains_itself():
    import mmaction.models  # noqa: F401  (fails without the DRN stand-in)
    from mmaction.registry import MODELS
    if compat.drn_is_missing():
        with pytest.raises(RuntimeError, match='2714'):
            MODELS.build(dict(type='DRN'))
    # Nothing else was replaced: real localizers are still there.
    assert MODELS.get('BMN').__module__.startswith('mmaction.models')


def test_workarounds_are_idempotent():
    assert compat.apply_all()['provide_missing_drn'] is False
    assert compat.make_history_buffer_pickle_safe() is False


def _pickle_globals(obj):
    names = []
    for op, arg, _ in pickletools.genops(pickle.dumps(obj, protocol=2)):
        if op.name == 'GLOBAL':
            names.append(arg.replace(' ', '.'))
    return names


def test_history_buffer_pickles_without_getattr():
    from mmengine.logging import HistoryBuffer
    buffer = HistoryBuffer()
    buffer.update(1.5)
    assert not compat.history_buffer_pickles_methods()
    assert 'builtins.getattr' not in _pickle_globals(buffer)
    restored = pickle.loads(pickle.dumps(buffer))
    assert restored.mean() == 1.5


def test_message_hub_roundtrip_with_weights_only():
    from mmengine.logging import MessageHub
    hub = MessageHub.get_instance('compat_test')
    hub.update_scalar('train/loss', 0.25)
    hub.update_info('epoch', 3)
    checkpoint = dict(
        meta=dict(epoch=3),
        message_hub=hub.state_dict(),
        state_dict=dict(w=torch.ones(2)))
    stream = io.BytesIO()
    torch.save(checkpoint, stream)
    stream.seek(0)
    loaded = torch.load(stream, weights_only=True)
    assert loaded['message_hub']['log_scalars']['train/loss'].current() \
        == 0.25


class _Exploit:

    def __reduce__(self):
        return (getattr, (str, 'upper'))


def test_getattr_is_still_refused():
    stream = io.BytesIO()
    torch.save({'x': _Exploit()}, stream)
    stream.seek(0)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(stream, weights_only=True)

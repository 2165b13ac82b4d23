"""Which implementation each op runs: compiled, ``mmcv.ops`` or PyTorch.

Every op asks :func:`resolve_backend` at call time. Without a forced choice
the order is: our compiled extension (``mmaction_ext.ops._ext``) when it was
built for the tensor's device, then ``mmcv.ops`` (RoIAlign only) when full
mmcv is installed, then the pure-PyTorch implementation, which always works.

A backend is forced, most specific first, by

* the ``backend=`` argument of a call or of a module (so by a config:
  ``dict(type='RoIAlign', ..., backend='pytorch')``);
* :func:`set_backend` / :func:`use_backend` in Python;
* the environment variable ``MMACTION_EXT_OPS_BACKEND``: one name for all
  ops (``pytorch``) or ``op=name`` pairs (``roi_align=mmcv,trajectory_viou=
  compiled``).

A forced backend that is not available raises :class:`BackendUnavailable`
saying how to get it; it never silently falls back.
"""
import contextlib
import importlib
import os

import torch

ENV_VAR = 'MMACTION_EXT_OPS_BACKEND'
BACKENDS = ('compiled', 'mmcv', 'pytorch')
OPS = ('roi_align', 'trajectory_roi_align', 'boxes_to_likelihood_maps',
       'trajectory_viou')
# trajectory_roi_align runs RoIAlign kernels, so it shares their backends.
KERNEL_OF = dict(trajectory_roi_align='roi_align')
MMCV_OPS = ('roi_align', )
BUILD_COMMAND = ('MMACTION_EXT_WITH_OPS=1 pip install -e . '
                 '--no-build-isolation')

_forced = {}
_ext_cache = {}


class BackendUnavailable(RuntimeError):
    """A forced backend cannot run the op on the given device."""


def load_ext():
    """The compiled extension module, or ``None``; the reason is kept.

    Returns:
        module or None: ``mmaction_ext.ops._ext`` when it imports.
    """
    if 'module' not in _ext_cache:
        try:
            _ext_cache['module'] = importlib.import_module(
                'mmaction_ext.ops._ext')
            _ext_cache['reason'] = 'built (' + _ext_cache['module'].build_info(
            ) + ')'
        except ImportError as err:
            _ext_cache['module'] = None
            if getattr(err, 'name', None) == 'mmaction_ext.ops._ext':
                _ext_cache['reason'] = ('not built; build it with '
                                        f'`{BUILD_COMMAND}`')
            else:
                _ext_cache['reason'] = (
                    f'built but fails to load ({err}); rebuild it against '
                    f'the installed torch with `{BUILD_COMMAND}`')
    return _ext_cache['module']


def ext_status():
    """One line saying whether the compiled extension is usable and why."""
    load_ext()
    return _ext_cache['reason']


def _mmcv_roi_align():
    try:
        from mmcv.ops import roi_align
    except (ImportError, OSError) as err:
        return None, f'mmcv.ops unavailable ({type(err).__name__}: {err})'
    return roi_align, 'full mmcv installed'


def mmcv_roi_align():
    """``mmcv.ops.roi_align`` or ``None`` (mmcv-lite has no ``mmcv.ops``)."""
    if 'mmcv' not in _ext_cache:
        _ext_cache['mmcv'] = _mmcv_roi_align()
    return _ext_cache['mmcv'][0]


def _check_names(op, backend):
    if op is not None and op not in OPS:
        raise ValueError(f'unknown op {op!r}; ops are {OPS}')
    if backend not in BACKENDS + ('auto', ):
        raise ValueError(f'unknown backend {backend!r} for {op or "ops"}; '
                         f'choose one of {BACKENDS + ("auto", )}')


def set_backend(backend, op=None):
    """Force ``backend`` for ``op`` (all ops when ``None``); 'auto' resets.

    Args:
        backend (str): 'compiled', 'mmcv', 'pytorch' or 'auto'.
        op (str, optional): One of :data:`OPS`. Defaults to None.
    """
    _check_names(op, backend)
    for name in (OPS if op is None else (op, )):
        if backend == 'auto':
            _forced.pop(name, None)
        else:
            _forced[name] = backend


@contextlib.contextmanager
def use_backend(backend, op=None):
    """Context manager form of :func:`set_backend`; restores on exit."""
    saved = dict(_forced)
    set_backend(backend, op)
    try:
        yield
    finally:
        _forced.clear()
        _forced.update(saved)


def env_choice(op):
    """The backend ``MMACTION_EXT_OPS_BACKEND`` forces for ``op``, if any."""
    value = os.environ.get(ENV_VAR, '').strip()
    if not value:
        return None
    if '=' not in value:
        _check_names(op, value)
        return None if value == 'auto' else value
    for item in value.split(','):
        name, sep, backend = item.partition('=')
        name, backend = name.strip(), backend.strip()
        if not sep or name not in OPS:
            raise ValueError(f'{ENV_VAR}={value!r}: expected a backend name '
                             f'or op=backend pairs with ops from {OPS}')
        _check_names(name, backend)
        if name == op and backend != 'auto':
            return backend
    return None


def _why_not(op, backend, device_type):
    """``None`` if ``backend`` can run ``op`` on ``device_type``, else why."""
    kernel = KERNEL_OF.get(op, op)
    if backend == 'pytorch':
        return None
    if backend == 'mmcv':
        if kernel not in MMCV_OPS:
            return f'mmcv.ops has no {op}'
        if mmcv_roi_align() is None:
            return (_ext_cache['mmcv'][1] + '; install full mmcv, see '
                    'requirements/mmcv_full.txt')
        return None
    ext = load_ext()
    if ext is None:
        return 'extension ' + ext_status()
    if device_type == 'cuda' and not ext.has_cuda():
        return ('compiled extension was built without CUDA; rebuild with a '
                f'CUDA torch and toolkit (or FORCE_CUDA=1): `{BUILD_COMMAND}`')
    if device_type not in ('cpu', 'cuda'):
        return f'no compiled kernels for device type {device_type!r}'
    return None


def forced_backend(op, backend='auto'):
    """The forced backend for ``op`` (argument > Python > env) or None."""
    _check_names(op, backend)
    if backend != 'auto':
        return backend
    return _forced.get(op) or env_choice(op)


def resolve_backend(op, device, backend='auto'):
    """Pick the backend for ``op`` on ``device`` and say why.

    Args:
        op (str): One of :data:`OPS`.
        device (torch.device | str): Device of the op's input tensors.
        backend (str): 'auto' or a backend to force. Defaults to 'auto'.

    Returns:
        tuple[str, str]: The backend name and the reason it was chosen.

    Raises:
        BackendUnavailable: A forced backend cannot run here.
    """
    device_type = torch.device(device).type
    forced = forced_backend(op, backend)
    if forced is not None:
        why_not = _why_not(op, forced, device_type)
        if why_not is not None:
            raise BackendUnavailable(
                f'{op}: backend {forced!r} was requested but {why_not}')
        return forced, 'forced'
    skipped = []
    for name in BACKENDS:
        why_not = _why_not(op, name, device_type)
        if why_not is None:
            reason = 'first available' if not skipped else '; '.join(skipped)
            return name, reason
        skipped.append(f'{name}: {why_not}')
    raise AssertionError('the pytorch backend is always available')


def backend_table(devices=None):
    """Rows (op, device, backend, reason) for every op and device.

    Args:
        devices (list[str], optional): Defaults to cpu, plus cuda when
            available.

    Returns:
        list[tuple[str, str, str, str]]
    """
    if devices is None:
        devices = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])
    rows = []
    for op in OPS:
        for device in devices:
            try:
                backend, reason = resolve_backend(op, device)
            except (BackendUnavailable, ValueError) as err:
                backend, reason = 'error', str(err)
            rows.append((op, device, backend, reason))
    return rows


def format_table(rows):
    """The rows of :func:`backend_table` as aligned text."""
    header = ('op', 'device', 'backend', 'why')
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(3)]
    lines = []
    for row in [header] + rows:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        lines.append('  '.join(cells + [row[3]]))
    return '\n'.join(lines)

"""Install mmaction_ext the OpenMMLab way: ``pip install -e .``.

Runtime requirements come from ``requirements/runtime.txt``. mmcv-lite is
installed by default; with ``MMACTION_EXT_MMCV=full`` the requirement becomes
full ``mmcv`` (install that first, see ``requirements/mmcv_full.txt``), so pip
never puts mmcv-lite over a compiled mmcv.

Compiled ops (``mmaction_ext.ops._ext``) are opt-in, as in OpenMMLab
packages: ``MMACTION_EXT_WITH_OPS=1 pip install -e . --no-build-isolation``
builds the C++ CPU kernels, plus the CUDA kernels when torch sees a GPU or
``FORCE_CUDA=1`` (needs a CUDA build of torch and the CUDA toolkit). Without
the switch no compiler runs and every op uses its PyTorch implementation.
"""
import glob
import os
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(name):
    """Requirement lines of ``requirements/<name>.txt``, comments dropped."""
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line]


def runtime_requirements():
    requirements = read_requirements('runtime')
    if os.environ.get('MMACTION_EXT_MMCV', 'lite') == 'full':
        requirements = [
            req.replace('mmcv-lite', 'mmcv', 1)
            if req.startswith('mmcv-lite') else req for req in requirements
        ]
    return requirements


def ops_extensions():
    """(ext_modules, cmdclass) of the compiled ops, empty unless opted in."""
    if os.environ.get('MMACTION_EXT_WITH_OPS', '0') != '1':
        return [], {}
    import torch
    from torch.utils.cpp_extension import (BuildExtension, CppExtension,
                                           CUDAExtension)
    csrc = osp.join('mmaction_ext', 'ops', 'csrc')
    sources = [osp.join(csrc, 'pybind.cpp')]
    sources += sorted(glob.glob(osp.join(csrc, 'cpu', '*.cpp')))
    extra_compile_args = dict(cxx=['-O3', '-g0', '-fopenmp'])
    define_macros = []
    if torch.cuda.is_available() or os.environ.get('FORCE_CUDA') == '1':
        extension = CUDAExtension
        sources += sorted(glob.glob(osp.join(csrc, 'cuda', '*.cu')))
        define_macros.append(('WITH_CUDA', None))
        extra_compile_args['nvcc'] = ['-O3']
    else:
        extension = CppExtension
    ext = extension(
        name='mmaction_ext.ops._ext',
        sources=sources,
        define_macros=define_macros,
        extra_compile_args=extra_compile_args,
        extra_link_args=['-fopenmp'])
    return [ext], dict(build_ext=BuildExtension)


EXT_MODULES, CMDCLASS = ops_extensions()


def version():
    scope = {}
    with open(osp.join(HERE, 'mmaction_ext', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='mmaction_ext',
    version=version(),
    description='Language-guided action understanding methods (GAP, '
    'TRG-Net, ProDA, SAGE, A2O) as MMAction2 modules',
    long_description=open(osp.join(HERE, 'README.md')).read()
    if osp.exists(osp.join(HERE, 'README.md')) else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    include_package_data=True,
    package_data={
        'mmaction_ext':
        ['text/banks/*.yaml', 'datasets/label_maps/*.txt']
    },
    python_requires='>=3.8',
    install_requires=runtime_requirements(),
    extras_require=dict(
        tests=read_requirements('tests'),
        optional=read_requirements('optional'),
    ),
    ext_modules=EXT_MODULES,
    cmdclass=CMDCLASS,
    license='Apache License 2.0',
    zip_safe=False,
)

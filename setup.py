"""Install mmaction_ext the OpenMMLab way: ``pip install -e .``.

Runtime requirements come from ``requirements/runtime.txt``. mmcv-lite is
installed by default; with ``MMACTION_EXT_MMCV=full`` the requirement becomes
full ``mmcv`` (install that first, see ``requirements/mmcv_full.txt``), so pip
never puts mmcv-lite over a compiled mmcv.
"""
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
    license='Apache License 2.0',
    zip_safe=False,
)

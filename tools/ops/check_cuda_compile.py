"""Check that the CUDA sources of the compiled ops compile with nvcc.

Compiles every ``mmaction_ext/ops/csrc/cuda/*.cu`` to an object file with
``nvcc -c`` against the installed torch's headers, the way
``CUDAExtension`` would (same standard, ABI and nvcc flags, ``-DWITH_CUDA``),
and ``pybind.cpp`` with ``-DWITH_CUDA`` by the host compiler. Nothing is
linked or run, so this works on a machine without a GPU. A CPU-only torch
wheel ships the ATen/c10 CUDA headers except one file CMake generates for
CUDA builds, ``c10/cuda/impl/cuda_cmake_macros.h``; for such a torch the
script supplies that one-line header (``#define C10_CUDA_BUILD_SHARED_LIBS``,
as in CUDA builds) from a temporary directory and says so. Exit status 0
when all compile; 2 when nvcc is missing.

    python tools/ops/check_cuda_compile.py [--arch sm_80] [--jobs 2]
"""
import argparse
import glob
import os
import os.path as osp
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import torch
from torch.utils import cpp_extension

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CSRC = osp.join(ROOT, 'mmaction_ext', 'ops', 'csrc')

GENERATED = osp.join('c10', 'cuda', 'impl', 'cuda_cmake_macros.h')


def missing_generated_header(stub_dir):
    """Write the CMake-generated c10 CUDA header if torch lacks it."""
    if any(
            osp.exists(osp.join(path, GENERATED))
            for path in cpp_extension.include_paths()):
        return []
    path = osp.join(stub_dir, GENERATED)
    os.makedirs(osp.dirname(path))
    with open(path, 'w') as f:
        f.write('#pragma once\n#define C10_CUDA_BUILD_SHARED_LIBS\n')
    print(f'note: torch {torch.__version__} lacks {GENERATED} (CPU build); '
          'using a stub')
    return [stub_dir]


def common_flags(extra_includes=()):
    abi = int(torch._C._GLIBCXX_USE_CXX11_ABI)
    includes = cpp_extension.include_paths() + [
        sysconfig.get_paths()['include'], CSRC
    ] + list(extra_includes)
    return ([f'-I{path}' for path in includes] + [
        '-DWITH_CUDA', f'-D_GLIBCXX_USE_CXX11_ABI={abi}',
        '-DTORCH_EXTENSION_NAME=_ext', '-std=c++20', '-O3'
    ])


def nvcc_command(nvcc, source, out, arch, extra_includes):
    host = ['-Xcompiler', '-fPIC']
    return ([nvcc, '-c', source, '-o', out, f'-arch={arch}'] +
            cpp_extension.COMMON_NVCC_FLAGS + host +
            common_flags(extra_includes))


def host_command(source, out):
    return (['c++', '-c', source, '-o', out, '-fPIC'] + common_flags())


def compile_one(name, command):
    start = time.time()
    result = subprocess.run(command, capture_output=True, text=True)
    return name, result.returncode, time.time() - start, result.stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--arch', default='sm_80', help='GPU architecture to compile for')
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument(
        '--skip-host',
        action='store_true',
        help='do not compile pybind.cpp with -DWITH_CUDA')
    args = parser.parse_args()
    nvcc = shutil.which('nvcc')
    if nvcc is None:
        print('nvcc not found on PATH: cannot check the CUDA sources')
        return 2
    version = subprocess.run([nvcc, '--version'],
                             capture_output=True,
                             text=True).stdout.strip().splitlines()[-1]
    print(f'{version}; torch {torch.__version__} headers')
    sources = sorted(glob.glob(osp.join(CSRC, 'cuda', '*.cu')))
    with tempfile.TemporaryDirectory() as tmp:
        stubs = missing_generated_header(osp.join(tmp, 'stubs'))
        jobs = [(osp.relpath(src, ROOT),
                 nvcc_command(nvcc, src, osp.join(tmp, f'{i}.o'), args.arch,
                              stubs)) for i, src in enumerate(sources)]
        if not args.skip_host:
            src = osp.join(CSRC, 'pybind.cpp')
            jobs.append((osp.relpath(src, ROOT) + ' (-DWITH_CUDA)',
                         host_command(src, osp.join(tmp, 'pybind.o'))))
        with ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(lambda job: compile_one(*job), jobs))
    failed = 0
    for name, code, seconds, stderr in results:
        print(f'{"ok  " if code == 0 else "FAIL"} {name} ({seconds:.0f} s)')
        if code != 0:
            failed += 1
            print(stderr[-4000:])
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

"""``python -m mmaction_ext.ops``: which backend each op uses, and why."""
import torch

from .backends import ENV_VAR, backend_table, ext_status, format_table


def main():
    print(f'torch {torch.__version__}, CUDA available: '
          f'{torch.cuda.is_available()}')
    print(f'compiled extension mmaction_ext.ops._ext: {ext_status()}')
    print(f'force a backend with {ENV_VAR}=pytorch (all ops) or '
          f'{ENV_VAR}=roi_align=pytorch,... (per op)\n')
    print(format_table(backend_table()))


if __name__ == '__main__':
    main()

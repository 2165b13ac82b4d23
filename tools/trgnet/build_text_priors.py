"""Encode joint and action descriptions into TRG-Net's text priors.

Given a config, builds now the text-embedding caches its model declares
(every ``ClassTextEmbeddings`` with a ``cache_dir``, e.g. TRG-Net's
``joint_texts`` and ``action_texts``), exactly as the first training run
would; up-to-date caches are kept unless ``--force``::

    python tools/trgnet/build_text_priors.py \
        configs/trgnet/trgnet_1xb4-12e_synthetic-ntu25-3d.py

Without a config (the older interface, for a standalone file named by
``text_priors=`` in a config) it writes an .npz with ``tjg`` (V x V text
joint graph), ``tag`` (C x C text action graph) and ``action_embeddings``
(C x D), each graph being ``1 -
minmax(pairwise L2)`` of the embeddings. The file records the banks'
``name@version`` and the encoder; an existing file with the same record is
reused (nothing is encoded again), a different one is refused unless
``--force``.

Examples::

    # BERT-base, pooled output (the paper's choice), from a local directory
    python tools/trgnet/build_text_priors.py --joints joints_ntu25 \\
        --actions pku_mmd --encoder hf \\
        --encoder-path data/text_models/bert-base-uncased \\
        --pooling pooler --out data/text_priors/pku_mmd_bert.npz
    # the embedded synthetic data with the offline MiniLM
    python tools/trgnet/build_text_priors.py --joints joints_ntu25 \\
        --actions synthetic12 \\
        --background "no action: the person stands at rest" \\
        --encoder hf --encoder-path data/text_models/all-MiniLM-L6-v2 \\
        --out data/text_priors/synthetic_minilm.npz
"""
import argparse
import os.path as osp

import numpy as np
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

import mmaction_ext  # noqa: F401
from mmaction.registry import MODELS
from mmaction_ext.text import (TextBank, build_text_priors, prior_cache_key,
                               save_text_priors)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'config', nargs='?', help='build the caches this config declares')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, as tools/train.py')
    parser.add_argument('--joints', help='joint text bank')
    parser.add_argument('--actions', help='action text bank')
    parser.add_argument(
        '--background',
        help='description of a background class 0 put '
        'before the bank classes')
    parser.add_argument('--encoder', choices=['hf', 'clip'], default='hf')
    parser.add_argument(
        '--encoder-path', help='local HF model directory or CLIP weights file')
    parser.add_argument(
        '--pooling', default='mean', choices=['mean', 'cls', 'pooler'])
    parser.add_argument('--out')
    parser.add_argument(
        '--force', action='store_true', help='rebuild / overwrite')
    args = parser.parse_args()
    if args.config is None:
        missing = [
            f'--{name.replace("_", "-")}'
            for name in ('joints', 'actions', 'encoder_path', 'out')
            if getattr(args, name) is None
        ]
        if missing:
            parser.error(f'give a CONFIG, or {", ".join(missing)}')
    return args


def declared_text_embeddings(cfg) -> list:
    """Every cached ``ClassTextEmbeddings`` config inside ``cfg``."""
    found = []
    if isinstance(cfg, dict):
        if cfg.get('type') == 'ClassTextEmbeddings' and cfg.get('cache_dir'):
            found.append(cfg)
        for value in cfg.values():
            found += declared_text_embeddings(value)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            found += declared_text_embeddings(value)
    return found


def build_config_caches(config: str, cfg_options=None, force=False) -> list:
    """Build the caches a config declares; returns their paths."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    declared = declared_text_embeddings(cfg.model.to_dict())
    if not declared:
        raise SystemExit(f'{config} declares no cached text embeddings '
                         '(ClassTextEmbeddings with a cache_dir)')
    paths = []
    for embeddings_cfg in declared:
        embeddings = MODELS.build(embeddings_cfg)
        vectors = embeddings.build_cache(force=force)
        print(f'{embeddings.cache_path}: {tuple(vectors.shape)} '
              f'({embeddings.bank.key}, {len(embeddings)} texts)')
        paths.append(embeddings.cache_path)
    return paths


def main():
    args = parse_args()
    if args.config is not None:
        build_config_caches(args.config, args.cfg_options, args.force)
        return
    joints, actions = TextBank(args.joints), TextBank(args.actions)
    encoder_id = (f'{args.encoder}:{osp.abspath(args.encoder_path)}'
                  f':{args.pooling if args.encoder == "hf" else "eot"}')
    key = prior_cache_key(joints, actions, encoder_id, args.background)
    if osp.isfile(args.out) and not args.force:
        with np.load(args.out, allow_pickle=False) as old:
            if 'meta_key' in old.files and str(old['meta_key']) == key:
                print(f'{args.out} is up to date ({key})')
                return
        raise SystemExit(f'{args.out} exists with other banks/encoder; '
                         'use --force to overwrite it')
    if args.encoder == 'hf':
        cfg = dict(
            type='HFTextEncoder',
            model_path=args.encoder_path,
            pooling=args.pooling,
            frozen=True)
    else:
        cfg = dict(
            type='CLIPTextEncoder', pretrained=args.encoder_path, frozen=True)
    priors = build_text_priors(joints, actions, MODELS.build(cfg),
                               args.background)
    save_text_priors(
        priors,
        args.out,
        key=key,
        encoder=encoder_id,
        joints=joints.key,
        actions=actions.key)
    print(f'{args.out}: TJG {priors["tjg"].shape}, TAG {priors["tag"].shape},'
          f' action embeddings {priors["action_embeddings"].shape} ({key})')


if __name__ == '__main__':
    main()

"""Parameters of a SAGE config's model, in total and per part.

The CLIP text tower is built with random weights at the config's
architecture (ViT-B/16's text tower: width 512, 12 layers) when its
weights are not on disk, so the counts need no download::

    python tools/sage/count_params.py \
        configs/sage/sage_1xb32-30e_vidvrd-predcls.py

Prints the parameters of the relation encoder, the head's projections and
interaction MLP, the learned prompts (context + TKE / meta-net), the frozen
CLIP text tower (with its token-embedding table apart), the total and the
trainable parameters of the config's stage. Paper Table 10 reports 55.64M
for SAGE on VidVRD without saying which parts it counts.
"""
import argparse
import os.path as osp
import tempfile

from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmaction.registry import MODELS


def without_weights(node, cache_dir):
    """Random CLIP towers for missing weights; embeddings cached in tmp."""
    if isinstance(node, dict):
        node = {k: without_weights(v, cache_dir) for k, v in node.items()}
        if node.get('type') == 'CLIPTextEncoder' and not osp.exists(
                str(node.get('pretrained'))):
            node['pretrained'] = None
        if 'cache_dir' in node:
            node['cache_dir'] = cache_dir
    elif isinstance(node, (list, tuple)):
        node = type(node)(without_weights(v, cache_dir) for v in node)
    return node


def count(module, trainable_only=False) -> int:
    if module is None:
        return 0
    return sum(p.numel() for p in module.parameters()
               if p.requires_grad or not trainable_only)


def parts(model) -> dict:
    """Named parameter counts; they add up to the model's total. The
    Table 6 adapters are listed apart when the config enables them."""
    head, learner = model.head, model.head.prompt_learner
    clip = learner.text_encoder
    token_table = clip.token_embedding.weight.numel()
    visual_adapter = getattr(model.encoder, 'visual_adapter', None)
    text_adapter = getattr(head, 'text_adapter', None)
    counts = {
        'relation encoder':
        count(model.encoder) - count(visual_adapter),
        'head (projections, interaction)':
        count(head) - count(learner) - count(text_adapter),
        'learned prompts (context, TKE / meta-net)':
        count(learner) - count(clip),
        'CLIP text tower without token table (frozen)':
        count(clip) - token_table,
        'CLIP token-embedding table (frozen)':
        token_table,
    }
    if visual_adapter is not None:
        counts['visual adapter (Table 6)'] = count(visual_adapter)
    if text_adapter is not None:
        counts['text adapter (Table 6)'] = count(text_adapter)
    return counts


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='a configs/sage config')
    args = parser.parse_args(argv)
    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    with tempfile.TemporaryDirectory() as cache_dir:
        model = MODELS.build(without_weights(cfg.model.to_dict(), cache_dir))
    counts = parts(model)
    total = count(model)
    assert sum(counts.values()) == total
    for name, value in counts.items():
        print(f'{name:48s} {value / 1e6:8.2f}M')
    print(f'{"total":48s} {total / 1e6:8.2f}M')
    table = counts['CLIP token-embedding table (frozen)']
    print(f'{"total without the token table":48s} '
          f'{(total - table) / 1e6:8.2f}M')
    print(f'{"trainable in this stage":48s} '
          f'{count(model, True) / 1e6:8.2f}M')
    print(f'{"paper (Table 10)":48s} {55.64:8.2f}M')
    return dict(counts, total=total, trainable=count(model, True))


if __name__ == '__main__':
    main()

import re
from typing import List, Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmaction.registry import HOOKS


def _normalise(name: str) -> str:
    return re.sub(r'[\s_]+', ' ', str(name)).strip().lower()


def check_text_classes(names: List[Optional[str]], source: str, dataset,
                       split: str) -> None:
    """Raise unless a dataset has the classes the text embeddings describe.

    Args:
        names (list[str | None]): Class names of the texts in label order;
            None where only a description is known (e.g. a background text).
        source (str): Where the texts come from (bank files, priors file).
        dataset: A dataset with ``num_classes`` and/or
            ``metainfo['classes']``.
        split (str): ``'train'``, ``'val'`` or ``'test'`` for the message.
    """
    classes = (getattr(dataset, 'metainfo', None) or {}).get('classes')
    count = getattr(dataset, 'num_classes', None)
    count = count if count is not None else (
        len(classes) if classes is not None else None)
    where = f'{split} dataset {getattr(dataset, "ann_file", "")!r}'
    if count is not None and count != len(names):
        raise ValueError(f'the text embeddings of {source} describe '
                         f'{len(names)} classes, the {where} has {count}')
    if classes is None:
        return
    wrong = [(i, ours, theirs)
             for i, (ours, theirs) in enumerate(zip(names, classes))
             if ours is not None and _normalise(ours) != _normalise(theirs)]
    if wrong:
        shown = ', '.join(f'{i}: {ours!r} vs {theirs!r}'
                          for i, ours, theirs in wrong[:5])
        raise ValueError(f'the text embeddings of {source} describe other '
                         f'classes than the {where} ({len(wrong)} differ; '
                         f'{shown})')


@HOOKS.register_module()
class TextClassesCheckHook(Hook):
    """Refuse data whose classes are not those the model's texts describe.

    A model whose class texts come from a bank (e.g. :class:`TRGNetSegmenter`
    with ``action_texts``) exposes ``text_class_names`` and
    ``text_source``; before training, validation and testing their count
    (and names, where the dataset lists ``classes``) must match the
    dataset's, instead of training on embeddings of another label set.
    """

    priority = 'NORMAL'

    def _check(self, runner, loader_name: str, split: str) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        names = getattr(model, 'text_class_names', None)
        if names is None:
            return
        dataset = getattr(runner, loader_name).dataset
        check_text_classes(names, model.text_source, dataset, split)

    def before_train(self, runner) -> None:
        self._check(runner, 'train_dataloader', 'train')

    def before_val(self, runner) -> None:
        self._check(runner, 'val_dataloader', 'val')

    def before_test(self, runner) -> None:
        self._check(runner, 'test_dataloader', 'test')

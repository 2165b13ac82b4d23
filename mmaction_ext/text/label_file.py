"""Label files: one class label a line, in class-index order."""
from typing import List, Sequence


def read_labels(path: str) -> List[str]:
    """Labels of a label file: one a line, ``#`` lines are comments.

    Blank lines are allowed only at the end; labels must be unique and
    carry no surrounding whitespace.

    Args:
        path (str): The label file.

    Returns:
        list[str]: The labels in file order (= class index order).
    """
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().splitlines()
    except UnicodeDecodeError as exc:
        raise ValueError(f'{path}: not UTF-8 text ({exc})') from None
    while lines and not lines[-1].strip():
        lines.pop()
    labels, first_line = [], {}
    for number, line in enumerate(lines, 1):
        if line.startswith('#'):
            continue
        where = f'{path}:{number}'
        if not line.strip():
            raise ValueError(f'{where}: blank line between labels')
        if line != line.strip():
            raise ValueError(f'{where}: label {line!r} has leading or '
                             'trailing whitespace')
        if line in first_line:
            raise ValueError(f'{where}: label {line!r} repeats line '
                             f'{first_line[line]}')
        first_line[line] = number
        labels.append(line)
    if not labels:
        raise ValueError(f'{path}: no labels (only comments or empty)')
    return labels


def check_labels(labels: Sequence[str], label_source: str) -> None:
    """Raise ``ValueError`` unless ``labels`` are non-empty and unique."""
    if not labels:
        raise ValueError(f'{label_source} has no labels')
    for index, label in enumerate(labels):
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f'{label_source}: label {index} is empty')
    if len(set(labels)) != len(labels):
        raise ValueError(f'{label_source} repeats a label')

"""The ICRL trial history: one JSON file, rewritten atomically.

Each iteration is recorded twice: when its object set is proposed (status
``proposed``) and when it is trained and evaluated (``done``) or when the
LLM gave no usable reply (``skipped``). A run killed at any moment thus
resumes with the same set, without asking the LLM again, and never loses a
finished iteration.
"""
import json
import os.path as osp
from typing import Dict, List, Optional

from ..fileio import atomic_dump
from ..utils.errors import BadInputError, CorruptFileError

FORMAT = 'mmaction_ext-a2o-icrl-history'
VERSION = 1
# Settings a resumed run must share with the run that wrote the file.
FIXED_SETTINGS = ('target_classes', 'max_classes', 'mode')


class ICRLHistory:
    """The history file of one ICRL run.

    Args:
        path (str): The JSON file.
        settings (dict): The run's settings (``target_classes``,
            ``max_classes``, ``mode``, ...); a resumed run must match the
            file's ``FIXED_SETTINGS``.
    """

    def __init__(self, path: str, settings: Dict) -> None:
        self.path = path
        self.data = dict(
            format=FORMAT,
            version=VERSION,
            settings=settings,
            pool=None,
            iterations=[],
            best=None)
        if osp.isfile(path):
            self._resume(settings)

    def _resume(self, settings: Dict) -> None:
        try:
            with open(self.path, encoding='utf-8') as f:
                data = json.load(f)
        except ValueError as error:
            raise CorruptFileError(f'{self.path} is not JSON ({error}); '
                                   'move it away to start a new run') \
                from error
        if not isinstance(data, dict) or data.get('format') != FORMAT:
            raise CorruptFileError(f'{self.path} is not an ICRL history; '
                                   'move it away or choose another work dir')
        for key in FIXED_SETTINGS:
            if data['settings'].get(key) != settings.get(key):
                raise BadInputError(
                    f'{self.path} belongs to a run with {key}='
                    f'{data["settings"].get(key)!r}, this run has '
                    f'{settings.get(key)!r}; use another work dir to start '
                    'a new run')
        data['settings'] = settings
        self.data = data

    @property
    def iterations(self) -> List[Dict]:
        return self.data['iterations']

    def finished(self) -> List[Dict]:
        """Iterations trained and evaluated (the LLM's state)."""
        return [e for e in self.iterations if e['status'] == 'done']

    def pending(self) -> Optional[Dict]:
        """The proposed, not yet finished iteration, if any."""
        last = self.iterations[-1] if self.iterations else None
        return last if last and last['status'] == 'proposed' else None

    def add(self, entry: Dict) -> Dict:
        entry.setdefault('iteration', len(self.iterations) + 1)
        self.iterations.append(entry)
        self.save()
        return entry

    def save(self) -> None:
        atomic_dump(self.data, self.path, file_format='json')

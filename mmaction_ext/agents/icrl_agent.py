"""A2O's in-context reinforcement learning loop (Sekii and Sato, Alg. 1).

At iteration t the LLM policy proposes an object set a_t from the task and
the history H_{t-1} of (object set, validation accuracy) pairs; the set is
parsed, de-duplicated and cut to C_max; the likelihood maps of the set are
computed; the recognizer is trained from its pretrained weights and
evaluated on the validation split; the accuracy is the reward r_t. The best
set and its weights are kept.

Baselines (the paper's Sec. 4.5.1): ``static`` asks without the history;
``pool`` asks once for the relevant objects and then for T combinations,
which are tried in turn; ``inject`` (any mode) puts another run's history
first in the LLM's context (the OOD-history baseline).

The maps step and the train step are callables, so other recognizers (or
tests) plug in: see :class:`TrainRequest` and :class:`TrainResult`.
"""
import json
import os.path as osp
import shutil
import time
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence

from mmengine.logging import print_log

from ..fileio.atomic_write import write_atomically
from ..text.llm_client import ChatClient, ChatClientError
from ..text.prompts import a2o as prompts
from ..utils.errors import BadInputError, CorruptFileError, UserInputError
from .icrl_history import FORMAT as HISTORY_FORMAT
from .icrl_history import ICRLHistory

MODES = ('icrl', 'static', 'pool')


class TrainRequest(NamedTuple):
    """What one train step gets."""
    iteration: int
    classes: List[str]
    maps_dir: Optional[str]
    work_dir: str


class TrainResult(NamedTuple):
    """What one train step returns.

    ``accuracy`` and the values of ``class_accuracy`` (action name ->
    accuracy) lie in [0, 1]; ``checkpoint`` is the trained weights' file.
    """
    accuracy: float
    class_accuracy: Dict[str, float]
    checkpoint: Optional[str] = None


class ICRLError(RuntimeError):
    """An iteration failed; the history file keeps everything before."""


class ICRLPolicyError(ICRLError, UserInputError):
    """The LLM cannot be reached, or a prompt pool is unusable: the user
    fixes it and reruns (tools report the message without a traceback)."""


def load_injected_history(path: str,
                          source: Optional[str] = None) -> List[Dict]:
    """The finished iterations of another run's history file.

    Args:
        path (str): Another run's ``history.json``.
        source (str, optional): Names it in the prompt ("from <source>");
            defaults to the run's ``dataset`` setting or the path.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'history to inject {path!r} does not exist')
    with open(path, encoding='utf-8') as f:
        try:
            data = json.load(f)
        except ValueError as error:
            raise CorruptFileError(f'{path} is not JSON: {error}') from error
    if not isinstance(data, dict) or data.get('format') != HISTORY_FORMAT:
        raise CorruptFileError(f'{path} is not an ICRL history')
    entries = [e for e in data['iterations'] if e['status'] == 'done']
    if not entries:
        raise BadInputError(f'{path} has no finished iteration to inject')
    name = source or data['settings'].get('dataset') or path
    return [dict(e, source=f'from {name}') for e in entries]


class ICRLAgent:
    """Run (or resume) the ICRL loop of A2O.

    Args:
        client (ChatClient): The LLM endpoint.
        target_classes (list[str]): Action classes to recognise.
        work_dir (str): Holds ``history.json``, ``iter_<t>/`` work dirs and
            ``best/`` (the best set's weights and ``best.json``).
        train_step (callable): ``TrainRequest -> TrainResult``.
        maps_step (callable, optional): ``classes -> maps_dir``, computing
            (or finding) the maps of a set; None leaves maps to the train
            step (e.g. on-the-fly maps).
        iterations (int): T. Defaults to 5 (the paper's).
        max_classes (int): C_max. Defaults to 15.
        mode (str): 'icrl', 'static' or 'pool'. Defaults to 'icrl'.
        injected_history (list[dict], optional): Another run's finished
            iterations, shown first (see :func:`load_injected_history`).
        detector_name (str): The detector named in the prompt.
        temperature (float, optional): LLM sampling temperature.
        settings (dict, optional): More settings recorded in the history.
    """

    def __init__(self,
                 client: ChatClient,
                 target_classes: Sequence[str],
                 work_dir: str,
                 train_step: Callable[[TrainRequest], TrainResult],
                 maps_step: Optional[Callable[[List[str]], str]] = None,
                 iterations: int = 5,
                 max_classes: int = 15,
                 mode: str = 'icrl',
                 injected_history: Optional[List[Dict]] = None,
                 detector_name: str = prompts.DEFAULT_DETECTOR,
                 temperature: Optional[float] = None,
                 settings: Optional[Dict] = None) -> None:
        if mode not in MODES:
            raise BadInputError(f'unknown ICRL mode {mode!r}; one of {MODES}')
        if iterations < 1 or max_classes < 1:
            raise BadInputError('iterations and max_classes must be >= 1, '
                                f'got {iterations} and {max_classes}')
        if not target_classes:
            raise BadInputError('the classification target set is empty')
        self.client = client
        self.target_classes = list(target_classes)
        self.work_dir = work_dir
        self.train_step = train_step
        self.maps_step = maps_step
        self.iterations = iterations
        self.max_classes = max_classes
        self.mode = mode
        self.injected = list(injected_history or [])
        self.detector_name = detector_name
        self.temperature = temperature
        self.history = ICRLHistory(
            osp.join(work_dir, 'history.json'),
            dict(
                settings or {},
                target_classes=self.target_classes,
                max_classes=max_classes,
                mode=mode,
                iterations=iterations))

    # -- the policy ---------------------------------------------------------
    def _ask(self, prompt: str, parse: Callable[[str], object], what: str):
        """Ask, parse; returns (parsed or None, raw reply, error).

        An unusable reply (after the retries) gives None; a server that
        cannot be reached raises :class:`ICRLError`, so an outage stops
        the run (to be resumed) instead of skipping iterations.
        """
        seen = []

        def validate(reply):
            seen.append(reply)
            parse(reply)

        try:
            reply = self.client.complete(
                prompt, validate, what, temperature=self.temperature)
            return parse(reply), reply, None
        except ChatClientError as error:
            if not error.answered:  # the server, not the reply: stop
                raise ICRLPolicyError(
                    f'{error}; {self.history.path} keeps the history, rerun '
                    'the same command to continue') from error
            return None, seen[-1] if seen else None, str(error)

    def _pool(self) -> List[List[str]]:
        if self.history.data.get('pool'):
            return self.history.data['pool']
        objects, _, error = self._ask(
            prompts.pool_objects_prompt(self.target_classes,
                                        self.detector_name),
            prompts.parse_object_set, 'prompt pool: objects')
        if objects is None:
            raise ICRLPolicyError(
                f'prompt pool: no usable object list ({error})')
        sets, _, error = self._ask(
            prompts.pool_sets_prompt(objects, self.iterations,
                                     self.max_classes, self.detector_name),
            lambda reply: prompts.parse_object_sets(
                reply, self.iterations, self.max_classes), 'prompt pool: sets')
        if sets is None:
            raise ICRLPolicyError(f'prompt pool: no usable sets ({error})')
        self.history.data['pool'] = sets
        self.history.save()
        return sets

    def propose(self, iteration: int) -> Dict:
        """The next history entry: a proposed set or a skipped reply."""
        if self.mode == 'pool':
            pool = self._pool()
            if iteration > len(pool):
                raise ICRLPolicyError(
                    f'the prompt pool in {self.history.path} holds '
                    f'{len(pool)} sets; a pool run cannot be extended to '
                    f'iteration {iteration}')
            return dict(status='proposed', classes=pool[iteration - 1])
        history = None if self.mode == 'static' else \
            self.injected + self.history.finished()
        prompt = prompts.icrl_prompt(self.target_classes, history,
                                     self.detector_name)
        classes, reply, error = self._ask(
            prompt, lambda r: prompts.parse_object_set(r, self.max_classes),
            f'ICRL iteration {iteration}')
        if classes is None:
            print_log(
                f'ICRL iteration {iteration}: skipped, no usable reply '
                f'({error})',
                logger='current')
            return dict(status='skipped', reply=reply, error=error)
        return dict(status='proposed', classes=classes, reply=reply)

    # -- the loop -----------------------------------------------------------
    def run(self) -> Optional[Dict]:
        """Run the remaining iterations; returns the best entry."""
        while len(self.history.iterations) < self.iterations or \
                self.history.pending():
            entry = self.history.pending()
            if entry is None:
                number = len(self.history.iterations) + 1
                entry = self.history.add(dict(self.propose(number)))
            if entry['status'] == 'proposed':
                self._train(entry)
        return self.history.data['best']

    def _train(self, entry: Dict) -> None:
        number = entry['iteration']
        start = time.time()
        try:
            maps_dir = self.maps_step(entry['classes']) \
                if self.maps_step else None
            entry['maps_dir'] = maps_dir
            work_dir = osp.join(self.work_dir, f'iter_{number}')
            result = self.train_step(
                TrainRequest(number, list(entry['classes']), maps_dir,
                             work_dir))
        except Exception as error:
            entry['last_error'] = f'{type(error).__name__}: {error}'
            self.history.save()
            raise ICRLError(
                f'ICRL iteration {number} (classes {entry["classes"]}) '
                f'failed: {error}; {self.history.path} keeps the history, '
                'rerun the same command to retry it') from error
        entry.update(
            status='done',
            accuracy=float(result.accuracy),
            class_accuracy={
                k: float(v)
                for k, v in result.class_accuracy.items()
            },
            checkpoint=result.checkpoint,
            seconds=round(time.time() - start, 3))
        entry.pop('last_error', None)
        print_log(
            f'ICRL iteration {number}: {len(entry["classes"])} classes '
            f'{entry["classes"]} -> accuracy {100 * result.accuracy:.2f}%',
            logger='current')
        best = self.history.data['best']
        if best is None or entry['accuracy'] > best['accuracy']:
            self._keep_best(entry)
        self.history.save()

    def _keep_best(self, entry: Dict) -> None:
        best_dir = osp.join(self.work_dir, 'best')
        weights = None
        if entry.get('checkpoint'):
            weights = osp.join(best_dir, 'weights.pth')
            with open(entry['checkpoint'], 'rb') as source:
                write_atomically(weights,
                                 lambda f: shutil.copyfileobj(source, f))
        best = dict(
            iteration=entry['iteration'],
            classes=entry['classes'],
            accuracy=entry['accuracy'],
            class_accuracy=entry['class_accuracy'],
            maps_dir=entry.get('maps_dir'),
            weights=weights)
        text = json.dumps(best, indent=2, ensure_ascii=False).encode()
        write_atomically(
            osp.join(best_dir, 'best.json'), lambda f: f.write(text))
        self.history.data['best'] = best

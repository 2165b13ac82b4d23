"""A chat client for OpenAI-compatible servers, on the official SDK.

Methods that let an LLM write class descriptions (GAP; SAGE's teacher with
video frames; A2O's agent with a conversation) share this client. It sends
chat-completions requests through the ``openai`` SDK to any server that
speaks the protocol (OpenAI, vLLM, llama.cpp, Ollama, ...) and returns
``choices[0].message.content``.

Connection errors, timeouts, HTTP 408/409/429/5xx, unreadable responses and
answers that the caller's validator rejects are retried with exponential
backoff (a numeric ``Retry-After`` is honoured); other HTTP errors (bad
key, unknown model, ...) fail at once with the server's message. The SDK's
own retries are off so that one budget, with one log line per retry, covers
both kinds of failure.

Settings not given to the constructor come from the environment:
``OPENAI_BASE_URL`` (default ``https://api.openai.com/v1``),
``MMACTION_EXT_LLM_MODEL`` and ``OPENAI_API_KEY``.
"""
import logging
import os
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

import openai
from mmengine.logging import print_log

from .answer_cache import AnswerCache
from .chat_messages import ImageLike, check_messages, user_message

DEFAULT_BASE_URL = 'https://api.openai.com/v1'

# HTTP statuses after which the same request may well succeed.
TRANSIENT_STATUSES = (408, 409, 429)

Validator = Optional[Callable[[str], Any]]


class ChatClientError(RuntimeError):
    """A request failed for good (after its retries, or at once).

    ``answered`` is True when the last attempt got an answer that was
    empty or rejected by the validator (the server works; the model's
    answer did not fit), False for connection and HTTP failures.
    """

    def __init__(self, message: str, answered: bool = False) -> None:
        super().__init__(message)
        self.answered = answered


class _Retryable(Exception):
    """One attempt failed in a way that another attempt may not."""

    def __init__(self,
                 reason: str,
                 retry_after: Optional[float] = None,
                 answered: bool = False):
        super().__init__(reason)
        self.retry_after = retry_after
        self.answered = answered


class ChatClient:
    """Chat-completions client with retries, validation and a cache.

    Args:
        base_url (str, optional): API root, e.g. ``http://host:8000/v1``.
            Defaults to ``$OPENAI_BASE_URL`` or ``DEFAULT_BASE_URL``.
        model (str, optional): Model name. Defaults to
            ``$MMACTION_EXT_LLM_MODEL``; one of the two is required.
        api_key (str, optional): Sent as a bearer token. Defaults to
            ``$OPENAI_API_KEY``; ``''`` (or neither) sends no key.
        temperature (float): Sampling temperature. Defaults to 0.
        timeout (float): Seconds to wait for the connection and for each
            read of every request. Defaults to 120.
        retries (int): Further attempts after the first one fails.
            Defaults to 4.
        backoff (float): Seconds before the first retry; doubled for each
            further one, at most ``max_backoff``. Defaults to 1.
        max_backoff (float): Longest wait between attempts. Defaults to 60.
        cache (AnswerCache, optional): Accepted answers; a request whose
            answer is cached (and still passes the validator) is not sent.
        sleep (Callable[[float], None]): Waits between attempts; tests
            pass a recorder. Defaults to :func:`time.sleep`.
    """

    def __init__(self,
                 base_url: Optional[str] = None,
                 model: Optional[str] = None,
                 api_key: Optional[str] = None,
                 temperature: float = 0.0,
                 timeout: float = 120.0,
                 retries: int = 4,
                 backoff: float = 1.0,
                 max_backoff: float = 60.0,
                 cache: Optional[AnswerCache] = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        base_url = (
            base_url or os.environ.get('OPENAI_BASE_URL') or DEFAULT_BASE_URL)
        if not base_url.startswith(('http://', 'https://')):
            raise ValueError(f'base URL must start with http:// or '
                             f'https://, got {base_url!r}')
        self.base_url = base_url.rstrip('/')
        self.model = model or os.environ.get('MMACTION_EXT_LLM_MODEL')
        if not self.model:
            raise ValueError('no model name: pass one or set '
                             'MMACTION_EXT_LLM_MODEL')
        if retries < 0:
            raise ValueError(f'retries must be >= 0, got {retries}')
        if not timeout > 0:
            raise ValueError(f'timeout must be > 0 seconds, got {timeout}')
        # None means "not given"; '' deliberately sends no key.
        api_key = os.environ.get('OPENAI_API_KEY') if api_key is None \
            else api_key
        # the SDK insists on a key; without one the header is omitted
        self._extra_headers = None if api_key else {
            'Authorization': openai.Omit()
        }
        self._sdk = openai.OpenAI(
            base_url=self.base_url,
            api_key=api_key or 'no-key',
            timeout=timeout,
            max_retries=0)
        self.temperature = float(temperature)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.cache = cache
        self._sleep = sleep
        self.asked = 0  # answers that came from the server
        self.cached = 0  # answers that came from the cache

    @property
    def url(self) -> str:
        """The chat-completions endpoint."""
        return f'{self.base_url}/chat/completions'

    def close(self) -> None:
        """Close the connections of the underlying SDK client."""
        self._sdk.close()

    def chat(self,
             messages: Sequence[Dict],
             validate: Validator = None,
             what: str = 'request',
             temperature: Optional[float] = None) -> str:
        """Send a conversation and return the (validated) answer text.

        Args:
            messages (Sequence[dict]): The conversation so far, in the
                OpenAI format (see :mod:`mmaction_ext.text.chat_messages`).
            validate (Callable[[str], Any], optional): Called with the
                answer; raises ``ValueError`` (with a reason) to reject it,
                which counts as a failed attempt.
            what (str): Names the request in messages, e.g.
                ``"synonyms of class 'drink water'"``.
            temperature (float, optional): Overrides the client's.

        Returns:
            str: ``choices[0].message.content`` of the accepted answer.
        """
        messages = check_messages(messages)
        temperature = self.temperature if temperature is None else float(
            temperature)
        if self.cache is not None:
            answer = self.cache.get(self.model, temperature, messages)
            if answer is not None and _accepts(validate, answer):
                self.cached += 1
                return answer
        answer = self._ask(messages, validate, what, temperature)
        self.asked += 1
        if self.cache is not None:
            self.cache.put(self.model, temperature, messages, answer)
        return answer

    def complete(
        self,
        prompt: str,
        validate: Validator = None,
        what: str = 'prompt',
        temperature: Optional[float] = None,
        images: Sequence[ImageLike] = ()
    ) -> str:
        """Ask one user message (text and optional images); see
        :meth:`chat`."""
        return self.chat([user_message(prompt, images)], validate, what,
                         temperature)

    def _ask(self, messages: List[Dict], validate: Validator, what: str,
             temperature: float) -> str:
        attempts = self.retries + 1
        for attempt in range(attempts):
            try:
                return self._attempt(messages, validate, what, temperature)
            except _Retryable as failure:
                reason, answered = str(failure), failure.answered
                if attempt + 1 < attempts:
                    delay = self._delay(attempt, failure.retry_after)
                    print_log(
                        f'{what}: attempt {attempt + 1}/{attempts} failed '
                        f'({reason}); retrying in {delay:g} s',
                        logger='current',
                        level=logging.WARNING)
                    self._sleep(delay)
        raise ChatClientError(
            f'{what}: no valid answer from {self.url} after {attempts} '
            f'attempt(s); last error: {reason}', answered)

    def _delay(self, attempt: int, retry_after: Optional[float]) -> float:
        delay = self.backoff * 2**attempt
        if retry_after is not None:  # the server knows its rate limit best
            delay = max(delay, retry_after)
        return min(delay, self.max_backoff)

    def _attempt(self, messages: List[Dict], validate: Validator, what: str,
                 temperature: float) -> str:
        try:
            response = self._sdk.chat.completions.create(
                model=self.model,
                messages=messages,
                temperature=temperature,
                extra_headers=self._extra_headers)
        except openai.APITimeoutError:
            raise _Retryable(f'no answer within {self.timeout:g} s')
        except openai.APIConnectionError as exc:
            raise _Retryable(f'connection failed: {exc.__cause__ or exc}')
        except openai.APIStatusError as exc:
            message = f'HTTP {exc.status_code}: {_server_message(exc)}'
            if exc.status_code in TRANSIENT_STATUSES or \
                    exc.status_code >= 500:
                raise _Retryable(message, _retry_after(exc.response))
            raise ChatClientError(f'{what}: {self.url} answered {message}')
        except openai.APIResponseValidationError as exc:
            raise _Retryable(f'unreadable response: {exc}')
        except openai.OpenAIError as exc:
            raise ChatClientError(f'{what}: request to {self.url} failed: '
                                  f'{type(exc).__name__}: {exc}') from exc
        answer = _answer_text(response)
        if validate is not None:
            try:
                validate(answer)
            except ValueError as exc:
                raise _Retryable(f'answer rejected: {exc}', answered=True)
        return answer


class Conversation:
    """A multi-turn chat that keeps its history.

    Every :meth:`ask` sends the whole history plus the new user message and
    appends both the message and the answer, so an agent can keep talking;
    with the client's cache a rerun replays the same conversation without
    sending anything.

    Args:
        client (ChatClient): Sends the requests.
        system (str, optional): A system message opening the conversation.
    """

    def __init__(self, client: ChatClient, system: Optional[str] = None):
        self.client = client
        self.messages: List[Dict] = []
        if system is not None:
            self.messages.append(dict(role='system', content=system))

    def ask(self,
            text: str,
            images: Sequence[ImageLike] = (),
            validate: Validator = None,
            what: str = 'reply',
            **image_options) -> str:
        """Send ``text`` (and images) as the next user turn.

        Args:
            text (str): The user message.
            images (Sequence): Images or frames; see
                :func:`~mmaction_ext.text.chat_messages.user_message`,
                which also takes ``image_options`` (``detail``,
                ``image_format``).
            validate, what: As in :meth:`ChatClient.chat`.

        Returns:
            str: The answer, also appended to :attr:`messages`.
        """
        message = user_message(text, images, **image_options)
        answer = self.client.chat(self.messages + [message], validate, what)
        self.messages += [message, dict(role='assistant', content=answer)]
        return answer

    def add(self, role: str, content) -> None:
        """Append a message that is not asked, e.g. an earlier answer."""
        self.messages.append(dict(role=role, content=content))
        check_messages(self.messages[-1:])


def _accepts(validate: Validator, answer: str) -> bool:
    if validate is None:
        return True
    try:
        validate(answer)
        return True
    except ValueError:
        return False  # accepted by a laxer validator before: ask again


def _excerpt(text: str, limit: int = 300) -> str:
    text = ' '.join(str(text).split())
    return text if len(text) <= limit else text[:limit] + '...'


def _answer_text(response) -> str:
    if isinstance(response, str):  # the SDK's result for a non-JSON body
        raise _Retryable(f'the response is not JSON: {_excerpt(response)!r}')
    try:
        content = response.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        raise _Retryable('the response has no choices[0].message.content: '
                         f'{_excerpt(response)!r}')
    if not isinstance(content, str) or not content.strip():
        raise _Retryable('the answer is empty', answered=True)
    return content


def _server_message(exc: 'openai.APIStatusError') -> str:
    """The message of an OpenAI-style error body, else the body."""
    body = exc.body
    error = body.get('error', body) if isinstance(body, dict) else body
    if isinstance(error, dict) and error.get('message'):
        return _excerpt(error['message'])
    if isinstance(error, str) and error:
        return _excerpt(error)
    try:
        text = exc.response.text
    except Exception:  # a streamed body that cannot be read again
        text = ''
    return _excerpt(text) or exc.response.reason_phrase or 'no message'


def _retry_after(response) -> Optional[float]:
    """Seconds of a numeric ``Retry-After`` header (dates are ignored)."""
    try:
        return max(0.0, float(response.headers.get('retry-after', '')))
    except (ValueError, AttributeError):
        return None

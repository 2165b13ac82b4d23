"""A small client for OpenAI-compatible chat-completions endpoints.

Methods that let an LLM write class descriptions (GAP, ...) share this
client. It sends one user message per request::

    POST {base_url}/chat/completions
    {"model": ..., "messages": [{"role": "user", "content": prompt}],
     "temperature": ...}

and returns ``choices[0].message.content``. Connection errors, HTTP 429 and
5xx, unreadable responses and answers that the caller's validator rejects
are retried with exponential backoff; other HTTP errors (bad key, unknown
model, ...) fail at once with the server's message.

Settings not given to the constructor come from the environment:
``OPENAI_BASE_URL`` (default ``https://api.openai.com/v1``),
``MMACTION_EXT_LLM_MODEL`` and ``OPENAI_API_KEY``.
"""
import logging
import os
import time
from typing import Any, Callable, Optional

import requests
from mmengine.logging import print_log

DEFAULT_BASE_URL = 'https://api.openai.com/v1'

# Errors after which the same request may well succeed.
TRANSIENT_ERRORS = (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError)


class ChatClientError(RuntimeError):
    """A request failed for good (after its retries, or at once)."""


class _Retryable(Exception):
    """One attempt failed in a way that another attempt may not."""

    def __init__(self, reason: str, retry_after: Optional[float] = None):
        super().__init__(reason)
        self.retry_after = retry_after


class ChatClient:
    """Chat-completions client with retries and answer validation.

    Args:
        base_url (str, optional): API root, e.g. ``http://host:8000/v1``.
            Defaults to ``$OPENAI_BASE_URL`` or ``DEFAULT_BASE_URL``.
        model (str, optional): Model name. Defaults to
            ``$MMACTION_EXT_LLM_MODEL``; one of the two is required.
        api_key (str, optional): Sent as a bearer token. Defaults to
            ``$OPENAI_API_KEY``; ``''`` sends no key.
        temperature (float): Sampling temperature. Defaults to 0.
        timeout (float): Seconds to wait for the connection and for the
            answer of each request. Defaults to 120.
        retries (int): Further attempts after the first one fails.
            Defaults to 4.
        backoff (float): Seconds before the first retry; doubled for each
            further one, at most ``max_backoff``. Defaults to 1.
        max_backoff (float): Longest wait between attempts. Defaults to 60.
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
        # None means "not given"; '' deliberately sends no key.
        self.api_key = (
            os.environ.get('OPENAI_API_KEY') if api_key is None else api_key)
        if retries < 0:
            raise ValueError(f'retries must be >= 0, got {retries}')
        self.temperature = float(temperature)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._session = requests.Session()

    @property
    def url(self) -> str:
        """The chat-completions endpoint."""
        return f'{self.base_url}/chat/completions'

    def complete(self,
                 prompt: str,
                 validate: Optional[Callable[[str], Any]] = None,
                 what: str = 'prompt',
                 temperature: Optional[float] = None) -> str:
        """Ask one prompt and return the (validated) answer text.

        Args:
            prompt (str): The user message.
            validate (Callable[[str], Any], optional): Called with the
                answer; raises ``ValueError`` (with a reason) to reject it,
                which counts as a failed attempt.
            what (str): Names the request in messages, e.g.
                ``'synonyms of "drink water"'``.
            temperature (float, optional): Overrides the client's.

        Returns:
            str: ``choices[0].message.content`` of the accepted answer.
        """
        temperature = self.temperature if temperature is None else float(
            temperature)
        payload = dict(
            model=self.model,
            messages=[dict(role='user', content=prompt)],
            temperature=temperature)
        attempts = self.retries + 1
        for attempt in range(attempts):
            try:
                return self._attempt(payload, validate, what)
            except _Retryable as failure:
                reason = str(failure)
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
            f'attempt(s); last error: {reason}')

    def _delay(self, attempt: int, retry_after: Optional[float]) -> float:
        delay = self.backoff * 2**attempt
        if retry_after is not None:  # the server knows its rate limit best
            delay = max(delay, retry_after)
        return min(delay, self.max_backoff)

    def _headers(self) -> dict:
        headers = {'Content-Type': 'application/json'}
        if self.api_key:
            headers['Authorization'] = f'Bearer {self.api_key}'
        return headers

    def _attempt(self, payload: dict, validate, what: str) -> str:
        try:
            response = self._session.post(
                self.url,
                json=payload,
                headers=self._headers(),
                timeout=self.timeout)
        except TRANSIENT_ERRORS as exc:
            raise _Retryable(f'{type(exc).__name__}: {exc}')
        except requests.RequestException as exc:
            raise ChatClientError(f'{what}: cannot send a request to '
                                  f'{self.url}: {exc}') from exc
        self._check_status(response, what)
        answer = self._answer(response)
        if validate is not None:
            try:
                validate(answer)
            except ValueError as exc:
                raise _Retryable(f'answer rejected: {exc}')
        return answer

    def _check_status(self, response: requests.Response, what: str) -> None:
        code = response.status_code
        if code < 300:
            return
        message = f'HTTP {code}: {_server_message(response)}'
        if code == 429 or code >= 500:
            raise _Retryable(message, _retry_after(response))
        raise ChatClientError(f'{what}: {self.url} answered {message}')

    @staticmethod
    def _answer(response: requests.Response) -> str:
        try:
            content = response.json()['choices'][0]['message']['content']
        except ValueError:
            raise _Retryable('the response is not JSON: '
                             f'{_excerpt(response.text)!r}')
        except (KeyError, IndexError, TypeError):
            raise _Retryable('the response has no choices[0].message.'
                             f'content: {_excerpt(response.text)!r}')
        if not isinstance(content, str) or not content.strip():
            raise _Retryable('the answer is empty')
        return content


def _excerpt(text: str, limit: int = 300) -> str:
    text = ' '.join(text.split())
    return text if len(text) <= limit else text[:limit] + '...'


def _server_message(response: requests.Response) -> str:
    """The error message of an OpenAI-style error body, else the body."""
    try:
        error = response.json().get('error')
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict) and error.get('message'):
        return str(error['message'])
    if isinstance(error, str) and error:
        return error
    return _excerpt(response.text) or response.reason or 'no message'


def _retry_after(response: requests.Response) -> Optional[float]:
    """Seconds of a numeric ``Retry-After`` header (dates are ignored)."""
    try:
        return max(0.0, float(response.headers.get('Retry-After', '')))
    except ValueError:
        return None

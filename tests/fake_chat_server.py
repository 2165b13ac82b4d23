"""A scripted OpenAI chat-completions server on 127.0.0.1 for tests.

Requests go to a real HTTP server (stdlib ``http.server`` in a thread);
:func:`serve` also fails the test on any connection to another address and
points the environment's base URL at a path of the fake server that answers
404, so using it by mistake cannot go unnoticed.
"""
import contextlib
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORDS = [
    'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta',
    'iota', 'kappa'
]
KINDS = {
    'Describe a person': 'paragraph',
    'Suggest 10 synonyms': 'synonyms',
    'Describing following body parts': 'parts'
}
BAD_ANSWERS = {
    'paragraph': 'The person drinks.',
    'synonyms': 'sip, gulp, swig',
    'parts': 'head tilts; hand grasps; arm bends; hip stays; leg stands',
}
ERRORS = {
    '500': (500, {
        'error': {
            'message': 'upstream overloaded'
        }
    }),
    '503_text': (503, b'Service Unavailable'),
    '429': (429, {
        'error': {
            'message': 'Rate limit reached'
        }
    }),
    '401': (401, {
        'error': {
            'message': 'Incorrect API key provided'
        }
    }),
    '404_model': (404, {
        'error': {
            'message': 'The model `nope` does not exist'
        }
    }),
    'empty_choices': (200, {
        'choices': []
    }),
    'null_content': (200, {
        'choices': [{
            'message': {
                'role': 'assistant',
                'content': None
            }
        }]
    }),
}


def good_answer(kind, label):
    """Deterministic answers to GAP's prompts in the shapes models use."""
    if kind == 'paragraph':
        return (f'The person doing "{label}" stands upright, shifts weight '
                'between both feet, moves the arms with purpose and keeps '
                'the head facing forward throughout the action.')
    if kind == 'synonyms':  # with the label, a duplicate, quotes and a dot
        names = [f'"{label}"'] + [f'{label} {w}' for w in WORDS]
        return 'A: ' + ', '.join(names) + f', {label.upper()} ALPHA.'
    return (f'1. head turns toward the task of "{label}"\n'
            '2. hands reach forward\n3. arms bend at the elbows\n'
            '4. hip stays level\n5. legs stay straight\n6. feet stay planted.')


def last_user_text(body):
    """The text of the last user message of a request body."""
    content = [m for m in body['messages'] if m['role'] == 'user'][-1]
    content = content['content']
    if isinstance(content, list):
        content = ' '.join(p['text'] for p in content if p['type'] == 'text')
    return content


class FakeLLM:
    """The server. Scripted actions decide how each request is answered.

    ``plan`` holds actions for the next requests of any prompt; ``script``
    holds them per ``(kind, label)``; ``always`` fixes the action of a
    ``(kind, label)`` for good. Actions: ``ok``, ``bad`` (a malformed
    answer), ``nonjson``, ``drop`` (closes the connection), ``slow``
    (answers only after :meth:`close`, or 10 s), ``429_wait`` (429 with
    ``Retry-After: 3``) or a key of ``ERRORS``. ``reply`` answers requests
    that are not GAP prompts (default: echo the last user text).
    """

    def __init__(self):
        self.requests = []
        self.plan, self.script, self.always = [], {}, {}
        self.reply = lambda body: 'echo: ' + last_user_text(body)
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.fake = self
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.02, ), daemon=True)
        self.thread.start()

    def url(self, path='/v1'):
        return f'http://127.0.0.1:{self.httpd.server_port}{path}'

    def asked(self, start=0):
        """``(kind, label)`` of the requests from number ``start`` on."""
        return [(r['kind'], r['label']) for r in self.requests[start:]]

    def next_action(self, kind, label):
        with self.lock:
            if self.plan:
                return self.plan.pop(0)
            if self.script.get((kind, label)):
                return self.script[(kind, label)].pop(0)
            return self.always.get((kind, label), 'ok')

    def close(self):
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):

    def log_message(self, *args):  # keep test output clean
        pass

    def do_POST(self):
        fake = self.server.fake
        body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
        text = last_user_text(body)
        kind = next((k for p, k in KINDS.items() if text.startswith(p)), None)
        label = re.search(r'"(.*)"', text).group(1) if kind else None
        with fake.lock:
            fake.requests.append(
                dict(
                    path=self.path,
                    headers={
                        k.lower(): v
                        for k, v in self.headers.items()
                    },
                    body=body,
                    kind=kind,
                    label=label))
        if self.path != '/v1/chat/completions':
            return self._send(404, {'error': {'message': 'unknown path'}})
        action = fake.next_action(kind, label)
        if action == 'slow':
            fake.released.wait(10)
            action = 'ok'
        if action == 'drop':
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
        elif action == 'nonjson':
            self._send(200, b'<html>Bad gateway</html>', 'text/html')
        elif action == '429_wait':
            self._send(*ERRORS['429'], retry_after='3')
        elif action in ERRORS:
            self._send(*ERRORS[action])
        else:
            if kind is None:
                content = fake.reply(body)
            elif action == 'bad':
                content = BAD_ANSWERS[kind]
            else:
                content = good_answer(kind, label)
            self._send(
                200, {
                    'id':
                    'chatcmpl-test',
                    'object':
                    'chat.completion',
                    'choices': [{
                        'index': 0,
                        'finish_reason': 'stop',
                        'message': {
                            'role': 'assistant',
                            'content': content
                        }
                    }]
                })

    def _send(self, code, payload, content_type=None, retry_after=None):
        if isinstance(payload, bytes):
            data, content_type = payload, content_type or 'text/plain'
        else:
            data, content_type = json.dumps(payload).encode(), \
                'application/json'
        self.send_response(code)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        if code == 429:
            self.send_header('Retry-After', retry_after or '0')
        self.end_headers()
        self.wfile.write(data)


@contextlib.contextmanager
def serve(monkeypatch):
    """The server, a guard against other addresses and a decoy env."""
    server = FakeLLM()
    elsewhere = []
    connect = socket.socket.connect

    def guarded_connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and \
                address[0] != '127.0.0.1':
            elsewhere.append(address)
            raise OSError(f'test tried to reach {address}')
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, 'connect', guarded_connect)
    for proxy in ('HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy',
                  'https_proxy', 'all_proxy'):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv('NO_PROXY', '127.0.0.1')
    for name in ('OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_ADMIN_KEY'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('OPENAI_BASE_URL', server.url('/env-v1'))
    monkeypatch.setenv('OPENAI_API_KEY', 'env-key')
    monkeypatch.setenv('MMACTION_EXT_LLM_MODEL', 'env-model')
    try:
        yield server
    finally:
        server.close()
    assert not elsewhere, f'contacted {elsewhere}'


def scripted_server(reply):
    """A server answering every request with ``reply(body)``, for the demo
    tools (outside pytest): loopback requests bypass any proxy of the
    environment."""
    import os
    server = FakeLLM()
    server.reply = reply
    os.environ['NO_PROXY'] = ','.join(
        filter(None, ['127.0.0.1', os.environ.get('NO_PROXY')]))
    return server

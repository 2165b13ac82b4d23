"""Chat messages in the OpenAI chat-completions format, with images.

A message is ``{'role': 'system' | 'user' | 'assistant', 'content': ...}``
where ``content`` is a string or a list of content parts::

    [{'type': 'text', 'text': 'What happens in these frames?'},
     {'type': 'image_url',
      'image_url': {'url': 'data:image/png;base64,...', 'detail': 'low'}}]

:func:`user_message` builds one from text and images (numpy arrays, PIL
images or image files), encoded as base64 data URLs so that any
OpenAI-compatible server gets the pixels themselves. :func:`message_key`
is the exact, compact identity of a message list used by the answer cache:
image data is replaced by its SHA-256.
"""
import base64
import hashlib
import io
import json
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np

ROLES = ('system', 'user', 'assistant')
# formats OpenAI's vision models take as they are; others become PNG
FILE_TYPES = {
    '.png': 'image/png',
    '.jpg': 'image/jpeg',
    '.jpeg': 'image/jpeg',
    '.webp': 'image/webp',
    '.gif': 'image/gif'
}
DETAILS = ('auto', 'low', 'high')

ImageLike = Union[str, os.PathLike, np.ndarray, Any]  # Any: PIL.Image


def _data_url(data: bytes, mime: str) -> str:
    return f'data:{mime};base64,{base64.b64encode(data).decode("ascii")}'


def _pil_bytes(image, image_format: str) -> bytes:
    modes = ('L', 'RGB') if image_format == 'JPEG' else ('L', 'RGB', 'RGBA')
    if image.mode not in modes:
        image = image.convert('RGB')
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def _array_image(array: np.ndarray, what: str):
    from PIL import Image
    if array.dtype != np.uint8:
        raise ValueError(f'{what}: frames must be uint8 arrays, got '
                         f'{array.dtype} (scale and cast them first)')
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3
                                    and array.shape[2] not in (3, 4)):
        raise ValueError(f'{what}: expected an (H, W), (H, W, 3) RGB or '
                         f'(H, W, 4) RGBA array, got shape {array.shape}')
    return Image.fromarray(np.ascontiguousarray(array))


def encode_image(image: ImageLike,
                 image_format: str = 'PNG',
                 what: str = 'image') -> str:
    """An image as a ``data:`` URL for an ``image_url`` content part.

    Args:
        image (str | PathLike | np.ndarray | PIL.Image.Image): An image
            file (PNG, JPEG, WebP and GIF files are sent as they are, other
            formats PIL reads are converted), a uint8 array of shape
            (H, W), (H, W, 3) in RGB order (MMCV's ``imread`` gives BGR:
            pass ``frame[..., ::-1]``) or (H, W, 4), a PIL image, or a
            string that already is a ``data:image/...`` or ``http(s)://``
            URL (passed through).
        image_format (str): Format arrays and PIL images are encoded in:
            ``'PNG'`` (lossless, default) or ``'JPEG'`` (smaller).
        what (str): Names the image in error messages.

    Returns:
        str: The URL.
    """
    image_format = image_format.upper()
    if image_format not in ('PNG', 'JPEG'):
        raise ValueError(f'image_format must be PNG or JPEG, got '
                         f'{image_format!r}')
    mime = f'image/{image_format.lower()}'
    passed_through = ('data:image/', 'http://', 'https://')
    if isinstance(image, str) and image.startswith(passed_through):
        return image
    if isinstance(image, (str, os.PathLike)):
        path = os.fspath(image)
        if not osp.isfile(path):
            raise FileNotFoundError(f'{what}: no image file {path}')
        file_type = FILE_TYPES.get(osp.splitext(path)[1].lower())
        if file_type is not None:
            with open(path, 'rb') as f:
                return _data_url(f.read(), file_type)
        from PIL import Image
        try:
            with Image.open(path) as opened:
                return _data_url(_pil_bytes(opened, 'PNG'), 'image/png')
        except OSError as exc:
            raise ValueError(f'{what}: cannot read {path} as an image '
                             f'({exc})') from None
    if isinstance(image, np.ndarray):
        image = _array_image(image, what)
    if not hasattr(image, 'save') or not hasattr(image, 'mode'):
        raise TypeError(f'{what}: expected a file path, a numpy array or a '
                        f'PIL image, got {type(image).__name__}')
    return _data_url(_pil_bytes(image, image_format), mime)


def image_part(image: ImageLike,
               detail: Optional[str] = None,
               image_format: str = 'PNG',
               what: str = 'image') -> Dict:
    """An ``image_url`` content part; see :func:`encode_image`.

    Args:
        detail (str, optional): ``'auto'``, ``'low'`` or ``'high'``; the
            server's default when None.
    """
    url = dict(url=encode_image(image, image_format, what))
    if detail is not None:
        if detail not in DETAILS:
            raise ValueError(f'detail must be one of {DETAILS}, got '
                             f'{detail!r}')
        url['detail'] = detail
    return dict(type='image_url', image_url=url)


def user_message(text: str,
                 images: Sequence[ImageLike] = (),
                 detail: Optional[str] = None,
                 image_format: str = 'PNG') -> Dict:
    """A user message: the text, then the images in order.

    Args:
        text (str): The question.
        images (Sequence): Images or video frames; see :func:`encode_image`.
        detail (str, optional): Image detail; see :func:`image_part`.
        image_format (str): Encoding of arrays and PIL images.

    Returns:
        dict: ``{'role': 'user', 'content': text}`` without images, else
        with a list of content parts.
    """
    if isinstance(images,
                  (str, os.PathLike, np.ndarray)) or hasattr(images, 'mode'):
        images = [images]  # one image, not a sequence of them
    if not images:
        return dict(role='user', content=text)
    parts: List[Dict] = [dict(type='text', text=text)]
    for index, image in enumerate(images):
        parts.append(image_part(image, detail, image_format, f'image {index}'))
    return dict(role='user', content=parts)


def check_messages(messages: Sequence[Dict]) -> List[Dict]:
    """``messages`` as a list, after checking their structure.

    Raises:
        ValueError: Naming the first malformed message.
    """
    if isinstance(messages, (str, dict)) or not messages:
        raise ValueError('messages must be a non-empty list of '
                         '{"role", "content"} dicts')
    messages = list(messages)
    for index, message in enumerate(messages):
        where = f'message {index}'
        if not isinstance(message, dict):
            raise ValueError(f'{where} is a {type(message).__name__}, not '
                             'a dict')
        if message.get('role') not in ROLES:
            raise ValueError(f'{where}: role must be one of {ROLES}, got '
                             f'{message.get("role")!r}')
        content = message.get('content')
        if isinstance(content, list):
            for part in content:
                if not isinstance(part, dict) or part.get('type') not in (
                        'text', 'image_url'):
                    raise ValueError(f'{where}: content parts must be '
                                     '"text" or "image_url" dicts')
        elif not isinstance(content, str):
            raise ValueError(f'{where}: content must be a string or a '
                             'list of content parts')
    return messages


def _hash_images(value):
    if isinstance(value, dict):
        if value.get('type') == 'image_url':
            url = dict(value['image_url'])
            if url.get('url', '').startswith('data:'):
                digest = hashlib.sha256(url['url'].encode()).hexdigest()
                url['url'] = f'sha256:{digest}'
            return dict(value, image_url=url)
        return {k: _hash_images(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_hash_images(v) for v in value]
    return value


def canonical_messages(messages: Sequence[Dict]) -> List[Dict]:
    """``messages`` with each image data URL replaced by its SHA-256.

    Idempotent, so a canonical list stored in a cache file yields the same
    key when read back.
    """
    return _hash_images(list(messages))


def message_key(messages: Sequence[Dict]) -> str:
    """A string that identifies ``messages`` exactly (images by hash)."""
    return json.dumps(
        canonical_messages(messages), sort_keys=True, ensure_ascii=False)

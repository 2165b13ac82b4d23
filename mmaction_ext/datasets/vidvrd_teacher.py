"""SAGE's semantic teacher: describe segments with a VLM, encode F_text.

:class:`SegmentDescriber` asks an OpenAI-compatible vision-language
endpoint (:class:`~mmaction_ext.text.llm_client.ChatClient`, its retries
and answer cache) the questions of :mod:`mmaction_ext.text.prompts.sage`
about the samples of a :class:`VidVRDSegmentDataset`: per segment one
global description, one per track that takes part in a pair (its subject /
object description) and one per pair (union). Answers go into the video's
description text file (format in :mod:`.vidvrd_descriptions`), rewritten
atomically after each segment; descriptions already there are kept, so a
rerun asks only for what is missing.

:func:`encode_video_descriptions` encodes a video's descriptions once with
a CLIP text encoder into the encoded file the data pipeline reads.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, List, Optional

import numpy as np

from ..fileio.atomic_write import write_atomically
from ..text.prompts.sage import (describe_question, global_prompt,
                                 object_prompt, union_prompt)
from .vidvrd_annotation import VidVRDFormatError
from .vidvrd_descriptions import (check_teacher, empty_descriptions,
                                  load_descriptions, save_encoded,
                                  segment_name)

RED, BLUE = (255, 0, 0), (0, 0, 255)


def _fit(image: np.ndarray, size: int) -> np.ndarray:
    """``image`` downscaled so that its longer side is at most ``size``."""
    height, width = image.shape[:2]
    if max(height, width) <= size:
        return np.ascontiguousarray(image)
    from PIL import Image
    scale = size / max(height, width)
    shape = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(image).resize(shape, Image.BILINEAR))


def _crop(frame: np.ndarray, box, context: float = 0.1) -> np.ndarray:
    """The box (inclusive pixels) widened by ``context`` on each side."""
    height, width = frame.shape[:2]
    x1, y1, x2, y2 = box
    dx, dy = context * (x2 - x1 + 1), context * (y2 - y1 + 1)
    left, top = max(0, int(x1 - dx)), max(0, int(y1 - dy))
    right = min(width, int(np.ceil(x2 + 1 + dx)))
    bottom = min(height, int(np.ceil(y2 + 1 + dy)))
    return frame[top:bottom, left:right]


def _outline(frame: np.ndarray, box, color, thickness: int = 2):
    height, width = frame.shape[:2]
    x1, y1 = max(0, int(box[0])), max(0, int(box[1]))
    x2, y2 = min(width - 1, int(box[2])), min(height - 1, int(box[3]))
    t = thickness
    frame[y1:y1 + t, x1:x2 + 1] = color
    frame[max(y1, y2 - t + 1):y2 + 1, x1:x2 + 1] = color
    frame[y1:y2 + 1, x1:x1 + t] = color
    frame[y1:y2 + 1, max(x1, x2 - t + 1):x2 + 1] = color


def _pick(present: np.ndarray, count: int) -> np.ndarray:
    """Up to ``count`` evenly spread indices of the True entries."""
    where = np.flatnonzero(present)
    picks = np.linspace(0, len(where) - 1, min(count, len(where)))
    return where[np.unique(np.round(picks).astype(int))]


class SegmentDescriber:
    """Asks the four-perspective descriptions of a dataset's segments.

    Args:
        client (ChatClient): The endpoint (with its answer cache).
        num_images (int): Frames sent per question. Defaults to 3.
        image_size (int): Longer side of a sent image. Defaults to 336.
        object_names (Sequence[str], optional): Names of the dataset's
            object labels, to name the objects in the questions (PredCls);
            None leaves them unnamed. Defaults to None.
    """

    def __init__(self,
                 client,
                 num_images: int = 3,
                 image_size: int = 336,
                 object_names=None) -> None:
        if num_images < 1 or image_size < 16:
            raise ValueError('num_images must be >= 1 and image_size >= 16')
        self.client = client
        self.num_images, self.image_size = num_images, image_size
        self.object_names = object_names

    def _name(self, label: int) -> Optional[str]:
        if self.object_names is None or label < 0:
            return None
        return self.object_names[label]

    def _ask(self, question) -> str:
        answer = self.client.chat(
            question.messages, validate=question.parse, what=question.what)
        return question.parse(answer)

    def describe_segment(self, entry: dict, frames: np.ndarray,
                         done: dict) -> dict:
        """Fill ``done`` (one segment's descriptions) with what is missing.

        Args:
            entry (dict): A ``data_list`` entry of the dataset.
            frames (ndarray): (T, H, W, 3) uint8 RGB sampled frames.
            done (dict): ``{global, objects, unions}`` so far (updated).
        """
        where = f'video {entry["video_id"]!r} segment ' \
            f'{segment_name(entry["segment"])}'
        local = entry['frame_inds'] - entry['segment'][0]
        boxes = entry['track_boxes'][:, local]  # (K, T, 4)
        present = ~np.isnan(boxes[..., 0])
        objects, unions = done.setdefault('objects',
                                          {}), done.setdefault('unions', {})
        if 'global' not in done:
            picks = _pick(np.ones(len(frames), bool), self.num_images)
            done['global'] = self._ask(
                describe_question(
                    'global', f'{where}: global',
                    [_fit(frames[t], self.image_size) for t in picks],
                    global_prompt(len(picks))))
        tids = entry['track_tids']
        for k in sorted(set(entry['pairs'].ravel().tolist())):
            if str(tids[k]) in objects:
                continue
            picks = _pick(present[k], self.num_images)
            images = [
                _fit(_crop(frames[t], boxes[k, t]), self.image_size)
                for t in picks
            ]
            objects[str(tids[k])] = self._ask(
                describe_question(
                    'object', f'{where}: tid {tids[k]}', images,
                    object_prompt(
                        len(images), self._name(entry['track_labels'][k]))))
        for s, o in entry['pairs']:
            key = f'{tids[s]}-{tids[o]}'
            if key in unions:
                continue
            picks = _pick(present[s] & present[o], self.num_images)
            images = []
            for t in picks:
                frame = frames[t].copy()
                _outline(frame, boxes[s, t], RED)
                _outline(frame, boxes[o, t], BLUE)
                union = np.concatenate([
                    np.minimum(boxes[s, t, :2], boxes[o, t, :2]),
                    np.maximum(boxes[s, t, 2:], boxes[o, t, 2:])
                ])
                images.append(_fit(_crop(frame, union), self.image_size))
            unions[key] = self._ask(
                describe_question(
                    'union', f'{where}: pair ({tids[s]}, {tids[o]})', images,
                    union_prompt(
                        len(images), self._name(entry['track_labels'][s]),
                        self._name(entry['track_labels'][o]))))
        return done


def _write_json(path: str, data: dict) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=1).encode('utf-8')
    write_atomically(path, lambda f: f.write(text))


def _same_teacher(data: dict, teacher: Optional[str], model: Optional[str],
                  path: str) -> None:
    """Refuse to add one teacher's answers to another teacher's file."""
    found = (data.get('teacher'), data.get('model'))
    if found == (None, None):
        raise VidVRDFormatError(
            f'{path}: video {data["video_id"]!r}: written before teachers '
            'were recorded, so its teacher is unknown; add its "teacher" '
            'and "model" to the file if you know them, or describe into '
            'another folder (--out-dir) (file left unchanged)')
    if found != (teacher, model):
        raise VidVRDFormatError(
            f'{path}: video {data["video_id"]!r}: described by teacher '
            f'{found[0]!r} (model {found[1]!r}), this run is teacher '
            f'{teacher!r} (model {model!r}); one file never mixes two '
            'teachers: describe into another folder (--out-dir) or rerun '
            'with the same --teacher and --model (file left unchanged)')


def describe_video(describer: SegmentDescriber,
                   entries: List[dict],
                   path: str,
                   reader,
                   teacher: Optional[str] = None) -> int:
    """Describe one video's segments into its text file ``path``.

    The file records ``teacher`` and the client's model; an existing file
    of another teacher or model is an error (left unchanged).

    Returns:
        int: Segments that got new descriptions.
    """
    video_id = entries[0]['video_id']
    model = getattr(describer.client, 'model', None)
    if osp.exists(path):
        data = load_descriptions(path, video_id)
        _same_teacher(data, teacher, model, path)
    else:
        data = empty_descriptions(video_id, teacher, model)
    changed = 0
    for entry in entries:
        name = segment_name(entry['segment'])
        before = json.dumps(data['segments'].get(name), sort_keys=True)
        frames = reader.get_batch(list(entry['frame_inds'])).asnumpy()
        segment = data['segments'].setdefault(name, {})
        try:
            describer.describe_segment(entry, frames, segment)
        finally:  # keep every accepted answer of a failing segment too
            if json.dumps(segment, sort_keys=True) != before:
                os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
                _write_json(path, data)
        changed += json.dumps(segment, sort_keys=True) != before
    return changed


def _texts(entries: List[dict], data: dict, path: str):
    """Rows of the encoded file, in dataset order; missing ones named."""
    segments, global_texts, object_keys, object_texts = [], [], [], []
    union_keys, union_texts = [], []
    for row, entry in enumerate(entries):
        name = segment_name(entry['segment'])
        seg = data['segments'].get(name)
        where = f'{path}: video {entry["video_id"]!r} segment {name}'
        if seg is None:
            raise VidVRDFormatError(f'{where} is not described (run the '
                                    'description step first)')
        segments.append(entry['segment'])
        global_texts.append(seg['global'])
        tids = entry['track_tids']
        for k in sorted(set(entry['pairs'].ravel().tolist())):
            text = seg.get('objects', {}).get(str(tids[k]))
            if text is None:
                raise VidVRDFormatError(f'{where}: tid {tids[k]} has no '
                                        'description')
            object_keys.append((row, tids[k]))
            object_texts.append(text)
        for s, o in entry['pairs']:
            text = seg.get('unions', {}).get(f'{tids[s]}-{tids[o]}')
            if text is None:
                raise VidVRDFormatError(f'{where}: pair ({tids[s]}, '
                                        f'{tids[o]}) has no description')
            union_keys.append((row, tids[s], tids[o]))
            union_texts.append(text)
    return (segments, global_texts, object_keys, object_texts, union_keys,
            union_texts)


def encode_video_descriptions(encoder,
                              encoder_key: Dict,
                              entries: List[dict],
                              text_path: str,
                              out_path: str,
                              replace: bool = False,
                              batch_size: int = 64,
                              teacher: Optional[str] = None) -> bool:
    """Encode one video's descriptions into ``out_path`` (F_text).

    Args:
        encoder: A text encoder called on a list of strings, giving (N, Dt)
            (e.g. :class:`CLIPTextEncoder`; raw projected embeddings are
            stored).
        encoder_key (dict): The encoder's identity (recorded).
        entries (list[dict]): The video's ``data_list`` entries.
        text_path (str): Its description text file.
        out_path (str): The encoded file.
        replace (bool): Replace an encoded file of other texts / encoder.
            Defaults to False (refuse).
        batch_size (int): Texts per encoder call. Defaults to 64.
        teacher (str, optional): The teacher the text file must record
            (None: any). Defaults to None.

    Returns:
        bool: Whether the file was (re)written.
    """
    import torch
    video_id = entries[0]['video_id']
    data = load_descriptions(text_path, video_id)
    check_teacher(data.get('teacher'), teacher, text_path, video_id)
    (segments, global_texts, object_keys, object_texts, union_keys,
     union_texts) = _texts(entries, data, text_path)
    texts = global_texts + object_texts + union_texts
    digest = hashlib.sha256(json.dumps(texts).encode()).hexdigest()
    key = dict(
        encoder=encoder_key,
        texts_sha256=digest,
        teacher=data.get('teacher'),
        teacher_model=data.get('model'))
    if osp.exists(out_path):
        from .vidvrd_descriptions import VideoDescriptionFeatures
        try:
            stored = VideoDescriptionFeatures(out_path, video_id).key
        except VidVRDFormatError:
            stored = None
        if stored == json.loads(json.dumps(key)):
            return False
        if not replace or stored is None:
            raise VidVRDFormatError(
                f'{out_path}: video {video_id!r}: the encoded descriptions '
                'were made from other texts, another teacher or another '
                'encoder (or the file is not ours); left unchanged (pass '
                '--reencode to replace an encoded description file)')
    with torch.no_grad():
        vectors = torch.cat([
            encoder(texts[i:i + batch_size]).float()
            for i in range(0, len(texts), batch_size)
        ]).numpy()
    n_g, n_o = len(global_texts), len(object_texts)
    save_encoded(
        out_path, key,
        dict(
            segments=np.array(segments, dtype=np.int64).reshape(-1, 2),
            global_feats=vectors[:n_g],
            object_keys=np.array(object_keys, dtype=np.int64).reshape(-1, 2),
            object_feats=vectors[n_g:n_g + n_o],
            union_keys=np.array(union_keys, dtype=np.int64).reshape(-1, 3),
            union_feats=vectors[n_g + n_o:]))
    return True

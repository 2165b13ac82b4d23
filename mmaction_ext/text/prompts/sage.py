"""SAGE's semantic-teacher questions about a video segment.

SAGE (Wang et al., Neural Networks 2026, Sec. 3.3) has a multimodal LLM
describe each segment from four perspectives: the subject region, the
object region, the union region of the pair and the whole frame (global),
with "targeted prompts" that "emphasize both entity attributes and
relational interactions". The paper does not print its prompts; these are
ours. Each question sends a few frames of the segment as images:

* **object** (serves as subject and object description of a track): the
  frames cropped to the track's box with some context;
* **union**: the frames cropped to the union of the two boxes, the subject
  outlined in red and the object in blue;
* **global**: the whole frames.

Object names are left out unless given (``name`` arguments), so that the
descriptions do not leak ground-truth classes into SGCls / SGDet.
"""
from typing import Optional, Sequence

from ..chat_messages import user_message
from .answer_text import strip_answer_prefix
from .question import Question

MIN_WORDS = 3


def _thing(name: Optional[str], fallback: str) -> str:
    return f'the {name.replace("_", " ")}' if name else fallback


def object_prompt(num_images: int, name: Optional[str] = None) -> str:
    """Asks for the object perspective of one track."""
    thing = _thing(name, 'the object in the center')
    return (f'These {num_images} images are frames of a short video clip, '
            f'each cropped around one object. Describe {thing}: what it '
            'looks like and what it does across the frames. Answer in one '
            'or two sentences.')


def union_prompt(num_images: int,
                 subject: Optional[str] = None,
                 object_name: Optional[str] = None) -> str:
    """Asks for the union (interaction) perspective of a pair."""
    sub = _thing(subject, 'the object in the red box')
    obj = _thing(object_name, 'the object in the blue box')
    boxes = ('' if subject or object_name else
             ' The red box marks the first object, the blue box the second.')
    return (f'These {num_images} images are frames of a short video clip '
            f'showing two objects.{boxes} Describe how {sub} relates to '
            f'{obj}: their relative position, motion and interaction across '
            'the frames. Answer in one or two sentences.')


def global_prompt(num_images: int) -> str:
    """Asks for the global (scene) perspective of a segment."""
    return (f'These {num_images} images are frames of a short video clip. '
            'Describe the scene and what happens in it across the frames. '
            'Answer in one or two sentences.')


def parse_description(answer: str, min_words: int = MIN_WORDS) -> str:
    """One line of description; too short an answer is asked again."""
    text = ' '.join(strip_answer_prefix(answer).split())
    if len(text.split()) < min_words:
        raise ValueError(f'{text!r} is not a description (fewer than '
                         f'{min_words} words)')
    return text


def describe_question(kind: str, what: str, images: Sequence,
                      prompt: str) -> Question:
    """A :class:`Question` sending ``images`` (uint8 RGB arrays)."""
    return Question(kind, what, [user_message(prompt, images)],
                    parse_description)

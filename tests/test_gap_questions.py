"""GAP's LLM prompts and the parsers of their answers."""
import re

import pytest
from fake_chat_server import BAD_ANSWERS, WORDS

from mmaction_ext.text.prompts import GAPQuestions
from mmaction_ext.text.prompts.gap import (paragraph_prompt, parse_paragraph,
                                           parse_parts, parse_synonyms,
                                           parts_prompt, synonym_prompt)


def test_prompts_are_gaps():
    assert paragraph_prompt('jump') == 'Describe a person "jump" in details.'
    assert synonym_prompt('jump') == 'Suggest 10 synonyms for "jump"'
    assert parts_prompt('jump') == (
        'Describing following body parts actions when "jump": head, hand, '
        'arm, hip, leg, foot.')
    assert parts_prompt('jump', [
        'head', 'leg'
    ]) == ('Describing following body parts actions when "jump": head, leg.')


def test_questions_fill_a_bank_entry_in_order():
    questions = GAPQuestions(
        parts=('head', 'hand'), min_synonyms=2, min_words=3).questions('jump')
    assert [q.field for q in questions] == ['synonyms', 'paragraph', 'parts']
    assert [q.messages for q in questions] == [
        [{
            'role': 'user',
            'content': synonym_prompt('jump')
        }],
        [{
            'role': 'user',
            'content': paragraph_prompt('jump')
        }],
        [{
            'role': 'user',
            'content': parts_prompt('jump', ('head', 'hand'))
        }],
    ]
    assert questions[0].what == "synonyms of class 'jump'"
    synonyms, paragraph, parts = (q.parse for q in questions)
    assert synonyms('hop, leap') == ['hop', 'leap']
    with pytest.raises(ValueError, match='1 distinct synonyms'):
        synonyms('hop, jump')
    assert paragraph('one two three') == 'one two three'
    assert parts('head up; hand down') == {
        'head': 'head up',
        'hand': 'hand down'
    }


def test_parsers_tolerate_common_answer_shapes():
    answer = ('Here are 10 synonyms for "put on a shoe":\n1. "Slip on a '
              'shoe"\n2. don footwear.\n3. Put On A Shoe\n- wear a shoe\n'
              '* lace up, shoe up\n7) pull on a shoe\n8. fit a shoe\n9. step '
              'into a shoe\n10. get shod\n11. Don footwear\n12. boot up')
    assert parse_synonyms(answer, 'put on a shoe') == [
        'Slip on a shoe', 'don footwear', 'wear a shoe', 'lace up', 'shoe up',
        'pull on a shoe', 'fit a shoe', 'step into a shoe', 'get shod',
        'boot up'
    ]
    label = 'grab other person\u2019s stuff'  # NTU's typographic apostrophe
    quoted = ', '.join(f'"{label} {w}"' for w in WORDS)
    assert parse_synonyms(f'"{label}", {quoted}',
                          label) == [f'{label} {w}' for w in WORDS]
    gap_style = ('head tilts slightly forward; hand reaches down and grasps '
                 'shoe; arm extends down and forward; hip remains stationary;'
                 ' leg bends at the knee; foot inserts into shoe.')
    assert parse_parts('A: ' + gap_style)['foot'] == 'foot inserts into shoe'
    listed = ('Body parts:\n1. Head: tilts down.\n2. **Hands**: grip the '
              'cup\n3. Arms - bend\n4. Hips stay still\n5. Legs stand\n6. '
              'Feet flat.')
    assert parse_parts(listed) == {
        'head': 'Head tilts down',
        'hand': 'Hands grip the cup',
        'arm': 'Arms bend',
        'hip': 'Hips stay still',
        'leg': 'Legs stand',
        'foot': 'Feet flat'
    }
    assert parse_paragraph('A:  "' + 'word ' * 20 + '"') == ' '.join(['word'] *
                                                                     20)


@pytest.mark.parametrize('parse,answer,error', [
    (parse_synonyms, 'sip, gulp, swig', '3 distinct synonyms'),
    (parse_synonyms, ', '.join(['drink water'] * 12), '0 distinct'),
    (parse_parts, BAD_ANSWERS['parts'], '5 part clauses'),
    (parse_parts, 'head a; hand b; arm c; leg d; hip e; foot f',
     "the hip clause 'leg d'"),
    (parse_paragraph, 'The person drinks.', '3 words'),
])
def test_parsers_reject_malformed_answers(parse, answer, error):
    args = (answer, 'drink water') if parse is parse_synonyms else (answer, )
    with pytest.raises(ValueError, match=re.escape(error)):
        parse(*args)

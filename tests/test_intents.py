"""Intent parsing: exact unit tests, the vocabulary round trip, and robustness."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.cli import main
from assistant.errors import VocabularyError
from assistant.intents import INTENT_NAMES, Intent, expand, load_vocabulary, parse

VOCAB = load_vocabulary("en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("next", Intent("next")),
        ("next please", Intent("next")),
        ("okay next", Intent("next")),
        ("Next one.", Intent("next")),
        ("go back", Intent("back")),
        ("say that again", Intent("repeat")),
        ("repeat", Intent("repeat")),
        ("a bit lighter", Intent("lighter")),
        ("too hard", Intent("lighter")),
        ("back off", Intent("lighter")),
        ("harder please", Intent("firmer")),
        ("slow down", Intent("slower")),
        ("speed up", Intent("faster")),
        ("hold on", Intent("pause")),
        ("give me a second", Intent("pause")),
        ("carry on", Intent("resume")),
        ("stop", Intent("stop")),
        ("STOP!", Intent("stop")),
        ("please don't stop", Intent("stop")),  # stop anywhere wins: safety first
        ("next stop", Intent("stop")),
        ("what can I say", Intent("help")),
        ("where am I", Intent("status")),
        ("how much longer", Intent("status")),
        ("yes", Intent("yes")),
        ("I'm fine", Intent("resume")),  # not "yes": in screening a yes ends the session
        ("everything is fine", Intent("resume")),
        ("no", Intent("no")),
        ("no I don't", Intent("no")),
        ("ouch", Intent("ouch")),
        ("ow ow", Intent("ouch")),
        ("that hurts", Intent("ouch")),
        ("it's a seven", Intent("pain", 7)),
        ("it's an eight", Intent("pain", 8)),
        ("seven out of ten", Intent("pain", 7)),
        ("7/10", Intent("pain", 7)),
        ("10", Intent("pain", 10)),
        ("about six", Intent("pain", 6)),
        ("six or seven", Intent("pain", 7)),  # take the higher
        ("maybe five or four", Intent("pain", 5)),
        ("no pain", Intent("pain", 0)),
        ("zero", Intent("pain", 0)),
        ("it doesn't hurt", Intent("pain", 0)),
        ("no pain at all", Intent("pain", 0)),
        ("I'd say a six", Intent("pain", 6)),
        ("it's about a five", Intent("pain", 5)),
        ("that's too hard", Intent("lighter")),
        ("it's a bit too much", Intent("lighter")),
        ("too much pressure", Intent("lighter")),
        ("not enough pressure", Intent("firmer")),  # "enough" alone stops; not here
        ("enough", Intent("stop")),
        ("that really hurts", Intent("ouch")),
        ("it hurts a lot", Intent("ouch")),
        ("one sec", Intent("pause")),
        ("give me one second", Intent("pause")),
    ],
)
def test_natural_variants(text: str, expected: Intent) -> None:
    assert parse(text, VOCAB) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "!!!",
        "blah",
        "okay",
        "next week is busy",
        "my back hurts a lot today",
        "the weather is nice",
        "sorry",
        "is that enough oil",
        "eleven",
        "lighter firmer",
        "[unk]",
    ],
)
def test_unknown_or_ambiguous_text_yields_no_intent(text: str) -> None:
    assert parse(text, VOCAB) is None


def test_every_sentence_of_the_vocabulary_parses_back_to_its_own_intent() -> None:
    sentences = list(VOCAB.sentences())
    assert len(sentences) > 500
    for phrase in sentences:
        assert parse(" ".join(phrase.words), VOCAB) == Intent(phrase.intent, phrase.value)


def test_every_intent_has_phrases_and_the_grammar_words_cover_them() -> None:
    assert {p.intent for p in VOCAB.sentences()} == set(INTENT_NAMES)
    words = set(VOCAB.words())
    assert all(w in words for p in VOCAB.sentences() for w in p.words)
    assert all(w.isalpha() for w in words), "grammar words must be plain words"


def test_the_recognizer_grammar_comes_from_the_same_vocabulary() -> None:
    grammar = VOCAB.grammar()
    assert grammar[-1] == "[unk]" and len(grammar) == len(set(grammar))
    for sentence in grammar[:-1]:  # whatever the recognizer can say, the parser understands
        assert parse(sentence, VOCAB) is not None, sentence


def test_template_expansion() -> None:
    assert expand("(a|b) c [d]") == [("a", "c"), ("a", "c", "d"), ("b", "c"), ("b", "c", "d")]
    assert expand("{n} or {n}") == [("{n}", "or", "{n}")]
    with pytest.raises(ValueError, match="missing"):
        expand("(a|b")


def test_missing_locale_is_a_clear_error() -> None:
    with pytest.raises(VocabularyError, match="no vocabulary for locale 'xx'"):
        load_vocabulary("xx")


@given(st.text(max_size=80))
def test_arbitrary_text_never_raises(text: str) -> None:
    result = parse(text, VOCAB)
    assert result is None or result.name in INTENT_NAMES


def test_parse_command_prints_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "okay next", "six or seven", "mumble"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == [
        {"text": "okay next", "name": "next", "value": None},
        {"text": "six or seven", "name": "pain", "value": 7},
        {"text": "mumble", "name": None, "value": None},
    ]

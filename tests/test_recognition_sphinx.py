"""The PocketSphinx engine on real recordings: what it hears, rejects and streams.

Thresholds are regression guards at the levels measured when the engine was written
(see the engine's docstring), well below the product targets: this engine is the
fallback, and these numbers say how far it is from them.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.audio.pcm import Pcm, read_wav
from assistant.errors import SpeechEngineError
from assistant.intents import Intent, load_vocabulary, parse
from assistant.intents.vocabulary import Phrase
from assistant.recognizers import Hypothesis

pytest.importorskip("pocketsphinx")
from assistant.recognizers.sphinx_engine import SphinxRecognizer, open_sphinx

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
VOCAB = load_vocabulary("en")
BLOCK = 1600  # samples per accept() call: 100 ms, as from a microphone
#: Quiet room noise between utterances (digital silence confuses the endpointer).
GAP = np.random.default_rng(0).normal(0, 10, 9600).astype(np.int16)


def corpus() -> Path:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"no speech corpus at {CORPUS}")
    return CORPUS


@functools.cache
def manifest() -> tuple[dict[str, str], ...]:
    with open(corpus() / "MANIFEST.tsv", encoding="utf-8") as f:
        return tuple(csv.DictReader(f, delimiter="\t"))


def clips(
    prefix: str, category: str, words: tuple[str, ...], per_word: int
) -> list[dict[str, str]]:
    """The first ``per_word`` clips of each word under ``prefix``, sorted by path."""
    rows = [r for r in manifest() if r["path"].startswith(prefix) and r["category"] == category]
    out: list[dict[str, str]] = []
    for word in words:
        out += sorted((r for r in rows if r["transcript"] == word), key=lambda r: r["path"])[
            :per_word
        ]
    return out


@pytest.fixture(scope="module")
def recognizer() -> SphinxRecognizer:
    rec = open_sphinx(VOCAB, None).recognizer
    assert isinstance(rec, SphinxRecognizer)
    return rec


def stream(rec: SphinxRecognizer, pcm: Pcm) -> list[Hypothesis]:
    data = np.concatenate([GAP, pcm, GAP]).tobytes()
    out: list[Hypothesis] = []
    for i in range(0, len(data), BLOCK * 2):
        out += rec.accept(data[i : i + BLOCK * 2])
    return out


def heard(rec: SphinxRecognizer, pcm: Pcm) -> list[Intent]:
    """The intents of the final results for one clip."""
    finals = [h.text for h in stream(rec, pcm) if h.final and h.text]
    return [i for i in (parse(t, VOCAB) for t in finals) if i is not None]


def expected(word: str) -> Intent:
    return Intent("pain", VOCAB.numbers[word]) if word in VOCAB.numbers else Intent(word)


def test_notes_and_missing_words_do_not_crash() -> None:
    opened = open_sphinx(VOCAB, None)
    assert opened.notes == []  # apostrophe-less forms and hand pronunciations cover it all
    odd = replace(VOCAB, phrases=(*VOCAB.phrases, Phrase(("zorblax",), "next")))
    notes = open_sphinx(odd, None).notes
    assert len(notes) == 1 and "zorblax" in notes[0]


def test_final_texts_are_grammar_phrases(recognizer: SphinxRecognizer) -> None:
    rows = clips("sc_v002_test/", "command", ("yes", "no", "stop"), 4)
    rows += clips("sc_v002_test/", "oov_word", ("go", "left", "off"), 3)
    for row in rows:
        for hyp in stream(recognizer, read_wav(corpus() / row["path"])):
            if hyp.final:
                assert hyp.text == "" or tuple(hyp.text.split()) in VOCAB.index, hyp


def test_real_commands(recognizer: SphinxRecognizer) -> None:
    words = ("yes", "no", "stop", "one", "two", "three", "four", "five", "six", "seven")
    rows = clips("sc_v002_test/", "command", words, 6)
    right = sum(
        heard(recognizer, read_wav(corpus() / r["path"]))[:1] == [expected(r["transcript"])]
        for r in rows
    )
    print(f"real commands: {right}/{len(rows)}")
    assert right >= 0.4 * len(rows)  # measured 25/56: a weak fallback, far from the 98% target


def test_silence_clips_give_no_command(recognizer: SphinxRecognizer) -> None:
    rows = sorted(
        (r for r in manifest() if r["path"].startswith("sc_v002_test/silence/")),
        key=lambda r: r["path"],
    )[:20]
    accepted = [r["path"] for r in rows if heard(recognizer, read_wav(corpus() / r["path"]))]
    print(f"silence accepted: {accepted}")
    assert len(accepted) <= 7  # measured 6/20: no rejection yet (see MIN_SCORE_RATIO)


def test_partial_stop_comes_before_the_final(recognizer: SphinxRecognizer) -> None:
    rows = clips("sc_v002_test/", "command", ("stop",), 10)
    early = 0
    for row in rows:
        hyps = stream(recognizer, read_wav(corpus() / row["path"]))
        finals = [i for i, h in enumerate(hyps) if h.final and h.text == "stop"]
        if finals:
            partials = [h for h in hyps[: finals[0]] if not h.final and "stop" in h.text.split()]
            assert all(p.end <= hyps[finals[0]].end for p in partials)
            early += bool(partials)
    assert early >= 1


def test_flush_finishes_an_utterance_under_way() -> None:
    rec = open_sphinx(VOCAB, None).recognizer
    row = clips("sc_v002_test/", "command", ("stop",), 1)[0]
    pcm = np.concatenate([GAP, read_wav(corpus() / row["path"])])
    # the audio ends 0.2 s after the word, before the endpointer's 0.3 s end window closes
    pcm = pcm[: int(np.flatnonzero(np.abs(pcm) > 2000)[-1]) + 3200]
    out = rec.accept(pcm.tobytes())
    assert not any(h.final for h in out)
    finals = [h for h in rec.flush() if h.final]
    assert len(finals) == 1
    assert finals[0].end == pytest.approx(len(pcm) / 16000, abs=0.001)
    assert rec.flush() == []


def test_synthesized_stop_is_heard() -> None:
    from assistant.simulation.voices import SPEAKERS, synthesize

    try:
        pcm = synthesize("stop", SPEAKERS[0])
    except SpeechEngineError as exc:
        pytest.skip(str(exc))
    rec = open_sphinx(VOCAB, None).recognizer
    assert Intent("stop") in heard(rec, pcm)

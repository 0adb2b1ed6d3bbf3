"""Shared helpers for audio tests: real narration audio, the shared corpus, levels."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pytest

from assistant.audio.pcm import Pcm, read_wav, to_float
from assistant.audio.speaker import LineAudio
from assistant.errors import SpeechEngineError
from assistant.intents import Vocabulary
from assistant.narration.render import Pyttsx3Renderer
from assistant.recognizers import RecognizerError, settled
from assistant.recognizers.listener import Heard, Listener

if TYPE_CHECKING:
    from assistant.recognizers.whisper_engine import WhisperDecoder, WhisperRecognizer

T = TypeVar("T")
#: The team's shared recordings, beside the checkout; tests skip when it is absent.
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def need_espeak() -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")


def line_audio(locale: str = "en") -> LineAudio:
    """Real pyttsx3 narration, or a skip when the engine cannot start here."""
    lines = LineAudio(Pyttsx3Renderer(locale=locale))
    try:
        lines.get("test")
    except SpeechEngineError as exc:  # pragma: no cover - espeak-ng missing
        pytest.skip(f"speech engine unavailable: {exc}")
    return lines


def level_db(x: Pcm) -> float:
    """Mean power in dB relative to full scale (-120 for digital silence)."""
    if not len(x):
        return -120.0
    return float(10 * np.log10(np.mean(to_float(x) ** 2) + 1e-12))


def corpus_clips(word: str | None, limit: int, category: str = "command") -> list[tuple[Path, Pcm]]:
    """The first ``limit`` recordings of ``word`` (of every word: None), sorted by path,
    as 16 kHz samples."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    with manifest.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["category"] == category]
    paths = sorted(CORPUS / r["path"] for r in rows if word in (None, r["transcript"]))[:limit]
    return [(p, read_wav(p)) for p in paths]


def middles(items: Sequence[T], n: int) -> list[T]:
    """The middle items of ``n`` equal parts of ``items``: spread over a sorted list
    (many speakers and sources), not the first few."""
    return [items[(2 * i + 1) * len(items) // (2 * n)] for i in range(min(n, len(items)))]


def spread_clips(word: str, n: int, category: str = "command") -> list[Pcm]:
    """``n`` recordings of ``word`` spread over the corpus (see :func:`middles`)."""
    return [pcm for _, pcm in middles(corpus_clips(word, 1000, category), n)]


def quiet(seconds: float, seed: int = 0) -> Pcm:
    """Room tone: faint noise rather than digital zeros, as a real microphone gives."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(seconds * 16000)) * 20).astype(np.int16)


def opened_whisper(vocabulary: Vocabulary) -> tuple[WhisperRecognizer, list[str]]:
    """A fresh Whisper recognizer as a session opens it (the second model not open yet)
    and its notes, or a skip where the model cannot be found."""
    from assistant.recognizers.whisper_engine import WhisperRecognizer, open_whisper

    try:
        opened = open_whisper(vocabulary)
    except RecognizerError as exc:
        pytest.skip(f"no Whisper model here: {exc}")
    assert isinstance(opened.recognizer, WhisperRecognizer)
    return opened.recognizer, opened.notes


def whisper_recognizer(vocabulary: Vocabulary) -> WhisperRecognizer:
    """A fresh Whisper recognizer (its clock at zero; the model is loaded once per
    process) with its second model open, or a skip where the model cannot be found."""
    recognizer, _ = opened_whisper(vocabulary)
    settled(recognizer)  # what a test hears must not depend on a thread's speed
    return recognizer


def assert_same_decodes(a: WhisperDecoder, b: WhisperDecoder) -> None:
    """Two models (float16 quantized at load, and its int8 rewrite) give the same text
    and score on real words from across the corpus."""
    clips = [pcm for _, pcm in corpus_clips(None, 3000)[::150]]
    assert len(clips) >= 12
    for pcm in clips:
        audio = np.concatenate([quiet(0.3), pcm, quiet(0.5)]).astype(np.float32) / 32768
        x, y = a.decode(audio), b.decode(audio)
        assert x.text == y.text
        assert x.logprob == pytest.approx(y.logprob, abs=1e-5)


def flip_last_byte(path: Path) -> None:
    """A file changed in place, at the same size: one bit of its last byte flipped."""
    with path.open("r+b") as f:
        f.seek(-1, 2)
        last = f.read(1)
        f.seek(-1, 2)
        f.write(bytes([last[0] ^ 1]))


def heard_in(listener: Listener, audio: Pcm) -> list[Heard]:
    """What ``listener`` takes from ``audio``, fed in the live stream's 32 ms blocks."""
    return [h for b in range(0, len(audio), 512) for h in listener.feed(audio[b : b + 512])]


def recognized_clips(word: str, want: int, listener_factory: object) -> list[Pcm]:
    """Recordings of real people saying ``word`` that the recognizer gets right alone.

    Pipeline tests (echo, cut-off, devices) ask whether an utterance the recognizer
    can hear survives the pipeline; raw accuracy is measured in its own tests.
    16 kHz recordings are tried first (the 8 kHz ones are a poor fit for the model).
    """
    clips = sorted(corpus_clips(word, 400), key=lambda c: ("fsdd" in c[0].parts, c[0]))
    return _recognized(word, [pcm for _, pcm in clips[:60]], want, listener_factory)


def recognized_voices(text: str, want: int, listener_factory: object) -> list[Pcm]:
    """espeak-ng speakers saying ``text`` whom the recognizer gets right alone."""
    from assistant.simulation.voices import SPEAKERS, synthesize

    need_espeak()
    return _recognized(text, [synthesize(text, s) for s in SPEAKERS], want, listener_factory)


def _recognized(text: str, candidates: list[Pcm], want: int, listener_factory: object) -> list[Pcm]:
    from assistant.intents import load_vocabulary, parse

    expected = parse(text, load_vocabulary("en"))
    found: list[Pcm] = []
    for pcm in candidates:
        clip = np.concatenate([quiet(0.5), pcm, quiet(1.0)])
        listener = listener_factory()  # type: ignore[operator]
        heard = []
        for i in range(0, len(clip), 512):
            heard += listener.feed(clip[i : i + 512])
        heard += listener.flush()
        if [h.intent for h in heard if h.intent] == [expected]:
            found.append(pcm)
            if len(found) == want:
                return found
    pytest.fail(f"fewer than {want} of {len(candidates)} takes of {text!r} recognized alone")


def word_end(pcm: Pcm) -> float:
    """Seconds to the end of the loud part of a clip (recordings carry silence after)."""
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > 0.1 * np.abs(pcm).max())
    return float(loud[-1] + 1) / 16000 if len(loud) else 0.0

"""Speech recognizers behind one interface, and the one place that knows them all.

A recognizer takes 16 kHz mono int16 audio in blocks and reports what it heard:
partial hypotheses while someone speaks (so that "stop" can act early) and a final
one when the utterance ends. It only ever outputs phrases of the vocabulary's
grammar, or nothing. Adding an engine means one module and one line in ``ENGINES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from assistant.errors import AssistantError
from assistant.intents import Vocabulary

__all__ = [
    "ENGINES",
    "Hypothesis",
    "Recognizer",
    "RecognizerError",
    "open_recognizer",
    "settled",
]


class RecognizerError(AssistantError):
    """A recognizer cannot be started (no model, missing package, bad grammar)."""


@dataclass(frozen=True)
class Hypothesis:
    """What the recognizer heard.

    ``text`` is a phrase of the grammar (lower case, words separated by spaces) or ""
    for speech that matched nothing; ``final`` is False for a partial result that may
    still change; ``end`` is the audio time (seconds since the recognizer started)
    at which the result was produced; ``start``, when given, the time its audio began,
    for a result taken from audio further back than usual (the echo check then looks
    at what the narration said since then, not just in the last moment).
    """

    text: str
    final: bool
    end: float
    confidence: float | None = None
    start: float | None = None


@dataclass
class Opened:
    """A started recognizer and what the person starting it should be told."""

    recognizer: Recognizer
    notes: list[str] = field(default_factory=list)  # e.g. grammar words the model lacks


class Recognizer(Protocol):
    """A streaming, grammar-constrained recognizer."""

    name: str  # the engine's name, as in ENGINES
    sample_rate: int  # always 16000 here

    def accept(self, pcm: bytes) -> list[Hypothesis]:
        """Feed a block of int16 mono audio; return any results it produced."""
        ...

    def flush(self) -> list[Hypothesis]:
        """The audio has ended: return the final result of any utterance under way."""
        ...


def settled(recognizer: Recognizer) -> Recognizer:
    """``recognizer`` with any model it would open in the background open now (Whisper
    base): for the benchmark and tests, whose figures must not depend on a thread's
    speed. A live session does not wait for it."""
    finish = getattr(recognizer, "finish_opening", None)
    if callable(finish):
        finish()
    return recognizer


#: ``engine name -> "module:function"``; the function has the signature of
#: :data:`OpenFunction`. Imported lazily so a missing engine package breaks only itself.
ENGINES: dict[str, str] = {
    "vosk": "assistant.recognizers.vosk_engine:open_vosk",
    "pocketsphinx": "assistant.recognizers.sphinx_engine:open_sphinx",
    "whisper": "assistant.recognizers.whisper_engine:open_whisper",
}

#: The order engines are tried in when none is named, per language; the first that
#: starts is used. English: Whisper, the best measured by ``bench`` (bench/README.md),
#: then vosk where an English model is installed, then PocketSphinx, which always can.
PREFERRED: dict[str, tuple[str, ...]] = {"en": ("whisper", "vosk", "pocketsphinx")}
FALLBACK = ("vosk",)  # every other language

OpenFunction = Callable[[Vocabulary, "Path | None"], Opened]


def open_recognizer(
    vocabulary: Vocabulary, engine: str | None = None, model: Path | None = None
) -> Opened:
    """Start the named engine, or the best available one for the vocabulary's locale.

    Without a name, the engines of :data:`PREFERRED` are tried in turn (English:
    Whisper, vosk, PocketSphinx; other languages: vosk). When one cannot start, a note
    says why and which engine listens instead. :class:`RecognizerError` explains what
    is missing when nothing can start. A ``model`` path is offered to each in turn:
    the engine whose kind of model it is takes it. A locale whose vocabulary
    understands the English "stop" typed also hears it spoken: an English stop
    spotter listens beside its recognizer (:mod:`assistant.recognizers.english_stop`).
    """
    return _with_english_stop(_open_best(vocabulary, engine, model), vocabulary)


def _with_english_stop(opened: Opened, vocabulary: Vocabulary) -> Opened:
    """``opened``, with the English stop spotter beside it where the locale needs one."""
    if vocabulary.locale == "en" or ("stop",) not in {p.words for p in vocabulary.typed}:
        return opened
    from assistant.recognizers.english_stop import (
        WhisperConfirms,
        WithEnglishStop,
        open_stop_spotter,
    )

    try:
        spotter = open_stop_spotter()
    except RecognizerError as exc:
        opened.notes.append(f"{exc}; the English 'stop' is understood typed only")
        return opened
    if not isinstance(spotter.confirm, WhisperConfirms):
        opened.notes.append(
            "Whisper cannot start, so a weaker check confirms the spoken English 'stop' "
            "(it takes a few other short English words for one)"
        )
    return Opened(WithEnglishStop(opened.recognizer, spotter), opened.notes)


def _open_best(vocabulary: Vocabulary, engine: str | None, model: Path | None) -> Opened:
    if engine is not None:
        return _open(engine, vocabulary, model)
    order = PREFERRED.get(vocabulary.locale, FALLBACK)
    why: list[str] = []
    for i, name in enumerate(order):
        try:
            opened = _open(name, vocabulary, model)
        except RecognizerError as exc:
            if i == len(order) - 1:
                raise
            why.append(str(exc))
            continue
        if why:
            opened.notes.insert(0, f"{'; '.join(why)}; listening with {name} instead")
        return opened
    raise RecognizerError(f"no speech recognizer for '{vocabulary.locale}'")  # pragma: no cover


def _open(engine: str, vocabulary: Vocabulary, model: Path | None) -> Opened:
    target = ENGINES.get(engine)
    if target is None:
        raise RecognizerError(f"unknown engine '{engine}' (known: {', '.join(ENGINES)})")
    module_name, func_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise RecognizerError(f"the {engine} engine is not installed ({exc})") from exc
    func: OpenFunction = getattr(module, func_name)
    return func(vocabulary, model)

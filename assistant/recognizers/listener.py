"""From recognizer results to commands: early ``stop``, and no self-hearing.

The recognizer only knows words; this is where its results become intents, with
two rules that matter for safety and for sanity:

* ``stop`` acts on partial results, without waiting for the end of the utterance,
  once it has held for ``confirm_seconds`` of audio (one flicker is not enough). A
  stop seen in the partials is acted on even if the final result then drops it: a
  false stop costs a moment, a missed one could hurt.
* The assistant knows what it is saying. A command (other than stop) whose words
  were sounding in the narration just before it was heard is taken for the
  assistant's own echo and dropped; a command the narration is not saying passes,
  so a person can talk over the voice. Stop is never dropped this way: against its
  echo stand the echo canceller and gate, and a needless stop is safe.
* While the recognizer hears someone (its voice detector is in an utterance), the
  narration can be ducked (``duck``), so the rest of what they say stands above its
  echo. With an echo canceller in the path, ``run`` ducks from the echo gate instead
  (:class:`~assistant.audio.echo.EchoGate` notices any sound the echo cannot explain,
  a block after it starts); :data:`DUCK_NARRATION` says whether it does.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.audio.echo import DUCK_GAIN, EchoGate
from assistant.audio.pcm import RATE, Pcm
from assistant.intents import Intent, Vocabulary, normalize, parse
from assistant.recognizers import Hypothesis, Recognizer

__all__ = ["Heard", "Listener", "echo_gate", "onset_restorer"]

#: (first sample, one past last) -> narration words sounding then.
NarrationWords = Callable[[int, int], set[str]]
#: Whether ``run`` ducks the narration while someone talks over it (from the echo gate,
#: at any sound the echo cannot explain). On: in the benchmark's stop-over-narration
#: test it caught 19 of 24 stops against 6 of 16 without (bench/README.md).
DUCK_NARRATION = True
#: Seconds after a command from a look at idle audio (a result with a ``start``) during
#: which the same command, or nothing understood, is taken for the tail of the same
#: word, which the voice detector may notice after the look heard the word, and dropped.
TWICE_SECONDS = 1.5


@dataclass(frozen=True)
class Heard:
    """A command taken from the audio at ``t`` seconds (audio time), or a rejection."""

    t: float
    text: str
    intent: Intent | None  # None: speech that was not a command
    echo: bool = False  # dropped as the assistant's own words
    confidence: float | None = None  # the recognizer's, 0-1, when it gives one


class Listener:
    """Feeds audio to a recognizer and turns its results into :class:`Heard` items."""

    def __init__(
        self,
        recognizer: Recognizer,
        vocabulary: Vocabulary,
        *,
        narration: NarrationWords | None = None,
        confirm_seconds: float = 0.1,
        echo_window: float = 1.5,
        duck: Callable[[float], None] | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.vocabulary = vocabulary
        self.narration = narration
        self.confirm = confirm_seconds
        self.echo_window = echo_window
        self._stop_words = {w for phrase in vocabulary.anywhere for w in phrase}
        self._stop_since: float | None = None  # recognizer time the partials began to say stop
        self._stop_sent = False  # this utterance already gave its stop
        self._fed = 0  # samples fed to the recognizer: its clock
        self._offset = 0  # samples never fed (dropped by a busy machine), for true times
        self.dropped: list[Heard] = []  # echoes, kept for diagnostics and the benchmark
        self.duck = duck  # the narration's gain control (Mixer.duck), if any
        self._ducked = False
        #: (time, command) of the latest command a look at idle audio gave
        self._looked: tuple[float, Intent] | None = None

    def feed(self, pcm: Pcm) -> list[Heard]:
        """Feed a block; return the commands (and rejections) it completed."""
        self._fed += len(pcm)
        found = self._take(self.recognizer.accept(np.ascontiguousarray(pcm).tobytes()))
        if self.duck is not None:
            hearing = bool(getattr(self.recognizer, "in_speech", False))
            if hearing != self._ducked:
                self._ducked = hearing
                self.duck(DUCK_GAIN if hearing else 1.0)
        return found + self._confirm_stop()

    def skip(self, samples: int) -> None:
        """Audio that was lost before reaching us: keep times true to the audio timeline."""
        self._offset += samples

    def flush(self) -> list[Heard]:
        """The audio has ended: finish the utterance under way."""
        return self._take(self.recognizer.flush())

    def _confirm_stop(self) -> list[Heard]:
        """Stop once the partials have said it for ``confirm`` seconds of audio."""
        if self._stop_since is None or self._stop_sent:
            return []
        now = self._fed / RATE
        if now - self._stop_since < self.confirm:
            return []
        self._stop_sent = True
        return [Heard(self._time(now), "stop", Intent("stop"))]

    def _time(self, recognizer_time: float) -> float:
        return recognizer_time + self._offset / RATE

    def _take(self, hyps: list[Hypothesis]) -> list[Heard]:
        out: list[Heard] = []
        for h in hyps:
            heard = self._final(h) if h.final else self._partial(h)
            if heard is None or self._twice(heard):
                continue
            if heard.echo:
                self.dropped.append(heard)
            else:
                out.append(heard)
                if h.start is not None and heard.intent is not None:
                    self._looked = (heard.t, heard.intent)
        return out

    def _twice(self, heard: Heard) -> bool:
        """Whether ``heard`` is the tail of a word a look at idle audio has just given
        (:data:`TWICE_SECONDS`): the same command again, or nothing understood (a
        "not understood" right after acting on the word would only confuse)."""
        if self._looked is None:
            return False
        at, intent = self._looked
        if heard.t - at > TWICE_SECONDS:
            self._looked = None
            return False
        return heard.intent is None or heard.intent == intent

    def _partial(self, h: Hypothesis) -> Heard | None:
        if self._stop_sent:
            return None
        if set(normalize(h.text, self.vocabulary)) & self._stop_words:
            if self._stop_since is None:
                self._stop_since = h.end
        else:
            self._stop_since = None  # a flicker: the partial no longer says stop
        return None

    def _final(self, h: Hypothesis) -> Heard | None:
        sent, seen = self._stop_sent, self._stop_since is not None
        self._stop_since = None
        self._stop_sent = False
        text = h.text.strip()
        intent = parse(text, self.vocabulary) if text else None
        if intent is not None and intent.name == "stop" and sent:
            return None  # acted on already, from the partials
        if seen and not sent and (intent is None or intent.name != "stop"):
            # the partials said stop, the final did not: safety first
            return Heard(self._time(h.end), "stop", Intent("stop"))
        if intent is None:
            return Heard(self._time(h.end), text, None, confidence=h.confidence)
        since = None if h.start is None else self._time(h.start)
        return self._judge(self._time(h.end), text, intent, h.confidence, since)

    def _judge(
        self,
        t: float,
        text: str,
        intent: Intent,
        confidence: float | None,
        since: float | None = None,
    ) -> Heard:
        """Drop a command (never stop) if the narration was saying its words just before.
        A result whose audio began further back (``since``: a look at audio the voice
        detector let pass) is dropped if the narration said anything at all since then:
        over the narration such a look hears mostly its echo, in any words ("five" from
        a lively room's echo, bench/README.md, "Issue 14q"), while a person talking over
        the narration is the echo gate's and the detector's to hear."""
        if self.narration is None or intent.name == "stop":
            return Heard(t, text, intent, confidence=confidence)
        end = int(t * RATE)
        sounding = self.narration(end - int(self.echo_window * RATE), end)
        spoken = set(normalize(text, self.vocabulary)) - self.vocabulary.fillers
        echo = bool(spoken) and all(_sounded(w, sounding) for w in spoken)
        if since is not None and not echo:
            echo = bool(self.narration(int(since * RATE), end))
        return Heard(t, text, intent, echo=echo, confidence=confidence)


def _sounded(word: str, sounding: set[str]) -> bool:
    """The narration said ``word``, or a word of the same stem: a grammar recognizer snaps
    what it hears to its own words, so the echo of "slowly" comes back as "slower"."""
    if word in sounding:
        return True
    for said in sounding:
        common = len(os.path.commonprefix([word, said]))  # noqa: RUF071 (letters wanted)
        if common >= 4 and common >= min(len(word), len(said)) - 2:
            return True
    return False


def echo_gate(recognizer: Recognizer | None, duck: Callable[[float], None] | None) -> EchoGate:
    """The echo gate for ``recognizer``: it lets a person heard over the narration
    through ungated only to an engine that rejects what is not a command (``rejects``),
    and gives such an engine back the onset it silenced (``amend``)."""
    rejects = bool(getattr(recognizer, "rejects", False))
    return EchoGate(
        duck=duck if DUCK_NARRATION else None,
        pass_heard=rejects,
        restore=onset_restorer(recognizer) if rejects else None,
    )


def onset_restorer(recognizer: Recognizer | None) -> Callable[[Pcm], None] | None:
    """The gate's ``restore`` for ``recognizer``: its ``amend``, if it has one."""
    amend = getattr(recognizer, "amend", None)
    if amend is None:
        return None

    def restore(pcm: Pcm) -> None:
        amend(np.ascontiguousarray(pcm, dtype=np.int16).tobytes())

    return restore

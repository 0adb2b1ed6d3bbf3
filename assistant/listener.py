"""From recognizer results to commands: early ``stop``, and no self-hearing.

The recognizer only knows words; this is where its results become intents, with
two rules that matter for safety and for sanity:

* ``stop`` acts on partial results, as soon as it has been seen in ``confirm``
  partials in a row (one flicker is not enough), so it does not wait for the end
  of the utterance; every other command waits for the final result.
* The assistant knows what it is saying. A command whose words were sounding in
  the narration just before it was heard is taken for the assistant's own echo
  and dropped; a command the narration is not saying passes, so a person can
  talk over the voice, and ``stop`` works mid-sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .intents import Intent, Vocabulary, normalize, parse
from .pcm import RATE, Pcm
from .recognizers import Hypothesis, Recognizer

__all__ = ["Heard", "Listener"]

#: (first sample, one past last) -> narration words sounding then.
NarrationWords = Callable[[int, int], set[str]]


@dataclass(frozen=True)
class Heard:
    """A command taken from the audio at ``t`` seconds (audio time), or a rejection."""

    t: float
    text: str
    intent: Intent | None  # None: speech that was not a command
    echo: bool = False  # dropped as the assistant's own words


class Listener:
    """Feeds audio to a recognizer and turns its results into :class:`Heard` items."""

    def __init__(
        self,
        recognizer: Recognizer,
        vocabulary: Vocabulary,
        *,
        narration: NarrationWords | None = None,
        confirm: int = 2,
        echo_window: float = 1.5,
    ) -> None:
        self.recognizer = recognizer
        self.vocabulary = vocabulary
        self.narration = narration
        self.confirm = confirm
        self.echo_window = echo_window
        self._stop_words = {w for phrase in vocabulary.anywhere for w in phrase}
        self._stop_run = 0  # partials in a row that contained a stop word
        self._stop_sent = False  # this utterance already gave its stop
        self._fed = 0  # samples fed to the recognizer
        self.dropped: list[Heard] = []  # echoes, kept for diagnostics and the benchmark

    def feed(self, pcm: Pcm) -> list[Heard]:
        """Feed a block; return the commands (and rejections) it completed."""
        self._fed += len(pcm)
        return self._take(self.recognizer.accept(np.ascontiguousarray(pcm).tobytes()))

    def flush(self) -> list[Heard]:
        """The audio has ended: finish the utterance under way."""
        return self._take(self.recognizer.flush())

    def _take(self, hyps: list[Hypothesis]) -> list[Heard]:
        out: list[Heard] = []
        for h in hyps:
            heard = self._final(h) if h.final else self._partial(h)
            if heard is None:
                continue
            if heard.echo:
                self.dropped.append(heard)
            else:
                out.append(heard)
        return out

    def _partial(self, h: Hypothesis) -> Heard | None:
        words = set(normalize(h.text, self.vocabulary))
        if self._stop_sent or not words & self._stop_words:
            self._stop_run = 0
            return None
        self._stop_run += 1
        if self._stop_run < self.confirm:
            return None
        heard = self._judge(h.end, h.text, Intent("stop"))
        self._stop_sent = not heard.echo
        return heard

    def _final(self, h: Hypothesis) -> Heard | None:
        already = self._stop_sent
        self._stop_run = 0
        self._stop_sent = False
        text = h.text.strip()
        if not text:
            return Heard(h.end, "", None)
        intent = parse(text, self.vocabulary)
        if intent is None:
            return Heard(h.end, text, None)
        if intent.name == "stop" and already:
            return None  # acted on already, from the partials
        return self._judge(h.end, text, intent)

    def _judge(self, t: float, text: str, intent: Intent) -> Heard:
        """Drop the command if the narration was saying its words just before."""
        if self.narration is None:
            return Heard(t, text, intent)
        end = int(t * RATE)
        sounding = self.narration(end - int(self.echo_window * RATE), end)
        spoken = set(normalize(text, self.vocabulary)) - self.vocabulary.fillers
        if intent.name == "stop":
            spoken &= self._stop_words
        echo = bool(spoken) and spoken <= sounding
        return Heard(t, text, intent, echo=echo)

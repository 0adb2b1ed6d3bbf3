"""Sessions heard through a simulated microphone, on a virtual clock.

:class:`SimulatedAudio` is an input source for :func:`~assistant.runner.run_session`.
It advances the session's virtual clock one output block at a time: the mixer
gives what the speaker plays, the room turns it into a microphone block (echo,
people speaking, noise), the echo canceller removes what it can, and the real
recognizer and listener decide what was said. Audio time and session time are
the same timeline, so latencies measured here are the pipeline's own.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator

import numpy as np

from assistant.audio.echo import EchoCanceller
from assistant.audio.mixer import Mixer
from assistant.audio.pcm import RATE, Pcm
from assistant.clock import VirtualClock
from assistant.recognizers.listener import Heard, Listener
from assistant.runner import END, Fault, Utterance, _End
from assistant.simulation.room import Room
from assistant.simulation.voices import SPEAKERS, Speaker, synthesize

__all__ = ["SimulatedAudio"]

#: Output block: 32 ms, as on the live stream.
BLOCK = 512


class SimulatedAudio:
    """Input source: people speak into a simulated room; the real recognizer listens.

    ``add`` schedules an utterance (from a script or a simulated partner), spoken by
    the next of ``speakers`` in turn. ``record`` keeps the output and microphone
    signals (for the demo's WAV files). Input ends when nothing more is scheduled
    and the session has no timer left.
    """

    def __init__(
        self,
        clock: VirtualClock,
        mixer: Mixer,
        room: Room,
        listener: Listener,
        *,
        echo: EchoCanceller | None = None,
        speakers: tuple[Speaker, ...] = SPEAKERS,
        synth: Callable[[str, Speaker], Pcm] = synthesize,
        record: bool = False,
        on_heard: Callable[[Heard], None] | None = None,
        block: int = BLOCK,
    ) -> None:
        self.clock = clock
        self.mixer = mixer
        self.room = room
        self.listener = listener
        self.echo = echo
        self.synth = synth
        self.on_heard = on_heard
        self.block = block
        self._speakers: Iterator[Speaker] = _cycle(speakers)
        self._heard: deque[Heard] = deque()
        self._faults: deque[Fault] = deque()
        self._typed: list[Utterance] = []
        self._pos = 0
        self._flushed = False
        self.output: list[Pcm] = []
        self.microphone: list[Pcm] = []
        self.narration: list[Pcm] = []
        self._record = record
        self.said: list[tuple[float, str, Speaker]] = []

    def add(self, line: Utterance) -> None:
        """Someone says ``line.text`` at ``line.at`` seconds."""
        speaker = next(self._speakers)
        self.said.append((line.at, line.text, speaker))
        self.room.say(line.at, self.synth(line.text, speaker))

    def type(self, line: Utterance) -> None:
        """A typed command at ``line.at`` (the keyboard works alongside the microphone)."""
        self._typed.append(line)
        self._typed.sort()

    def add_audio(self, at: float, pcm: Pcm, text: str = "") -> None:
        """Someone says a recorded ``pcm`` at ``at`` seconds (a real voice, say)."""
        self.said.append((at, text, Speaker("recording")))
        self.room.say(at, pcm)

    def fault(self, message: str) -> None:
        """A simulated device or engine failure, handed to the session next."""
        self._faults.append(Fault(self.clock.now(), message))

    @property
    def now(self) -> float:
        """Audio time: seconds of output produced so far."""
        return self._pos / RATE

    def next_before(self, deadline: float | None) -> Utterance | Fault | _End | None:
        while True:
            if self._faults:
                return self._faults.popleft()
            if self._typed and self._typed[0].at <= self.now:
                line = self._typed.pop(0)
                self.clock.advance_to(max(self.clock.now(), line.at))
                return Utterance(self.clock.now(), line.text)
            if self._heard:
                heard = self._heard.popleft()
                self.clock.advance_to(max(self.clock.now(), heard.t))
                return Utterance(self.clock.now(), heard.text, heard)
            block_end = (self._pos + self.block) / RATE
            if deadline is not None and deadline < block_end:
                self.clock.advance_to(max(self.clock.now(), deadline))
                return None
            typed_due = self._typed[0].at if self._typed else float("inf")
            if deadline is None and self.now >= max(self.room.busy_until() + 2.0, typed_due):
                if not self._flushed:
                    self._flushed = True
                    self._take(self.listener.flush())
                    continue
                return END
            self._step()

    def _step(self) -> None:
        played, voice = self.mixer.read(self.block)
        mic = self.room.mic(played)
        clean = self.echo.process(mic, played) if self.echo is not None else mic
        if self._record:
            self.output.append(played)
            self.narration.append(voice)
            self.microphone.append(mic)
        self._pos += self.block
        self.clock.advance_to(max(self.clock.now(), self.now))
        self._take(self.listener.feed(clean))

    def _take(self, items: list[Heard]) -> None:
        for heard in items:
            if self.on_heard is not None:
                self.on_heard(heard)
            if heard.intent is not None:
                self._heard.append(heard)

    def recording(self, which: str = "microphone") -> Pcm:
        """A recorded signal as one array: "microphone", "output" or "narration"."""
        parts: list[Pcm] = getattr(self, which)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)


def _cycle(speakers: tuple[Speaker, ...]) -> Iterator[Speaker]:
    while True:
        yield from speakers

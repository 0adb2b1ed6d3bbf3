"""The one output stream's content: narration, earcons and the stroke beat, mixed.

The audio device (or a simulation) pulls fixed-size blocks with :meth:`Mixer.read`.
Narration lines queue on one channel; :meth:`Mixer.cut` empties that channel, so the
very next block pulled is silent: that is how ``stop`` silences the voice within one
block, mid-word. Earcons play on their own channel and survive a cut (the "stopped"
tone must be heard). The mixer also remembers what it played and when, which is
what lets the listener tell the assistant's own words from a person's.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass

import numpy as np

from assistant.audio.earcons import earcon
from assistant.audio.pcm import RATE, Pcm

__all__ = ["Mixer", "Played"]

_WORD = re.compile(r"[\w']+")


@dataclass
class Played:
    """A narration line as it went out: sample positions and text."""

    text: str
    start: int  # output sample index of its first sample
    end: int  # one past its last sample (moved earlier when cut)
    samples: int  # full length, to place words proportionally

    def words_between(self, a: int, b: int) -> set[str]:
        """Words of the line sounding in samples [a, b), placed by character offset."""
        words = set()
        n = max(1, len(self.text))
        for m in _WORD.finditer(self.text.lower()):
            w0 = self.start + self.samples * m.start() // n
            w1 = self.start + self.samples * m.end() // n
            if w0 < min(b, self.end) and w1 > a:
                words.add(m.group().replace("'", ""))
        return words


class Mixer:
    """Thread-safe: the session thread queues sounds, the audio thread reads blocks."""

    def __init__(self, volume: float = 1.0, history_seconds: float = 600.0) -> None:
        self.volume = volume
        self._lock = threading.Lock()
        self._lines: deque[tuple[str, Pcm]] = deque()
        self._line_pos = 0  # samples of the head line already played
        self._sounds: list[tuple[Pcm, int]] = []  # (samples, how many already played)
        self._pos = 0  # samples read so far
        self._history: deque[Played] = deque()
        self._keep = int(history_seconds * RATE)
        self._duck = 1.0  # narration gain while someone talks over it (1: not ducked)
        self._gain = 1.0  # the gain the last block ended at, for a click-free ramp

    @property
    def position(self) -> int:
        """Output samples produced so far (the output timeline)."""
        return self._pos

    def say(self, text: str, pcm: Pcm) -> None:
        """Queue a narration line after any line still playing."""
        with self._lock:
            self._lines.append((text, pcm))

    def play(self, name: str) -> None:
        """Start an earcon now, over whatever else is playing."""
        with self._lock:
            self._sounds.append((earcon(name), 0))

    def cut(self) -> None:
        """Silence narration from the next block on; earcons carry on."""
        with self._lock:
            if self._lines and self._line_pos and self._history:
                self._history[-1].end = self._pos
            self._lines.clear()
            self._line_pos = 0

    def duck(self, gain: float) -> None:
        """Narration at ``gain`` (1: full) from the next block on, ramped over one block:
        lowered while a person talks over it, so that they are heard over its echo."""
        with self._lock:
            self._duck = gain

    def speaking(self) -> bool:
        """Whether narration is still queued or playing."""
        with self._lock:
            return bool(self._lines)

    def idle(self) -> bool:
        """Whether nothing at all (narration or earcon) is left to play."""
        with self._lock:
            return not self._lines and not self._sounds

    def read(self, frames: int) -> tuple[Pcm, Pcm]:
        """The next block: (everything mixed, the narration alone), int16 mono."""
        voice = np.zeros(frames, dtype=np.float32)
        mix = np.zeros(frames, dtype=np.float32)
        with self._lock:
            filled = 0
            while filled < frames and self._lines:
                text, pcm = self._lines[0]
                if self._line_pos == 0:
                    start = self._pos + filled
                    self._history.append(Played(text, start, start + len(pcm), len(pcm)))
                take = min(frames - filled, len(pcm) - self._line_pos)
                voice[filled : filled + take] = pcm[self._line_pos : self._line_pos + take]
                filled += take
                self._line_pos += take
                if self._line_pos >= len(pcm):
                    self._lines.popleft()
                    self._line_pos = 0
            ramp = np.linspace(self._gain, self._duck, frames, dtype=np.float32)
            self._gain = self._duck
            voice *= self.volume * ramp
            mix += voice
            sounding = []
            for pcm, at in self._sounds:
                take = min(frames, len(pcm) - at)
                mix[:take] += pcm[at : at + take] * self.volume
                if at + take < len(pcm):
                    sounding.append((pcm, at + take))
            self._sounds = sounding
            self._pos += frames
            while self._history and self._history[0].end < self._pos - self._keep:
                self._history.popleft()
        out = np.clip(mix, -32768, 32767).astype(np.int16)
        return out, voice.astype(np.int16)

    def played(self) -> list[Played]:
        """The recent narration lines as they went out (a cut line ends at its cut)."""
        with self._lock:
            return [Played(p.text, p.start, p.end, p.samples) for p in self._history]

    def words_between(self, a: int, b: int) -> set[str]:
        """Every narration word that sounded in output samples [a, b)."""
        with self._lock:
            found: set[str] = set()
            for p in self._history:
                if p.start < b and p.end > a:
                    found |= p.words_between(a, b)
            return found

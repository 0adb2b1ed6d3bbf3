"""A simulated room: what a microphone would pick up while the assistant talks.

The microphone signal is built block by block from what the speaker just played
(delayed, attenuated and smeared by a little reverberation: the echo), the people
speaking at scheduled times, and room noise looped underneath. It lets the real
recognizer, echo canceller and listener run on a machine with no sound card, in
tests, the demo and ``simulate --audio``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assistant.audio.pcm import RATE, Pcm, from_float, to_float

__all__ = ["LIVELY_ROOM", "Room", "RoomSettings"]


@dataclass(frozen=True)
class RoomSettings:
    """Echo path and noise; defaults are a laptop a couple of metres from a massage table."""

    echo_delay: float = 0.03  # seconds from speaker to microphone, device latency included
    echo_gain: float = 0.4  # direct echo level relative to what was played
    reverb_seconds: float = 0.25  # decay time of the room's tail (to -60 dB)
    reverb_gain: float = 0.08  # tail level relative to the direct echo
    voice_gain: float = 0.7  # level of a person's speech at the microphone
    noise_gain: float = 0.0  # level of the looped noise (0: none)
    tone_db: float = -65.0  # the room's own hiss, dBFS: no real microphone gives zeros
    seed: int = 0


#: A livelier room than the default: bare walls (0.4 s of reverberation) and the
#: speaker louder at the microphone, as a laptop's own are. An echo canceller tuned
#: in a dry room can fail here (bench/README.md, "Issue 14m"), so the benchmark
#: plays the narration, and stops said over it, in this room too.
LIVELY_ROOM = RoomSettings(echo_gain=0.6, reverb_seconds=0.4)


class Room:
    """Produces microphone blocks from speaker blocks; people speak via :meth:`say`."""

    def __init__(self, settings: RoomSettings | None = None, noise: Pcm | None = None) -> None:
        self.settings = s = settings or RoomSettings()
        rng = np.random.default_rng(s.seed)
        delay = int(s.echo_delay * RATE)
        tail = int(s.reverb_seconds * RATE)
        ir = np.zeros(delay + tail + 1, dtype=np.float64)
        ir[delay] = s.echo_gain
        decay = np.exp(-6.9 * np.arange(tail) / max(1, tail))  # -60 dB over the tail
        ir[delay + 1 : delay + 1 + tail] += (
            rng.standard_normal(tail) * decay * s.echo_gain * s.reverb_gain
        )
        self._ir = ir
        self._overlap = np.zeros(len(ir) - 1, dtype=np.float64)
        self._speech: list[tuple[int, npt.NDArray[np.float32]]] = []  # (start sample, audio)
        self._noise = to_float(noise) * s.noise_gain if noise is not None and len(noise) else None
        self._pos = 0
        self._rng = rng
        self._tone = 10 ** (s.tone_db / 20)

    @property
    def position(self) -> int:
        return self._pos

    def say(self, at: float, pcm: Pcm) -> None:
        """A person says ``pcm`` starting at ``at`` seconds."""
        self._speech.append((int(at * RATE), to_float(pcm) * self.settings.voice_gain))

    def busy_until(self) -> float:
        """When the last scheduled speech ends (seconds)."""
        return max((start + len(a) for start, a in self._speech), default=0) / RATE

    def mic(self, played: Pcm) -> Pcm:
        """The microphone block recorded while ``played`` went out of the speaker."""
        n = len(played)
        x = to_float(played).astype(np.float64)
        # overlap-add convolution through the FFT: cheap for a long reverberation tail
        size = 1 << int(np.ceil(np.log2(n + len(self._ir) - 1)))
        y = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(self._ir, size), size)
        y = y[: n + len(self._ir) - 1]
        y[: len(self._overlap)] += self._overlap
        out = y[:n].copy()
        rest = y[n:]
        self._overlap = np.zeros(len(self._ir) - 1)
        self._overlap[: len(rest)] = rest
        a, b = self._pos, self._pos + n
        for start, audio in self._speech:
            lo, hi = max(a, start), min(b, start + len(audio))
            if lo < hi:
                out[lo - a : hi - a] += audio[lo - start : hi - start]
        self._speech = [(s, au) for s, au in self._speech if s + len(au) > b]
        if self._noise is not None:
            idx = np.arange(a, b) % len(self._noise)
            out += self._noise[idx]
        out += self._rng.standard_normal(n) * self._tone
        self._pos = b
        return from_float(out)

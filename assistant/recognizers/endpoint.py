"""Where an utterance starts and ends: a voice detector that ignores steady noise.

PocketSphinx's own endpointer trusts the WebRTC voice detector alone, and that
detector takes steady hiss for speech: the benchmark found that with a microphone's
faint hiss under a word, the utterance closed four seconds late, and with louder
hiss never, so commands other than stop came late or not at all. Here a frame
counts as speech only if the detector says so *and* it stands ``margin_db`` above a
running noise floor (which follows the quietest frames down at once and creeps up
slowly, so steady noise becomes the floor within seconds while a word does not).
Start and end use the same windowed vote as PocketSphinx's endpointer.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
from pocketsphinx import Vad

__all__ = ["GatedEndpointer"]


class GatedEndpointer:
    """Feed frames of ``frame_bytes``; get speech audio back while an utterance lasts."""

    def __init__(
        self,
        window: float = 0.3,
        ratio: float = 0.9,
        sample_rate: int = 16000,
        *,
        start_ratio: float | None = None,
        pre_roll: float = 0.0,
        margin_db: float = 8.0,
        rise_db_per_second: float = 3.0,
    ) -> None:
        self.vad = Vad(Vad.LOOSE, sample_rate)
        self.frame_bytes: int = self.vad.frame_bytes
        frame_seconds = self.frame_bytes / 2 / sample_rate
        self.size = max(1, round(window / frame_seconds))
        self.ratio = ratio
        self.start_ratio = ratio if start_ratio is None else start_ratio
        self.margin = margin_db
        self.rise = rise_db_per_second * frame_seconds
        self.in_speech = False
        self.floor: float | None = None
        self._votes: deque[bool] = deque(maxlen=self.size)
        self._frames: deque[bytes] = deque(maxlen=self.size + round(pre_roll / frame_seconds))

    def is_speech(self, frame: bytes) -> bool:
        """This frame is voice, by the detector, and louder than the noise floor."""
        x = np.frombuffer(frame, dtype=np.int16).astype(np.float64)
        level = 10 * math.log10(float(np.mean(x * x)) + 1e-9)
        self.floor = level if self.floor is None else min(level, self.floor + self.rise)
        return level > self.floor + self.margin and bool(self.vad.is_speech(frame))

    def process(self, frame: bytes) -> bytes | None:
        """The speech audio this frame completes (the whole window at the start), or None."""
        self._votes.append(self.is_speech(frame))
        self._frames.append(frame)
        if len(self._votes) < self.size:
            return None
        voiced = sum(self._votes)
        if not self.in_speech:
            if voiced >= self.start_ratio * self.size:
                self.in_speech = True
                return b"".join(self._frames)  # the window that started it, and the pre-roll
            return None
        if self.size - voiced >= self.ratio * self.size:
            self.in_speech = False
        return frame

    def end_stream(self, rest: bytes) -> bytes:
        """The audio has ended: whatever is left belongs to the utterance under way."""
        self.in_speech = False
        return rest

"""A watch over the audio the voice detector lets pass, for words it never noticed.

In loud noise Silero's speech probability stays near zero for some words a person says
plainly: on the bench's real people at 6 dB, 32 of 458 commands were never cut, so
Whisper never heard them, though tiny.en, given the same stretch of audio, writes 20 of
them right and none wrong (at 12 dB 15 never cut, 9 heard right, 1 wrong). So while no
utterance is under way, the last few seconds are looked at now and then
(:class:`IdleWatch`), and Whisper judges them as it judges a cut.

A look is taken only where a word may have been said and finished (:func:`word_ended`):
the window's loudest moment stands out from its last part (looks at a word still being
said wrote other words, "pause" or "next" for the start of a digit, five times in 458
at 12 dB), and its loud part is no longer than a command (a running tap that stopped
gave "No."). Nor is a look taken at audio the echo gate silenced: the watch starts
afresh after it, since what the gate lets through while the assistant speaks is mostly
its own echo, and a person talking over it is the gate's and the detector's to hear.
(What a look hears says where its audio began, and the listener drops it when the
narration said anything since: in a lively room, looks over the narration took eleven
commands from its echo, four with the gate's silence alone.)
Figures: bench/README.md, "Issue 14q".
"""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt

from assistant.audio.pcm import RATE
from assistant.recognizers.vad import CHUNK, Floats

__all__ = ["IdleWatch", "levels", "word_ended"]

#: Seconds of audio a look sees: a command and the quiet around it.
WINDOW = 3.0
#: Seconds between looks while nothing is cut.
HOP = 0.5
#: Seconds of idle audio a look needs at least (after an utterance ends, the watch
#: starts afresh: what the detector cut was judged already).
LEAST = 1.0
#: Seconds the watch rests after a look heard a command: the rest of that word (a long
#: "yes" trails off in a hiss) must not make a second look and a second command.
REST = 0.5
#: A window quieter than this (dBFS) holds nobody talking: no look.
SILENT_DBFS = -55.0
#: The loudest moment must stand this far (dB) above the window's last ``TAIL``
#: seconds: the word has ended.
STANDS_OUT_DB = 3.0
TAIL = 0.3
#: ... and the loud part (from the first to the last moment within ``STANDS_OUT_DB`` of
#: the loudest) must be no longer than a command: a steady noise that stops (a tap turned
#: off) is not a word, and looks at such noise heard "No." and "Zero." (in 468 s of the
#: bench's noise, two commands at 1.6 s, none at 1.2 s; at 12 dB 390 and 388 words right).
LONGEST_WORD = 1.2
#: ... and the voice detector must not be stirring in those last seconds (speech
#: probability under this; it starts an utterance at 0.2): a word starting there is
#: the detector's to cut, and a look at its onset wrote another word ("no" for the
#: start of "nine").
STIRRING = 0.1

_WINDOW_CHUNKS = round(WINDOW * RATE / CHUNK)
_HOP_CHUNKS = round(HOP * RATE / CHUNK)
_LEAST_CHUNKS = round(LEAST * RATE / CHUNK)
_TAIL_CHUNKS = round(TAIL * RATE / CHUNK)
_REST_CHUNKS = round(REST * RATE / CHUNK)
_WORD_CHUNKS = round(LONGEST_WORD * RATE / CHUNK)


def levels(audio: Floats) -> npt.NDArray[np.float64]:
    """Level of each detector chunk of ``audio`` in dBFS, smoothed over three chunks
    (about 0.1 s) so that one click does not count as a word."""
    n = len(audio) // CHUNK
    if n == 0:
        return np.zeros(0)
    power = np.mean(audio[: n * CHUNK].astype(np.float64).reshape(n, CHUNK) ** 2, axis=1)
    db = 10 * np.log10(power + 1e-12)
    return np.convolve(np.pad(db, 1, mode="edge"), np.ones(3) / 3, mode="valid")


def word_ended(audio: Floats) -> bool:
    """Whether ``audio`` may hold a word said and finished: not silent, its loudest
    moment standing out from its last :data:`TAIL` seconds (a word still under way does
    not: the look waits for it to end), and its loud part no longer than a command."""
    db = levels(audio)
    if len(db) <= _TAIL_CHUNKS:
        return False
    peak = float(db.max())
    if peak < SILENT_DBFS or db[-_TAIL_CHUNKS:].max() > peak - STANDS_OUT_DB:
        return False
    loud = np.flatnonzero(db >= peak - STANDS_OUT_DB)
    return bool(loud[-1] - loud[0] < _WORD_CHUNKS)


class IdleWatch:
    """The last :data:`WINDOW` seconds fed while no utterance was under way; every
    :data:`HOP` seconds :meth:`push` hands them out for a look, when a word may have
    ended in them."""

    def __init__(self) -> None:
        self._chunks: deque[Floats] = deque(maxlen=_WINDOW_CHUNKS)
        self._stirring: deque[float] = deque(maxlen=_TAIL_CHUNKS)
        self._since = 0  # chunks since the last look was due
        self._resting = 0  # chunks still to let pass after a command was heard

    def clear(self, rest: bool = False) -> None:
        """Forget what was kept: an utterance started, or (``rest``) a look heard a
        command, and the watch lets :data:`REST` seconds pass before keeping again."""
        self._resting = _REST_CHUNKS if rest else 0
        self._chunks.clear()
        self._stirring.clear()
        self._since = 0

    def push(self, chunk: Floats, probability: float) -> Floats | None:
        """Keep ``chunk`` (and the detector's speech ``probability`` for it); the window
        when a look is due and worth taking, else None."""
        if self._resting:
            self._resting -= 1
            return None
        if np.count_nonzero(chunk) < len(chunk) // 2:
            self.clear()  # the echo gate's silence: the assistant was speaking
            return None
        self._chunks.append(chunk)
        self._stirring.append(probability)
        self._since += 1
        if self._since < _HOP_CHUNKS or len(self._chunks) < _LEAST_CHUNKS:
            return None
        self._since = 0
        if max(self._stirring) >= STIRRING:
            return None
        audio = np.concatenate(self._chunks)
        return audio if word_ended(audio) else None

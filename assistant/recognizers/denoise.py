"""A second pair of ears for the voice detector: Silero on the audio with the steady
part of the noise taken out, beside Silero on the raw audio.

In loud steady noise (6 dB under kitchen noise and rain) Silero's speech probability
stays under its start threshold for one real command in five, so Whisper never hears
it. WebRTC's noise suppressor (``webrtc-noise-gain``: Apache-2.0, wheels for x86_64
and aarch64 Linux, from the Home Assistant voice stack) removes that steady part, and
Silero hears more of the voices. The detector takes the larger of the two
probabilities, so no word the raw audio shows is lost; Whisper still decodes the raw
audio (with the context before the word, which it needs more than a cleaner signal).
On the bench's real set: words cut 358 to 410 of 458 at 6 dB, 414 to 438 at 12 dB,
and still no cut in 468 s of noise (bench/README.md, "Issue 14i"); since the start
threshold went from 0.3 to 0.2, the clatter of dishes is cut now and then ("Issue 14l").

What it costs: per 32 ms chunk about 0.1 ms for the suppressor and 0.3 ms for the
second Silero here (about 1 % of a core; roughly ten times that on a Raspberry Pi 4). What a
wrong answer costs: in steady noise Whisper is now given words it mishears more often
(wrong commands at 6 dB 29 to 33 of 458), and on clean audio the suppressed ears now
and then start a cut on a breath just before a word (decoded and rejected; its audio
stays as the word's context, :meth:`.SpeechCutter.keep_as_context`).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from assistant.recognizers import RecognizerError
from assistant.recognizers.vad import RATE, SileroVad

__all__ = [
    "FRAME",
    "LEVEL",
    "Denoiser",
    "EitherVad",
    "open_denoiser",
    "removed_db",
    "voice_detector",
]

FRAME = 160  # samples per WebRTC step at 16 kHz (10 ms)
#: WebRTC's suppression level (1 mild to 4 strongest). On the bench's real set at 6 dB
#: the mildest let Silero cut the most words (403 of 458; 392 at 2, 380 at 3, 374 at 4):
#: the stronger levels also thin the voice Silero listens for (issue 14f).
LEVEL = 1
#: Seconds of suppressed audio kept for a second hearing of an utterance: longer than
#: any cut (8 s at most, with its context before the word).
KEPT_SECONDS = 12.0
_KEPT_SAMPLES = int(KEPT_SECONDS * RATE)

log = logging.getLogger(__name__)

Floats = npt.NDArray[np.float32]
#: 10 ms of 16-bit PCM in, 10 ms out.
Step = Callable[[bytes], bytes]


class Denoiser:
    """Float samples in, as many suppressed samples out, one 10 ms frame late: the
    suppressor takes whole frames, the voice detector takes 512-sample chunks."""

    def __init__(self, step: Step) -> None:
        self.step = step
        self._in: Floats = np.zeros(0, np.float32)
        self._out: Floats = np.zeros(FRAME, np.float32)  # the frame of delay

    def __call__(self, x: Floats) -> Floats:
        buf = np.concatenate([self._in, x])
        whole = len(buf) - len(buf) % FRAME
        pcm = (np.clip(buf[:whole], -1.0, 1.0 - 1 / 32768) * 32768).astype(np.int16)
        raw = pcm.tobytes()
        done = b"".join(self.step(raw[i : i + 2 * FRAME]) for i in range(0, len(raw), 2 * FRAME))
        out = np.frombuffer(done, dtype=np.int16).astype(np.float32) / 32768.0
        self._in = buf[whole:]
        ready = np.concatenate([self._out, out])
        self._out = ready[len(x) :]
        return ready[: len(x)]


def open_denoiser(level: int = LEVEL) -> Denoiser:
    """WebRTC's suppressor at ``level``, automatic gain off; :class:`RecognizerError`
    when the package is missing or will not start."""
    try:
        from webrtc_noise_gain import AudioProcessor
    except ImportError as exc:
        raise RecognizerError(f"webrtc-noise-gain is not installed ({exc})") from exc
    try:
        processor = AudioProcessor(0, level)
    except Exception as exc:  # the C++ binding raises its own kinds
        raise RecognizerError(f"the WebRTC noise suppressor cannot start: {exc}") from exc

    def step(frame: bytes) -> bytes:
        return bytes(processor.Process10ms(frame).audio)

    return Denoiser(step)


class EitherVad:
    """Speech probability of a chunk: the larger of Silero's on the raw chunk and on
    the chunk with the noise suppressed (each Silero keeps its own recurrent state).
    The last :data:`KEPT_SECONDS` of suppressed audio are kept (:meth:`suppressed`), so
    that an utterance Whisper rejects can be heard a second time without the noise.

    Should the suppressor fail mid-stream (a native library can), the raw ears go on
    alone: listening must not stop because its helper did. ``failure`` says why."""

    def __init__(self, denoiser: Denoiser) -> None:
        self.denoiser: Denoiser | None = denoiser
        self.raw = SileroVad()
        self.clean = SileroVad()
        self.failure: str | None = None
        self._kept: deque[Floats] = deque()
        self._kept_samples = 0

    def suppressed(self, samples: int) -> Floats | None:
        """The last ``samples`` of suppressed audio (about 10 ms late, as the suppressor
        is), aligned with the last chunks this detector was given; None when the
        suppressor has stopped or fewer were kept."""
        if self.denoiser is None or not 0 < samples <= self._kept_samples:
            return None
        return np.concatenate(self._kept)[self._kept_samples - samples :]

    def __call__(self, chunk: Floats) -> float:
        p = self.raw(chunk)
        if self.denoiser is None:
            return p
        try:
            cleaned = self.denoiser(chunk)
        except Exception as exc:  # the C++ binding raises its own kinds
            self.denoiser = None
            self.failure = f"the noise suppressor stopped ({exc}); listening goes on without it"
            log.warning(self.failure)
            self._kept.clear()
            self._kept_samples = 0
            return p
        self._keep(cleaned)
        return max(p, self.clean(cleaned))

    def _keep(self, cleaned: Floats) -> None:
        self._kept.append(cleaned)
        self._kept_samples += len(cleaned)
        while self._kept_samples - len(self._kept[0]) >= _KEPT_SAMPLES:
            self._kept_samples -= len(self._kept.popleft())


def removed_db(raw: Floats, cleaned: Floats) -> float:
    """How much the suppressor took out of ``raw`` (its energy over ``cleaned``'s, in
    dB): about 0.1-0.3 dB on a word said in a quiet room, 1-4 dB in loud noise."""
    before = float(np.sum(raw.astype(np.float64) ** 2))
    after = float(np.sum(cleaned.astype(np.float64) ** 2))
    return float(10 * np.log10((before + 1e-9) / (after + 1e-9)))


def voice_detector() -> tuple[Callable[[Floats], float], str | None]:
    """Both pairs of ears where the suppressor starts; Silero alone where it cannot (the
    package missing from an install), with a note saying so: fewer words are cut in
    loud noise, nothing else is lost."""
    try:
        return EitherVad(open_denoiser()), None
    except RecognizerError as exc:
        return SileroVad(), f"{exc}: listening with one voice detector, which hears less in noise"

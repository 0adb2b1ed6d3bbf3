"""Speech mixed with noise at a signal-to-noise ratio, defined as Picovoice's open
speech-to-intent benchmark defines it.

That benchmark compares the *loudest frame* of the speech with the loudest frame
of the noise segment laid under it (frames of 2,048 samples, energy = sum of
squares), rather than average powers: a short command padded with silence would
otherwise look quieter than it sounds. We follow it so that our figures at "12 dB"
mean what theirs do. The noise runs under the whole padded clip, as in a room.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from assistant.audio.pcm import Pcm, from_float, to_float

__all__ = ["FRAME", "loudest_frame_energy", "mix_at_snr"]

FRAME = 2048


def loudest_frame_energy(x: npt.NDArray[np.floating], frame: int = FRAME) -> float:
    """The largest sum of squares over whole frames (the whole signal if shorter)."""
    n = len(x) // frame
    if n == 0:
        return float(np.sum(np.square(x, dtype=np.float64)))
    frames = np.asarray(x[: n * frame], dtype=np.float64).reshape(n, frame)
    return float(np.max(np.sum(frames**2, axis=1)))


def mix_at_snr(
    speech: Pcm,
    noise: Pcm,
    snr_db: float,
    rng: np.random.Generator,
    *,
    at: int = 0,
    length: int | None = None,
) -> Pcm:
    """``speech`` with a random stretch of ``noise`` under it at ``snr_db``.

    ``speech`` may be padded: the ratio is computed between the recording itself
    (``length`` samples from sample ``at``; by default all that follows ``at``) and
    the noise under it. The mix is scaled down only if it would clip.
    """
    s = to_float(speech).astype(np.float64)
    if len(noise) < len(s):
        noise = np.tile(noise, -(-len(s) // max(1, len(noise))))
    start = int(rng.integers(0, len(noise) - len(s) + 1))
    n = to_float(noise[start : start + len(s)]).astype(np.float64)
    words = s[at : at + length] if length is not None else s[at:]
    noise_energy = loudest_frame_energy(n[at : at + len(words)])
    if noise_energy <= 0:
        return np.array(speech, dtype=np.int16)
    scale = np.sqrt(loudest_frame_energy(words) / (noise_energy * 10 ** (snr_db / 10)))
    mixed = s + scale * n
    peak = float(np.max(np.abs(mixed))) if len(mixed) else 0.0
    if peak > 0.99:
        mixed *= 0.99 / peak
    return from_float(mixed)

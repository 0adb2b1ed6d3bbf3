"""Audio as the rest of the program wants it: 16 kHz mono int16, from any WAV file.

Recognizers, the echo canceller and the mixer all work at one rate and format so
that nothing converts audio twice; this module is where other rates and channel
counts are brought to it (soundfile reads, soxr resamples).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from .errors import AssistantError

__all__ = ["RATE", "Pcm", "from_float", "read_wav", "resample", "to_float", "write_wav"]

#: The one sample rate used inside the program.
RATE = 16000

Pcm = npt.NDArray[np.int16]


def to_float(pcm: Pcm) -> npt.NDArray[np.float32]:
    """int16 samples as floats in [-1, 1)."""
    return pcm.astype(np.float32) / 32768.0


def from_float(x: npt.NDArray[np.floating]) -> Pcm:
    """Floats in [-1, 1] as int16, clipped rather than wrapped."""
    return np.asarray(np.clip(np.round(x * 32767.0), -32768, 32767), dtype=np.int16)


def resample(x: npt.NDArray[np.floating], rate: int, to: int = RATE) -> npt.NDArray[np.float32]:
    """Float samples at ``rate`` resampled to ``to`` Hertz (high quality, soxr)."""
    if rate == to:
        return np.asarray(x, dtype=np.float32)
    import soxr

    return np.asarray(soxr.resample(np.asarray(x, dtype=np.float32), rate, to), dtype=np.float32)


def read_wav(path: str | Path, rate: int = RATE) -> Pcm:
    """Any WAV file (any rate, channel count or sample format) as mono int16 at ``rate``.

    Channels are averaged. :class:`AssistantError` names the file when it cannot be read.
    """
    import soundfile

    try:
        data, file_rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (OSError, RuntimeError, soundfile.LibsndfileError) as exc:
        raise AssistantError(f"{path}: cannot read audio: {exc}") from exc
    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    return from_float(resample(mono, int(file_rate), rate))


def write_wav(path: str | Path, pcm: Pcm, rate: int = RATE) -> None:
    """Write mono int16 samples as a plain PCM WAV file."""
    import soundfile

    soundfile.write(str(path), np.asarray(pcm, dtype=np.int16), rate, subtype="PCM_16")

"""Audio as the rest of the program wants it: 16 kHz mono int16, from any WAV file.

Recognizers, the echo canceller and the mixer all work at one rate and format so
that nothing converts audio twice; this module is where other rates and channel
counts are brought to it (soundfile reads, soxr resamples).

Files are read in blocks and resampled as a stream, so memory stays the same
whatever a file's length, and a header is checked before any audio is read: a rate
of 1 Hz or a thousand channels is refused with a message rather than believed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from assistant.errors import AssistantError

__all__ = [
    "RATE",
    "WAV_LIMITS",
    "Pcm",
    "WavLimits",
    "from_float",
    "read_wav",
    "resample",
    "stream_wav",
    "to_float",
    "write_wav",
]

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


@dataclass(frozen=True)
class WavLimits:
    """What a WAV header may claim before it is believed."""

    min_rate: int = 4000  # Hertz; below telephone quality nothing is intelligible
    max_rate: int = 384000  # Hertz; the highest rate sound cards record at
    max_channels: int = 32
    block_samples: int = 1 << 16  # samples (all channels) read at a time


WAV_LIMITS = WavLimits()


def stream_wav(path: str | Path, rate: int = RATE, limits: WavLimits = WAV_LIMITS) -> Iterator[Pcm]:
    """Any WAV file as blocks of mono int16 at ``rate``, in constant memory.

    The header is checked when this is called, before the first block is asked for;
    :class:`AssistantError` names the file and what is wrong with it.
    """
    import soundfile

    try:
        f = soundfile.SoundFile(str(path))
    except (OSError, RuntimeError, soundfile.LibsndfileError) as exc:
        raise AssistantError(f"{path}: cannot read audio: {exc}") from exc
    try:
        _check_header(path, f.samplerate, f.channels, limits)
    except AssistantError:
        f.close()
        raise
    return _blocks(path, f, rate, limits)


def _check_header(path: str | Path, rate: int, channels: int, limits: WavLimits) -> None:
    if not limits.min_rate <= rate <= limits.max_rate:
        raise AssistantError(
            f"{path}: cannot read audio: its header claims {rate} Hz "
            f"(expected {limits.min_rate} to {limits.max_rate} Hz)"
        )
    if not 1 <= channels <= limits.max_channels:
        raise AssistantError(
            f"{path}: cannot read audio: its header claims {channels} channels "
            f"(expected 1 to {limits.max_channels})"
        )


def _blocks(path: str | Path, f: object, rate: int, limits: WavLimits) -> Iterator[Pcm]:
    import soundfile
    import soxr

    assert isinstance(f, soundfile.SoundFile)
    with f:
        stream = None
        if f.samplerate != rate:
            stream = soxr.ResampleStream(f.samplerate, rate, 1, dtype="float32")
        frames = max(1, limits.block_samples // f.channels)
        try:
            for data in f.blocks(blocksize=frames, dtype="float32", always_2d=True):
                mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
                out = mono if stream is None else stream.resample_chunk(mono)
                if len(out):
                    yield from_float(out)
        except (RuntimeError, soundfile.LibsndfileError) as exc:
            raise AssistantError(f"{path}: cannot read audio: {exc}") from exc
        if stream is not None:
            tail = stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
            if len(tail):
                yield from_float(tail)


def read_wav(path: str | Path, rate: int = RATE, limits: WavLimits = WAV_LIMITS) -> Pcm:
    """Any WAV file (any rate, channel count or sample format) as mono int16 at ``rate``.

    Channels are averaged. :class:`AssistantError` names the file when it cannot be read.
    Read block by block, so only the result itself is held in memory.
    """
    blocks = list(stream_wav(path, rate, limits))
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int16)


def write_wav(path: str | Path, pcm: Pcm, rate: int = RATE) -> None:
    """Write mono int16 samples as a plain PCM WAV file."""
    import soundfile

    soundfile.write(str(path), np.asarray(pcm, dtype=np.int16), rate, subtype="PCM_16")

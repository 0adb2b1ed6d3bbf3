"""Synthetic speakers: espeak-ng saying a command with a given voice, speed and pitch.

Used where a real person would speak but none is at hand: ``simulate --audio``,
the demo, tests and the benchmark. It runs the ``espeak-ng`` program rather than
pyttsx3 so that it never competes with the narration engine, which lives in one thread.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass

import numpy as np

from assistant.audio.pcm import RATE, Pcm, from_float, resample
from assistant.errors import SpeechEngineError

__all__ = ["SPEAKERS", "Speaker", "synthesize"]


@dataclass(frozen=True)
class Speaker:
    """One synthetic voice: an espeak-ng voice (with variant), words per minute, pitch 0-99."""

    voice: str = "en-us"
    speed: int = 160
    pitch: int = 50
    amplitude: int = 100


#: A spread of English speakers: male and female variants, slow to quick, low to high.
SPEAKERS: tuple[Speaker, ...] = (
    Speaker("en-us", 160, 50),
    Speaker("en-us+f3", 150, 65),
    Speaker("en-gb+m3", 175, 40),
    Speaker("en-us+f4", 190, 75),
    Speaker("en+m7", 140, 30),
    Speaker("en-us+m1", 210, 55),
)


def synthesize(text: str, speaker: Speaker = SPEAKERS[0], rate: int = RATE) -> Pcm:
    """``text`` spoken by ``speaker`` as mono int16 at ``rate`` Hz."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise SpeechEngineError("espeak-ng is not installed (sudo apt-get install espeak-ng)")
    # the text goes in on stdin: as an argument, "-3" or "--help" would be read as an option
    cmd = [exe, "--stdout", "--stdin", "-v", speaker.voice, "-s", str(speaker.speed),
           "-p", str(speaker.pitch), "-a", str(speaker.amplitude)]  # fmt: skip
    try:
        done = subprocess.run(
            cmd, input=text.encode("utf-8"), capture_output=True, check=True, timeout=30
        )
        out = done.stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise SpeechEngineError(f"espeak-ng failed on {text!r}: {exc}") from exc
    import soundfile

    try:
        data, file_rate = soundfile.read(io.BytesIO(out), dtype="float32")
    except (RuntimeError, soundfile.LibsndfileError) as exc:
        raise SpeechEngineError(f"espeak-ng gave no audio for {text!r}: {exc}") from exc
    if data.ndim > 1:
        data = data.mean(axis=1)
    return from_float(resample(np.asarray(data), int(file_rate), rate))

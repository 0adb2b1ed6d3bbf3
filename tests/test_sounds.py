"""Earcons a blind user can learn: measurably distinct shapes, and the spoken tour."""

from __future__ import annotations

import itertools
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.audio.earcons import EARCONS, TOUR, earcon
from assistant.audio.pcm import RATE, read_wav, to_float
from assistant.audio.speaker import EarconCues
from assistant.events import State
from assistant.subcommands.sounds import GAP, tour_audio

MEANINGS = ("heard", "not_caught", "stage", "paused", "stopped", "ended")
FRAME, HOP = int(0.02 * RATE), int(0.005 * RATE)


def notes(name: str) -> list[tuple[float, float]]:
    """(pitch Hz, seconds) of each note heard in an earcon, found from the sound alone.

    Frames of 20 ms are sounding when louder than a tenth of the loudest; a frame's pitch
    is its spectral peak; a note is a run of sounding frames whose pitch stays within 3%.
    """
    x = to_float(earcon(name))
    window = np.hanning(FRAME)
    frames = [x[i : i + FRAME] for i in range(0, len(x) - FRAME, HOP)]
    level = np.array([np.sqrt(np.mean(f**2)) for f in frames])
    found: list[list[float]] = []  # [pitch, frames]
    previous_sounding = False
    for f, loud in zip(frames, level > 0.1 * level.max(), strict=True):
        if not loud:
            previous_sounding = False
            continue
        spectrum = np.abs(np.fft.rfft(f * window, n=8 * FRAME))
        pitch = float(np.argmax(spectrum)) * RATE / (8 * FRAME)
        if previous_sounding and abs(pitch - found[-1][0]) / found[-1][0] < 0.03:
            found[-1][1] += 1
        else:
            found.append([pitch, 1])
        previous_sounding = True
    # a frame straddling two notes has a pitch of its own: not a note
    return [(p, n * HOP / RATE) for p, n in found if n >= 3]


def contour(name: str) -> str:
    """U up, D down, F the same pitch again, note after note."""
    ps = [p for p, _ in notes(name)]
    return "".join(
        "F" if abs(b - a) / a < 0.03 else ("U" if b > a else "D") for a, b in itertools.pairwise(ps)
    )


def test_each_meaning_has_a_melodic_shape_of_its_own() -> None:
    shapes = {name: contour(name) for name in MEANINGS}
    assert shapes == {
        "heard": "U",
        "not_caught": "D",
        "stage": "UU",
        "paused": "F",
        "stopped": "DD",
        "ended": "UD",
    }
    assert len(set(shapes.values())) == len(MEANINGS)


def test_the_notes_found_are_the_notes_meant() -> None:
    for name in MEANINGS:
        meant = [f for f, _ in EARCONS[name][0] if f]
        heard = [p for p, _ in notes(name)]
        assert heard == pytest.approx(meant, rel=0.03), name


def test_shapes_that_share_a_direction_differ_in_length_and_register() -> None:
    seconds = {n: len(earcon(n)) / RATE for n in MEANINGS}
    last_pitch = {n: notes(n)[-1][0] for n in MEANINGS}
    # stopped: the longest of the falling sounds and the lowest note of all
    assert seconds["stopped"] > 1.5 * seconds["not_caught"]
    assert last_pitch["stopped"] == min(last_pitch.values())
    # heard is the quickest, so it never delays what follows
    assert seconds["heard"] == min(seconds.values())


def test_the_tour_covers_every_earcon_once() -> None:
    assert sorted(n for n, _ in TOUR) == sorted(EARCONS)


class Played:
    def __init__(self) -> None:
        self.names: list[str] = []

    def play(self, name: str) -> None:
        self.names.append(name)


def test_stopped_and_the_end_of_a_session_sound_different() -> None:
    played = Played()
    cues = EarconCues(played)  # type: ignore[arg-type]
    for state in ("paused", "stopped", "ended"):
        cues.emit(State(t=1.0, state=state, stage=None))
    cues.emit(State(t=2.0, state="finished", stage=None))
    assert played.names == ["paused", "stopped", "ended", "ended"]


# The tour is made by the command in a process of its own: pyttsx3's engine is shared
# process-wide, and other tests' narration must not depend on how much it has said before.
@pytest.fixture(scope="module")
def tour_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tour") / "sounds"
    done = _sounds("--out", str(folder))
    assert done.returncode == 0, done.stderr
    assert "Wrote 15 WAV files" in done.stdout
    return folder


def _sounds(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", "sounds", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_tour_speaks_each_name_then_plays_its_sound(tour_dir: Path) -> None:
    gap = int(GAP * RATE)
    for n, (name, _) in enumerate(TOUR, 1):
        audio = read_wav(tour_dir / f"tour-{n:02d}-{name}.wav")
        sound = earcon(name)
        tail = audio[len(audio) - gap - len(sound) : len(audio) - gap]
        assert np.array_equal(tail, sound), name  # the earcon comes after the words
        spoken = to_float(audio[: len(audio) - 2 * gap - len(sound)])
        assert len(spoken) / RATE > 0.8  # the words take real time to say
        assert np.sqrt(np.mean(spoken**2)) > 0.02  # and are heard


def test_the_tour_written_as_private_wavs(tour_dir: Path) -> None:
    paths = sorted(tour_dir.iterdir())
    assert len(paths) == 2 * len(TOUR) + 1
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert np.array_equal(read_wav(tour_dir / "earcon-stopped.wav"), earcon("stopped"))
    whole = read_wav(tour_dir / "tour.wav")
    parts = [read_wav(tour_dir / f"tour-{n:02d}-{name}.wav") for n, (name, _) in enumerate(TOUR, 1)]
    assert np.array_equal(whole, np.concatenate(parts))


def test_tour_audio_puts_each_sound_after_its_words() -> None:
    said: list[str] = []

    def speak(text: str) -> np.ndarray:
        said.append(text)
        return np.full(RATE // 2, 1000, dtype=np.int16)

    items = tour_audio(speak)
    assert said == [words for _, words in TOUR]
    gap = int(GAP * RATE)
    for item in items:
        assert len(item.audio) == RATE // 2 + gap + len(earcon(item.name)) + gap


def test_the_sounds_command_without_a_speaker_says_what_to_do() -> None:
    done = _sounds()
    assert "Traceback" not in done.stderr
    if done.returncode == 0:  # this machine has a speaker: the tour was played
        assert all(name in done.stdout for name, _ in TOUR)
    else:
        assert done.returncode == 2
        assert "cannot play on the speaker" in done.stderr and "--out DIR" in done.stderr

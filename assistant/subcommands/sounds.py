"""The spoken earcon tour (``massage-assistant sounds``): each sound named, then played.

A blind user learns the earcons by hearing each one right after its meaning. The tour is
built as audio first (:func:`tour_audio`), so the same samples are played or written to
WAV files, and a test can check what a listener gets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.audio.earcons import TOUR, earcon
from assistant.audio.pcm import RATE, Pcm, write_wav
from assistant.files import private_folder, written_by

__all__ = ["TourItem", "tour_audio", "write_tour"]

GAP = 0.35  # seconds of silence between a name and its sound, and after it


@dataclass(frozen=True)
class TourItem:
    """One stop of the tour: the earcon's name, the words said, and the audio (16 kHz)."""

    name: str
    words: str
    audio: Pcm  # the spoken words, a gap, the earcon, a gap


def tour_audio(speak: Callable[[str], Pcm]) -> list[TourItem]:
    """Each earcon of :data:`~assistant.audio.earcons.TOUR` after ``speak`` of its words."""
    gap = np.zeros(int(GAP * RATE), dtype=np.int16)
    return [
        TourItem(name, words, np.concatenate([speak(words), gap, earcon(name), gap]))
        for name, words in TOUR
    ]


def write_tour(items: list[TourItem], folder: Path) -> list[Path]:
    """One WAV per earcon alone, one per tour stop, and the whole tour; owner-readable only."""
    private_folder(folder)
    out: list[Path] = []

    def wav(path: Path, pcm: Pcm) -> None:
        written_by(path, lambda p: write_wav(p, pcm))
        out.append(path)

    for i in items:
        wav(folder / f"earcon-{i.name}.wav", earcon(i.name))
    for n, i in enumerate(items, 1):
        wav(folder / f"tour-{n:02d}-{i.name}.wav", i.audio)
    wav(folder / "tour.wav", np.concatenate([i.audio for i in items]))
    return out

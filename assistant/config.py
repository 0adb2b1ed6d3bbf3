"""What a session run needs to know, settled once from the command line: frozen, so every
mode reads the same settings, and plain data, so a test builds one without argparse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from assistant.narration.render import NarrationSettings

__all__ = [
    "AppConfig",
    "AudioConfig",
    "Durations",
    "NarrationConfig",
    "keep_journal",
    "readings",
]

Durations = Literal["auto", "engine", "wpm"]


@dataclass(frozen=True)
class NarrationConfig:
    rate: int | None = None  # words per minute; None: the engine's own
    voice: str | None = None
    volume: float | None = None  # share of full volume; None: full (1.0)
    durations: Durations = "auto"  # time lines by the speech engine or by words per minute

    def settings(self, volume: bool = False) -> NarrationSettings:
        if volume:
            full = 1.0 if self.volume is None else self.volume
            return NarrationSettings(rate=self.rate, voice=self.voice, volume=full)
        return NarrationSettings(rate=self.rate, voice=self.voice)


@dataclass(frozen=True)
class AudioConfig:
    engine: str | None = None
    model: Path | None = None
    input: int | str | None = None  # a device index, or part of its name
    output: int | str | None = None
    noise: Path | None = None  # simulated audio: room noise mixed in
    out: Path | None = None  # simulated audio: folder for the WAVs
    listen: bool = False  # listen even with no microphone yet (a kiosk waits for one)
    silent_after: float | None = None  # seconds without sound until a device counts as gone


@dataclass(frozen=True)
class AppConfig:
    """Everything a session run needs to know, settled once from the command line."""

    routine: str
    person: str | None = None
    #: None: no journal; else the --journal flag's value ("" for the default place)
    journal: str | None = None
    events: str | None = None  # --events FILE
    narration: NarrationConfig = field(default_factory=NarrationConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    verbose: bool = False
    quiet: bool = False
    script: str | None = None  # simulated: a script of replies
    pain: tuple[int, ...] | None = None  # simulated: the partner's pain readings
    keyboard: bool = False  # run: typed commands only
    pedal: str | None = None  # --pedal: an evdev device, or "terminal"
    learn: bool = False  # learner mode from the start


def keep_journal(no_journal: bool, flag: str | None, by_default: bool) -> str | None:
    """The journal a session keeps: None for none, "" for the default place, else a path.

    ``run`` keeps one by default; ``simulate`` and ``demo`` only when one is named, so
    practice sessions stay out of a person's history.
    """
    if no_journal or not (flag or by_default):
        return None
    return flag or ""


def readings(values: Sequence[int] | None) -> tuple[int, ...] | None:
    return tuple(values) if values else None

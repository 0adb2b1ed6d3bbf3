"""Render narration lines to audio with pyttsx3, so their length is the real one.

pyttsx3 is driven from a single thread (the one that first uses the renderer);
lines are rendered once into WAV files and cached. A simulation takes its line
durations from here; the live voice plays the same files.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SpeechEngineError

__all__ = ["NarrationSettings", "Pyttsx3Renderer", "Rendering"]


@dataclass(frozen=True)
class NarrationSettings:
    """How the assistant sounds."""

    rate: int | None = None  # words per minute; None keeps the engine's default (~175)
    voice: str | None = None  # an engine voice id, or a language code such as "en-us"
    volume: float = 1.0  # 0.0 to 1.0


@dataclass(frozen=True)
class Rendering:
    """One line rendered to a WAV file."""

    text: str
    path: Path
    seconds: float
    sample_rate: int  # Hertz


class Pyttsx3Renderer:
    """Turns lines into WAV files with pyttsx3, one engine, one thread, cached by text."""

    def __init__(self, settings: NarrationSettings | None = None, locale: str = "en") -> None:
        self.settings = settings or NarrationSettings()
        self.locale = locale
        self._engine: Any = None
        self._owner: int | None = None
        self._dir = Path(tempfile.mkdtemp(prefix="massage-narration-"))
        self._cache: dict[str, Rendering] = {}

    def render(self, text: str) -> Rendering:
        """The line as audio; :class:`SpeechEngineError` if the engine cannot make it."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        engine = self._get_engine()
        path = self._dir / f"line-{len(self._cache):05d}.wav"
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # the espeak driver prints
                engine.save_to_file(text, str(path))
                engine.runAndWait()
            with wave.open(str(path), "rb") as wav:
                rate = wav.getframerate()
                seconds = wav.getnframes() / rate
        except (OSError, RuntimeError, wave.Error, EOFError) as exc:
            raise SpeechEngineError(f"speech engine failed on {text!r}: {exc}") from exc
        rendering = Rendering(text, path, seconds, rate)
        self._cache[text] = rendering
        return rendering

    def seconds(self, text: str) -> float:
        """How long the line takes to say at the configured rate."""
        return self.render(text).seconds

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)
        self._cache.clear()

    def _get_engine(self) -> Any:
        me = threading.get_ident()
        if self._owner is not None and self._owner != me:
            raise SpeechEngineError("the speech engine must be used from the thread that "
                                    "started it")
        if self._engine is not None:
            return self._engine
        try:
            import pyttsx3

            engine = pyttsx3.init()
        except (ImportError, OSError, RuntimeError, KeyError) as exc:
            raise SpeechEngineError(
                f"cannot start the speech engine ({exc}); on Debian or Raspberry Pi OS "
                "install it with: sudo apt-get install espeak-ng") from exc
        voice = self.settings.voice or self.locale
        chosen = _pick_voice(engine, voice)
        if chosen is not None:
            engine.setProperty("voice", chosen)
        if self.settings.rate is not None:
            engine.setProperty("rate", self.settings.rate)
        engine.setProperty("volume", self.settings.volume)
        self._engine, self._owner = engine, me
        return engine


def _pick_voice(engine: Any, wanted: str) -> str | None:
    """A voice id matching ``wanted`` exactly, else one whose language or id ends in it."""
    wanted = wanted.lower()
    voices = engine.getProperty("voices") or []
    for v in voices:
        if str(v.id).lower() == wanted:
            return str(v.id)
    for v in voices:
        langs = [_lang(x) for x in (getattr(v, "languages", None) or [])]
        if wanted in langs or str(v.id).lower().endswith("/" + wanted):
            return str(v.id)
    return None


def _lang(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "ignore")
    return str(value).lower().lstrip("\x05").strip()

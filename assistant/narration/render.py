"""Render narration lines to audio with pyttsx3, so their length is the real one.

pyttsx3 lives in one thread of its own, started on first use: any thread may ask
for a line, and the work is handed to that thread. Lines are rendered once into WAV
files and cached. A simulation takes its line durations from here; the live voice
plays the same audio through the mixer.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import ctypes
import gc
import io
import os
import queue
import re
import shutil
import stat
import tempfile
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from assistant.errors import SpeechEngineError
from assistant.narration.delivery import DEFAULT_DELIVERY

__all__ = ["NarrationSettings", "Pyttsx3Renderer", "Rendering", "sweep_stale_folders"]


@dataclass(frozen=True)
class NarrationSettings:
    """How the assistant sounds."""

    rate: int | None = None  # words per minute; None is the default delivery's
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
    """Turns lines into WAV files with pyttsx3, cached by text.

    pyttsx3 hands out one engine per process (and espeak-ng keeps its settings in
    global state), so every renderer shares that engine, which runs in its own
    thread, and applies its own voice, rate and volume before each line. Safe to
    call from several threads.
    """

    def __init__(self, settings: NarrationSettings | None = None, locale: str = "en") -> None:
        self.settings = settings or NarrationSettings()
        self.locale = locale
        sweep_stale_folders()
        self._dir = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
        # removed at exit even when close() is never reached; a killed process leaves
        # it behind, and the next renderer's sweep takes it away
        atexit.register(shutil.rmtree, self._dir, ignore_errors=True)
        self._cache: dict[tuple[str, int | None], Rendering] = {}
        self._lock = threading.Lock()

    def render(self, text: str, rate: int | None = None) -> Rendering:
        """The line as audio, at ``rate`` words per minute if given (a voice command changed
        it), else the configured one; :class:`SpeechEngineError` if the engine cannot."""
        key = (text, rate)
        with self._lock:
            cached = self._cache.get(key)
            if cached is None:
                cached = on_engine_thread(lambda: self._render(text, rate))
                self._cache[key] = cached
            return cached

    def _render(self, text: str, rate: int | None = None) -> Rendering:
        engine = _shared_engine()
        path = self._dir / f"line-{len(self._cache):05d}.wav"
        settings = self.settings if rate is None else replace(self.settings, rate=rate)
        try:
            _apply(engine, settings, self.locale)
            with contextlib.redirect_stdout(io.StringIO()):  # the espeak driver prints
                engine.save_to_file(text, str(path))
                engine.runAndWait()
                # the espeak driver can return before a long line (seen with Korean) has
                # been synthesized; espeak_Synchronize waits for it to finish
                flush = _defaults.get("flush")
                if not path.exists() and flush is not None:
                    flush()
            with wave.open(str(path), "rb") as wav:
                rate = wav.getframerate()
                seconds = wav.getnframes() / rate
        except (OSError, RuntimeError, wave.Error, EOFError) as exc:
            raise SpeechEngineError(f"speech engine failed on {text!r}: {exc}") from exc
        if seconds <= 0:
            raise SpeechEngineError(f"speech engine produced no audio for {text!r}")
        return Rendering(text, path, seconds, rate)

    def seconds(self, text: str) -> float:
        """How long the line takes to say at the configured rate."""
        return self.render(text).seconds

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)
        self._cache.clear()


_PREFIX = "massage-narration-"
_OWNER = re.compile(rf"^{_PREFIX}(\d+)-")
#: folders named without a process id (older versions) are swept once this old
_UNOWNED_AGE_S = 12 * 3600


def sweep_stale_folders(root: Path | None = None, now: float | None = None) -> list[Path]:
    """Remove narration folders left by processes that no longer run (a kill, a power
    cut); returns those removed. Only this user's folders are touched."""
    root = Path(tempfile.gettempdir()) if root is None else root
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        candidates = list(root.glob(f"{_PREFIX}*"))
    except OSError:
        return removed
    for folder in candidates:
        try:
            info = folder.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
                continue
            m = _OWNER.match(folder.name)
            stale = not _running(int(m[1])) if m else now - info.st_mtime > _UNOWNED_AGE_S
        except (OSError, ValueError):
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process: not ours to judge
    return True


_engine: Any = None
_defaults: dict[str, Any] = {}
_worker: _EngineThread | None = None
_worker_lock = threading.Lock()
T = TypeVar("T")


class _EngineThread:
    """A daemon thread that runs engine jobs in turn; alive until the interpreter ends,
    so the engine can still be released cleanly from an ``atexit`` handler."""

    def __init__(self) -> None:
        self.jobs: queue.Queue[tuple[Callable[[], Any], concurrent.futures.Future[Any]]]
        self.jobs = queue.Queue()
        threading.Thread(target=self._run, name="speech-engine", daemon=True).start()

    def _run(self) -> None:
        while True:
            fn, future = self.jobs.get()
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to the caller, who decides
                future.set_exception(exc)


def on_engine_thread(fn: Callable[[], T]) -> T:
    """Run ``fn`` in the speech engine's own thread and return its result (or raise)."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = _EngineThread()
        worker = _worker
    future: concurrent.futures.Future[T] = concurrent.futures.Future()
    worker.jobs.put((fn, future))
    return future.result()


def _shared_engine() -> Any:
    """The process's pyttsx3 engine, started on first use (always in the engine thread)."""
    global _engine
    if _engine is None:
        try:
            import pyttsx3

            engine = pyttsx3.init()
        except (ImportError, OSError, RuntimeError, KeyError) as exc:
            raise SpeechEngineError(
                f"cannot start the speech engine ({exc}); on Debian or Raspberry Pi OS "
                "install it with: sudo apt-get install espeak-ng"
            ) from exc
        _keep_last_chunk(engine)
        _engine = engine
        atexit.register(_release_engine)
    return _engine


def _release_engine() -> None:
    """Drop the engine while Python is still whole: pyttsx3's finalizer fails at shutdown."""

    def release() -> None:
        global _engine
        _engine = None
        gc.collect()

    if _worker is not None:
        on_engine_thread(release)


def _keep_last_chunk(engine: Any) -> None:
    """Work around two faults of pyttsx3's espeak driver (2.99) with files.

    Settings changes are queued inside espeak-ng and can land after the next line, so
    :func:`_apply` flushes them with ``espeak_Synchronize``. And the driver drops the
    last audio buffer of each file:
    its synth callback writes the WAV when it sees the end-of-message event and only
    then appends that callback's samples, so up to one second (the whole line, for a
    short one) goes missing. We append those samples first and hand the driver none.
    Applied only to a driver of exactly that shape; any other is left alone.
    """
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if driver is None or not hasattr(driver, "_onSynth") or not hasattr(driver, "_data_buffer"):
        return
    try:
        from pyttsx3.drivers import _espeak
    except ImportError:  # pragma: no cover - not the espeak driver
        return
    original = driver._onSynth
    _defaults["flush"] = _espeak.Synchronize

    def on_synth(wav: Any, numsamples: int, events: Any) -> int:
        i = 0
        while events[i].type != _espeak.EVENT_LIST_TERMINATED:
            if events[i].type == _espeak.EVENT_MSG_TERMINATED and numsamples > 0:
                if driver._speaking:
                    driver._data_buffer += ctypes.string_at(
                        wav, numsamples * ctypes.sizeof(ctypes.c_short)
                    )
                return int(original(wav, 0, events))
            i += 1
        return int(original(wav, numsamples, events))

    _espeak.SetSynthCallback(on_synth)


def _apply(engine: Any, settings: NarrationSettings, locale: str) -> None:
    """Set voice, rate and volume for the next line, and make sure they have landed."""
    chosen = _pick_voice(engine, settings.voice or locale)
    if chosen is not None:
        engine.setProperty("voice", chosen)
    # the default is stated, not read back from espeak-ng when the engine starts: on a
    # loaded machine it could still answer its own 175 then (the driver's setting waits
    # in its command queue), and the whole session spoke 15 % slower than measured
    engine.setProperty("rate", settings.rate or DEFAULT_DELIVERY.rate)
    engine.setProperty("volume", settings.volume)
    # espeak-ng queues parameter changes behind earlier work; without this flush a
    # rate change can miss the very next line
    flush = _defaults.get("flush")
    if flush is not None:
        flush()


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

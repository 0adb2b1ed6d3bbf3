"""A model opened in the background the first time it is wanted.

Whisper base, the second opinion, is wanted only on a machine fast enough for it, and
only once a word needs it. Opened at start-up, a Raspberry Pi 4 (which never asks it)
paid for reading and checking its 75 MB and about 90 MB of memory for the whole
session, and every machine started later. Opened here in a thread of its own, the
words heard meanwhile go on without it; the engine's thread does not wait for it
(beyond CTranslate2 holding the interpreter lock while it maps the weights, about a
tenth of a second here).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Deferred"]

T = TypeVar("T")
log = logging.getLogger(__name__)


class Deferred(Generic[T]):
    """``opener()`` run once, in the background, when :meth:`get` is first called."""

    def __init__(self, opener: Callable[[], T], what: str) -> None:
        self._opener = opener
        self.what = what  # named in the log when opening fails
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._value: T | None = None
        self.failed: Exception | None = None

    @property
    def started(self) -> bool:
        """Whether opening was asked for (a slow machine never asks)."""
        return self._thread is not None

    def get(self) -> T | None:
        """The opened thing; ``None`` while it is opening (the first call starts that)
        or when opening failed. Once it has an answer, it keeps giving the same one."""
        thread = self._start()
        return None if thread.is_alive() else self._value

    def wait(self) -> T | None:
        """Open it now if needed and wait for it: for the benchmark and tests, whose
        figures must not depend on how fast a thread was."""
        self._start().join()
        return self._value

    def _start(self) -> threading.Thread:
        with self._lock:  # asked from two threads at once, it still opens once
            if self._thread is None:
                self._thread = threading.Thread(target=self._open, name=self.what, daemon=True)
                self._thread.start()
            return self._thread

    def _open(self) -> None:
        try:
            self._value = self._opener()
        except Exception as exc:  # a model that fails to open is left out, not fatal
            self.failed = exc
            log.warning("%s could not be opened and is left out: %s", self.what, exc)

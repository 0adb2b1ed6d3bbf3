"""Single key presses from a terminal, without Enter: any key is next, two quick ones stop.

The terminal is put in cbreak mode (no line editing, no echo; Ctrl-C still interrupts) for
as long as the ``with`` block lasts and always put back, on exceptions and Ctrl-C too, from
the thread that entered it: a daemon thread killed at exit could not restore it. A terminal
reports characters, not key releases, so each key is a tap; a held key repeats, and its
repeats are a double press, which is stop.
"""

from __future__ import annotations

import contextlib
import os
import select
import termios
import threading
import time
import tty
from collections.abc import Callable
from types import TracebackType
from typing import Any

from assistant.intents import Intent
from assistant.pedal.presses import TERMINAL_SETTINGS, PressClassifier, PressSettings

__all__ = ["TerminalPedal", "count_keys"]


def count_keys(data: bytes) -> int:
    """How many key presses a chunk of terminal input holds (an arrow key's ESC [ A is one)."""
    keys = i = 0
    while i < len(data):
        keys += 1
        if data[i] == 0x1B and i + 1 < len(data) and data[i + 1] in b"[O":
            i += 2  # CSI or SS3: parameters, then one final byte from @ to ~
            while i < len(data) and not 0x40 <= data[i] <= 0x7E:
                i += 1
        elif data[i] >= 0xC0:  # the lead byte of a UTF-8 character: skip its continuation
            i += 1
            while i < len(data) and 0x80 <= data[i] < 0xC0:
                i += 1
            continue
        i += 1
    return keys


class TerminalPedal:
    """Reads key presses from terminal ``fd`` in a thread of its own and hands out intents.

    ``emit`` gets each :class:`Intent` (``next`` or ``stop``) from the reading thread;
    ``clock`` gives seconds on any monotonic scale (tests pass a virtual one and call
    :meth:`pump` themselves instead of entering the ``with`` block's thread).
    """

    def __init__(
        self,
        fd: int,
        emit: Callable[[Intent], None],
        settings: PressSettings = TERMINAL_SETTINGS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fd = fd
        self.emit = emit
        self.clock = clock
        self.classifier = PressClassifier(settings)
        self.closed = False  # end of input seen
        self._saved: list[Any] | None = None
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> TerminalPedal:
        self.raw_mode()
        self._thread = threading.Thread(target=self._run, name="terminal-pedal", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            os.write(self._wake_w, b"x")
            if self._thread is not None:
                self._thread.join(timeout=2.0)
        finally:
            self.restore()
            self.close()

    def close(self) -> None:
        """Release the wake-up pipe (the terminal itself belongs to the caller)."""
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def raw_mode(self) -> None:
        """Keys one at a time, not echoed; the previous settings kept for :meth:`restore`."""
        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd, termios.TCSANOW)

    def restore(self) -> None:
        """The terminal as it was before :meth:`raw_mode` (safe to call twice)."""
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def pump(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds for keys, then emit what is due; False once woken."""
        deadline = self.classifier.deadline()
        if deadline is not None:
            wait = max(0.0, deadline - self.clock())
            timeout = wait if timeout is None else min(timeout, wait)
        readable, _, _ = select.select([self.fd, self._wake_r], [], [], timeout)
        if self._wake_r in readable:
            return False
        if self.fd in readable:
            try:
                data = os.read(self.fd, 256)
            except OSError:  # the terminal went away (a closed pseudo-terminal says EIO)
                data = b""
            if not data:
                self.closed = True
                return False
            now = self.clock()
            for _ in range(count_keys(data)):
                self._give(self.classifier.tap(now))
        self._give(self.classifier.poll(self.clock()))
        return True

    def _give(self, intent: Intent | None) -> None:
        if intent is not None:
            self.emit(intent)

    def _run(self) -> None:  # the only job of this thread
        while self.pump(None):
            pass

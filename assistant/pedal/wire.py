"""``--pedal DEVICE``: a pedal (or the terminal's keys) as one more input of a session.

Presses become the intents *next* and *stop* on the same input queue speech uses, already
understood (a Korean session takes a press as readily as an English one).
A stop also silences the speaker at once, from the pedal's own thread, so the voice
stops within one audio block even while the session thread is busy.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator

from assistant.intents import Intent
from assistant.pedal.evdev_pedal import EvdevPedal, PedalError, open_pedal
from assistant.pedal.terminal import TerminalPedal
from assistant.recognizers.listener import Heard

__all__ = ["TERMINAL", "pedal_input"]

#: ``--pedal terminal``: any key in this terminal, without Enter.
TERMINAL = "terminal"


@contextlib.contextmanager
def pedal_input(
    spec: str | None,
    put: Callable[[Heard], None],
    *,
    cut: Callable[[], None] | None = None,
    note: Callable[[str], None] = lambda _: None,
    fd: int | None = None,
) -> Iterator[bool]:
    """Read the pedal for as long as the block lasts; yields whether one is attached.

    ``put`` gets what a listener would have heard: *next* or *stop*; ``cut`` (the
    mixer's) is called first on a stop; ``note`` hears that the pedal went away (voice
    commands go on).
    """
    if spec is None:
        yield False
        return

    def emit(intent: Intent) -> None:
        if intent.name == "stop" and cut is not None:
            cut()
        put(Heard(0.0, intent.name, intent))  # the queue stamps the time it is taken

    if spec == TERMINAL:
        fd = sys.stdin.fileno() if fd is None else fd
        if not os.isatty(fd):
            raise PedalError(
                "--pedal terminal needs a terminal to read keys from; "
                "on a kiosk give the pedal's device instead (--pedal /dev/input/by-id/...)"
            )
        with TerminalPedal(fd, emit):
            yield True
        return
    device = open_pedal(spec)
    with EvdevPedal(device, emit, on_fault=note):
        yield True

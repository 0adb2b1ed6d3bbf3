"""The kiosk's log: one line per event that matters, for the system log.

No audio and no personal text: what was heard is never logged (only that a session
started, paused, stopped or ended, and device problems); the journal keeps the rest.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from assistant.events import Event
from assistant.events.kinds import End, EndedForPain, Error, Fault, Start, State

__all__ = ["KioskEvents", "KioskLog"]


class KioskLog:
    """Writes ``kiosk: <what>`` lines to ``stream`` (stderr: systemd's journal) and keeps them."""

    def __init__(self, stream: TextIO | None = None, keep: int = 200) -> None:
        self.stream = stream
        self.keep = keep
        self.lines: list[str] = []  # the most recent, for tests and a status line

    def __call__(self, what: str) -> None:
        line = f"kiosk: {what}"
        self.lines.append(line)
        del self.lines[: -self.keep]
        print(line, file=self.stream or sys.stderr, flush=True)


class KioskEvents:
    """An event sink that logs the session events a studio owner would want to see."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        self.outcome: str | None = None

    def emit(self, event: Event) -> None:
        match event:
            case Start(routine=routine):
                self.log(f"session started: {routine}")
            case State(state=state) if state in ("paused", "stopped"):
                self.log(f"session {state}")
            case Fault(message=message):
                self.log(f"problem: {message}")
            case Error(message=message):
                self.log(f"internal error, session ended safely: {message}")
            case EndedForPain():
                self.log("session ended for pain")
            case End(outcome=outcome):
                self.outcome = outcome
                self.log(f"session over: {outcome}")

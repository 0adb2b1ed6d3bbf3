"""One status line at the foot of a terminal: stage, time left, pressure, last command.

A screen is optional: this is only drawn when the output is a terminal, and nothing
reads it back. The terminal's scrolling region is set to every row but the last, so the
printed lines and what the person types scroll above it and the status line stays put,
redrawn in place (cursor saved and restored) after each event. The terminal is given
back whole when the session ends.
"""

from __future__ import annotations

import shutil
import sys
from typing import TextIO

from assistant.events import Event
from assistant.events.kinds import End, IntentHeard, Pressure, Stage, State
from assistant.routine.model import Routine

__all__ = ["StatusLine"]

_SAVE, _RESTORE = "\x1b7", "\x1b8"  # the cursor's place
_ERASE = "\x1b[2K"  # the whole line
_BOLD, _PLAIN = "\x1b[1m", "\x1b[0m"


class StatusLine:
    """Draws ``stage · time left · pressure · heard`` on ``out`` when it is a terminal."""

    def __init__(self, routine: Routine, out: TextIO | None = None) -> None:
        self.routine = routine
        self.out = out or sys.stdout
        try:
            self.enabled = self.out.isatty()
        except (AttributeError, ValueError):
            self.enabled = False
        self.planned = routine.planned_seconds()
        self.stage = ""
        self.state = ""
        self.pressure = ""
        self.heard = ""
        self.t = 0.0
        self._rows = 0  # the terminal's height when the region was set; 0: not yet

    # -- as an event sink ------------------------------------------------------------------

    def emit(self, event: Event) -> None:
        self.t = event.t
        match event:
            case Stage(index=index, level=level):
                stages = self.routine.stages
                self.stage = f"{index + 1}/{len(stages)} {stages[index].title}"
                self.pressure = level
            case Pressure(level=level):
                self.pressure = level
            case State(state=state):
                self.state = state
            case IntentHeard(name=name, value=value):
                self.heard = name if value is None else f"{name} {value}"
            case End(outcome=outcome):
                self.state = f"over: {outcome}"
        self.draw()

    def text(self) -> str:
        """The line as it reads now."""
        left = max(0, int(self.planned - self.t))
        parts = [
            self.stage or self.routine.title,
            self.state,
            f"{left // 60}:{left % 60:02d} left",
            f"pressure {self.pressure}" if self.pressure else "",
            f"heard: {self.heard}" if self.heard else "",
        ]
        return " · ".join(p for p in parts if p)

    def draw(self) -> None:
        if not self.enabled:
            return
        rows = shutil.get_terminal_size((80, 24)).lines
        if rows < 3:
            return
        out = self.out
        if rows != self._rows:  # first draw, or the window was resized
            # a new line first, so the cursor is not on the row the status line takes
            out.write(f"\n\x1b[A{_SAVE}\x1b[1;{rows - 1}r{_RESTORE}")
            self._rows = rows
        width = shutil.get_terminal_size((80, 24)).columns
        line = self.text()[: max(1, width - 1)]
        out.write(f"{_SAVE}\x1b[{rows};1H{_ERASE}{_BOLD}{line}{_PLAIN}{_RESTORE}")
        out.flush()

    def close(self) -> None:
        """Give the terminal back whole: every row scrolls again, the status line erased."""
        if self.enabled and self._rows:
            self.out.write(f"{_SAVE}\x1b[r\x1b[{self._rows};1H{_ERASE}{_RESTORE}")
            self.out.flush()
            self._rows = 0

    # -- as the printer's stream (the status line sits outside the scrolling rows) -------------

    def write(self, text: str) -> int:
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:
        return self.enabled

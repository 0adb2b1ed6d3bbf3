"""The status line: its fields follow the session's events; it is drawn only on a terminal,
on the last row outside the scrolling region, and the terminal is given back whole."""

from __future__ import annotations

import io

from assistant.console import ConsolePrinter
from assistant.events import EventLog
from assistant.routine.loader import load_routine
from assistant.status import StatusLine
from tests.sessionkit import simulate


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_fields_follow_a_session() -> None:
    routine = load_routine("gentle-first")
    _, log, _ = simulate(routine, [(200.0, "lighter")])
    status = StatusLine(routine, io.StringIO())
    seen = []
    for event in log.events:
        status.emit(event)
        seen.append(status.text())
    stage = routine.stages[0]
    assert any(line.startswith(f"1/{len(routine.stages)} {stage.title}") for line in seen)
    assert any("pressure " in line for line in seen)
    assert any("heard: lighter" in line for line in seen)
    lefts = [int(line.split(" left")[0].split()[-1].split(":")[0]) for line in seen]
    assert lefts[0] >= lefts[-1]  # time left goes down
    assert "over: finished" in seen[-1]


def test_drawn_on_the_last_row_of_a_terminal_and_the_terminal_given_back() -> None:
    routine = load_routine("gentle-first")
    out = Terminal()
    status = StatusLine(routine, out)
    printer = ConsolePrinter(stream=status)  # type: ignore[arg-type]
    log = EventLog(printer, status)
    _, done, _ = simulate(routine)
    for event in done.events[:40]:
        log.emit(event)
    text = out.getvalue()
    assert "\x1b[1;23r" in text  # every row but the last scrolls (24-row default)
    assert "\x1b7\x1b[24;1H\x1b[2K\x1b[1m" in text  # drawn on row 24, cursor kept
    assert "Gentle first massage" in text
    status.close()
    assert out.getvalue().endswith("\x1b7\x1b[r\x1b[24;1H\x1b[2K\x1b8")


def test_nothing_is_drawn_when_the_output_is_not_a_terminal() -> None:
    routine = load_routine("gentle-first")
    out = io.StringIO()
    status = StatusLine(routine, out)
    printer = ConsolePrinter(stream=status)  # type: ignore[arg-type]
    _, done, _ = simulate(routine)
    log = EventLog(printer, status)
    for event in done.events:
        log.emit(event)
    status.close()
    assert "\x1b" not in out.getvalue()
    assert "Session over: finished." in out.getvalue()

"""Session events as lines a person reads in a terminal (text mode, simulate)."""

from __future__ import annotations

import sys
from typing import TextIO

from assistant.events import Event
from assistant.events.kinds import Cue, Cut, End, Error, Fault, Heard, IntentHeard, Said, State

__all__ = ["ConsolePrinter", "format_event"]


def _clock(t: float) -> str:
    minutes, seconds = divmod(int(t), 60)
    return f"{minutes:2d}:{seconds:02d}"


def format_event(event: Event, verbose: bool = False) -> str | None:
    """One readable line for an event, or None for events only a log needs."""
    t = _clock(event.t)
    match event:
        case Said(text=text):
            return f"{t}  {text}"
        case Cue(text=text):
            return f"{t}      ~ {text}"
        case Heard(text=text):
            return f"{t}  > {text}"
        case State(state=state, stage=stage):
            shown = verbose or state in ("paused", "stopped", "finished", "declined", "ended")
            return f"{t}  [{state}{f' {stage}' if stage else ''}]" if shown else None
        case IntentHeard(name=name, value=value) if verbose:
            return f"{t}    (heard: {name}{f' {value}' if value is not None else ''})"
        case Cut():
            return f"{t}    (cut off)"
        case End(outcome=outcome):
            return f"{t}  Session over: {outcome}."
        case Fault(message=message):
            return f"{t}  Problem: {message}. Paused; say or type resume when ready."
        case Error(message=message):
            return f"{t}  Internal error, session ended safely: {message}"
    return None


class ConsolePrinter:
    """An event sink that prints what a person would hear, as it happens."""

    def __init__(self, stream: TextIO | None = None, verbose: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.verbose = verbose

    def emit(self, event: Event) -> None:
        line = format_event(event, self.verbose)
        if line is not None:
            print(line, file=self.stream, flush=True)

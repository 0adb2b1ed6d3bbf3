"""Session events as lines a person reads in a terminal (text mode, simulate)."""

from __future__ import annotations

import sys
from typing import TextIO

from .events import Event

__all__ = ["ConsolePrinter", "format_event"]


def _clock(t: float) -> str:
    minutes, seconds = divmod(int(t), 60)
    return f"{minutes:2d}:{seconds:02d}"


def format_event(event: Event, verbose: bool = False) -> str | None:
    """One readable line for an event, or None for events only a log needs."""
    d = event.data
    t = _clock(event.t)
    if event.type == "say":
        return f"{t}  {d['text']}"
    if event.type == "cue":
        return f"{t}      ~ {d['text']}"
    if event.type == "heard":
        return f"{t}  > {d['text']}"
    if event.type == "state":
        stage = f" {d['stage']}" if d.get("stage") else ""
        return (
            f"{t}  [{d['state']}{stage}]"
            if verbose or d["state"] in ("paused", "stopped", "finished", "declined", "ended")
            else None
        )
    if event.type == "intent" and verbose:
        value = f" {d['value']}" if "value" in d else ""
        return f"{t}    (heard: {d['name']}{value})"
    if event.type == "cut":
        return f"{t}    (cut off)"
    if event.type == "end":
        return f"{t}  Session over: {d['outcome']}."
    if event.type == "fault":
        return f"{t}  Problem: {d['message']}. Paused; say or type resume when ready."
    if event.type == "error":
        return f"{t}  Internal error, session ended safely: {d['message']}"
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

"""The event log: keeps a session's events and fans each one out to its sinks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol

from assistant.events.kinds import Event

__all__ = ["CallbackSink", "EventLog", "EventSink", "JsonlWriter"]


class EventSink(Protocol):
    def emit(self, event: Event) -> None: ...


class EventLog:
    """Keeps events in memory and fans them out to any number of sinks."""

    def __init__(self, *sinks: EventSink) -> None:
        self.events: list[Event] = []
        self._sinks = list(sinks)

    def add_sink(self, sink: EventSink) -> None:
        self._sinks.append(sink)

    def emit(self, event: Event) -> None:
        self.events.append(event)
        for sink in self._sinks:
            sink.emit(event)

    def close(self) -> None:
        """Close every sink that holds a resource (files); the events stay in memory."""
        for sink in self._sinks:
            close = getattr(sink, "close", None)
            if close is not None:
                close()

    def of_type(self, *types: str) -> list[Event]:
        return [e for e in self.events if e.type in types]


class JsonlWriter:
    """Writes each event as one JSON line and flushes at once, so a crash loses nothing."""

    def __init__(self, path: Path) -> None:
        """Opens the file owner-only at once, so a bad path is said before the session."""
        from assistant.files import open_private

        self.path = path
        self._file: IO[str] = open_private(path)

    def emit(self, event: Event) -> None:
        self._file.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class CallbackSink:
    """Adapts a plain function into a sink (used by the console printer)."""

    def __init__(self, fn: Callable[[Event], None]) -> None:
        self._fn = fn

    def emit(self, event: Event) -> None:
        self._fn(event)

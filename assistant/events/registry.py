"""Every event kind by its stored name, and the one way events are stored and read back.

Stored records carry the schema version they were written in; reading brings an older
record up to date through :data:`MIGRATIONS` before it becomes an event object, so a
renamed field is a migration here and never a broken journal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from assistant.events import kinds
from assistant.events.kinds import Event, RawEvent

__all__ = [
    "MIGRATIONS",
    "REGISTRY",
    "SCHEMA_VERSION",
    "decode",
    "from_json",
    "to_json",
]

#: 1: the untyped records every journal held before typed events (no version stored);
#: 2: typed events. The stored fields did not change, only their checking;
#: 3: a heard command carries the recognizer's confidence (left out for typed text).
SCHEMA_VERSION = 3

REGISTRY: dict[str, type[Event]] = {
    cls.TYPE: cls
    for cls in vars(kinds).values()
    if isinstance(cls, type) and issubclass(cls, Event) and cls.TYPE
}

Migration = Callable[[str, dict[str, Any]], tuple[str, dict[str, Any]]]


def _from_v1(type_: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Version 1 records have the fields of version 2, so they are taken as they are."""
    return type_, data


def _from_v2(type_: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Version 2 knew no confidence: its heard records read as typed text (none stored)."""
    return type_, data


#: ``MIGRATIONS[n]`` turns a record of version ``n`` into one of version ``n + 1``.
MIGRATIONS: dict[int, Migration] = {1: _from_v1, 2: _from_v2}


def decode(t: float, type_: str, data: dict[str, Any], version: int = SCHEMA_VERSION) -> Event:
    """One stored record as an event object; a record no class fits is kept as a RawEvent."""
    if version > SCHEMA_VERSION:
        return RawEvent(t=t, kind=type_, fields_=dict(data))
    for v in range(version, SCHEMA_VERSION):
        type_, data = MIGRATIONS[v](type_, data)
    cls = REGISTRY.get(type_)
    if cls is None:
        return RawEvent(t=t, kind=type_, fields_=dict(data))
    try:
        return cls(t=t, **data)
    except TypeError:  # a field missing or unknown: keep the record as it was written
        return RawEvent(t=t, kind=type_, fields_=dict(data))


def to_json(event: Event) -> dict[str, Any]:
    """The stored form: ``{"t": ..., "type": ..., **fields}``."""
    return event.to_json()


def from_json(record: dict[str, Any], version: int = SCHEMA_VERSION) -> Event:
    """The inverse of :func:`to_json`."""
    data = dict(record)
    t = float(data.pop("t"))
    type_ = str(data.pop("type"))
    return decode(t, type_, data, version)

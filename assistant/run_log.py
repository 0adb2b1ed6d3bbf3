"""A session run's event sinks: the journal first (an event is on disk before anything
reports it), the console, the ``--events`` file; and what the journal remembers."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.console import ConsolePrinter
from assistant.errors import AssistantError
from assistant.events import EventLog, JsonlWriter
from assistant.journal import (
    DEFAULT_PERSON,
    JournalError,
    JournalRecorder,
    carryover_for,
    journal_path,
    open_journal,
    recent_people,
)
from assistant.routine.model import Routine
from assistant.session.carryover import Carryover, Memory, flags_win

if TYPE_CHECKING:
    from assistant.app import AppConfig

__all__ = ["open_event_log"]


def open_event_log(
    cfg: AppConfig, stack: ExitStack, printer: ConsolePrinter | None, routine: Routine
) -> tuple[EventLog, Memory]:
    """The session's event sinks: journal first (an event is on disk before anything
    reports it), console, ``--events`` file; and what the journal remembers."""
    log = EventLog()
    memory = Memory(Carryover(person=cfg.person))
    # a bad --events path is said now, before a journal is opened or a session starts
    events = _events_file(cfg.events, cfg.journal) if cfg.events else None
    recorder, memory = _journal(cfg, routine)
    if recorder is not None:
        log.add_sink(recorder)
    if printer is not None:
        log.add_sink(printer)
    if events is not None:
        log.add_sink(events)
    stack.callback(log.close)
    return log, memory


def _events_file(events: str, journal: str | None) -> JsonlWriter:
    """The ``--events`` file, opened owner-only; never the journal (opening it would wipe it)."""
    path = Path(events).expanduser()
    ours = journal_path(journal or None)
    guarded = [ours, *(Path(f"{ours}{side}") for side in ("-wal", "-shm", "-journal"))]
    if any(_same_file(path, g) for g in guarded):
        raise AssistantError(
            f"--events {events} is the session journal; writing events there would wipe it. "
            "Choose another file."
        )
    return JsonlWriter(path)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except (OSError, ValueError):
        return False


def _journal(cfg: AppConfig, routine: Routine) -> tuple[JournalRecorder | None, Memory]:
    """Open the journal for a session, if the config keeps one; a journal problem never
    stops a session."""
    person = cfg.person
    nothing = Memory(Carryover(person=person))
    if cfg.journal is None:
        return None, nothing
    path = journal_path(cfg.journal or None)
    try:
        journal = open_journal(path)
    except JournalError as exc:
        print(f"note: no journal this session: {exc}", file=sys.stderr)
        return None, nothing
    if journal.moved_aside is not None:
        print(
            f"note: the journal at {path} could not be used because {journal.moved_because}. "
            f"It was moved, untouched, to {journal.moved_aside}; a new journal was started.",
            file=sys.stderr,
        )

    def recall(name: str | None) -> Carryover:
        try:
            carry = carryover_for(journal, routine, name, datetime.now(timezone.utc))
            return flags_win(carry, cfg.narration.rate, cfg.narration.volume)
        except Exception as exc:  # an odd journal must not stop a session from starting
            print(f"note: nothing carried over from the journal: {exc}", file=sys.stderr)
            return Carryover(person=name)

    recorder = JournalRecorder(
        journal,
        person or DEFAULT_PERSON,
        warn=lambda message: print(f"note: {message}", file=sys.stderr, flush=True),
    )
    try:
        people = [] if person else recent_people(journal)
    except Exception as exc:
        print(f"note: cannot list the people in the journal: {exc}", file=sys.stderr)
        people = []
    return recorder, Memory(recall(person), people, recall)

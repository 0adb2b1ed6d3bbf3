"""Writes each session event into the journal the moment it is emitted.

An event is committed before ``emit`` returns, so whatever the session has said or
heard is on disk before anything else happens; a SIGKILL or a power cut can lose
at most the event being written at that instant. If the disk refuses a write
(full, locked, unplugged), the event is kept in memory and retried with the next
one; what is still unsaved when the session closes goes to a JSON-lines file
beside the journal, and the user is told. The session itself never sees an error.

Only one session writes a journal at a time (:class:`~.unsaved.WriterLock`): a
second one is told and keeps its events in a file of its own, which the next
session imports (see :mod:`.unsaved`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from assistant.errors import AssistantError
from assistant.events import SCHEMA_VERSION, Event
from assistant.events.kinds import End, Person, Resumed, ResumeDeclined, Start
from assistant.journal.store import DEFAULT_PERSON, Journal
from assistant.journal.unsaved import UnsavedFile, WriterLock, import_unsaved, unsaved_path

__all__ = ["JournalRecorder"]

BUSY_TIMEOUT_S = 0.1  # wait at most this for a lock held by another program
RETRY_S = 2.0  # after a refused write, try again with the first event this much later


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class JournalRecorder:
    """An event sink that keeps one session in the journal, event by event."""

    def __init__(
        self,
        journal: Journal,
        person: str,
        *,
        now: Callable[[], datetime] = _utcnow,
        warn: Callable[[str], None] = lambda message: None,
        monotonic: Callable[[], float] = time.monotonic,
        lock: bool = True,
    ) -> None:
        """With ``lock`` (a session), the writer lock is taken, or the session is told
        that another one holds it; files earlier sessions could not save are imported."""
        self.journal = journal
        self.person = person
        self.session_id: int | None = None
        self._now = now
        self._monotonic = monotonic
        self._warn = warn
        self._started: datetime | None = None
        self._seq = 0
        self._pending: list[Event] = []
        self._warned = False
        self._retry_at = 0.0  # monotonic time of the next attempt while the disk refuses
        self._routine: dict[str, str] = {}
        self.writer: WriterLock | None = None
        self._spill: UnsavedFile | None = None
        self.second = False  # another session holds the journal: events go to a file
        # a journal locked by another program must not hold the session up
        journal.db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if lock:
            self._take_lock()

    def _take_lock(self) -> None:
        self.writer = WriterLock(self.journal.path)
        if not self.writer.held:
            self.second = True
            self._warn(
                f"another session is writing the journal at {self.journal.path}; this "
                "session's events are kept in a file beside it and added to the journal "
                "when it is next opened"
            )
            return
        try:
            imported = import_unsaved(self.journal, self._warn)
        except Exception as exc:  # the files stay; a later start tries again
            self._warn(f"could not add earlier unsaved sessions to the journal: {exc}")
            return
        for one in imported:
            lost = f" ({one.skipped} unreadable lines left out)" if one.skipped else ""
            self._warn(
                f"added {one.events} events that {one.path.name} kept to the journal "
                f"(session {one.session}){lost}"
            )

    @classmethod
    def continuing(cls, journal: Journal, header: dict[str, Any]) -> JournalRecorder:
        """A recorder that carries on the session an unsaved-session file describes:
        the same session when the journal has it, else a new one started when it did."""
        rec = cls(journal, str(header.get("person") or DEFAULT_PERSON), lock=False)
        rec._routine = {k: str(header[k]) for k in ("routine", "title") if header.get(k)}
        started = _when(header.get("started"))
        rec._started = started
        session = header.get("session")
        if isinstance(session, int) and started is not None:
            row = journal.db.execute(
                "SELECT started, (SELECT max(seq) FROM events WHERE session_id = s.id) "
                "FROM sessions s WHERE id = ?",
                (session,),
            ).fetchone()
            if row is not None and _when(row[0]) == started:
                rec.session_id = session
                rec._seq = 0 if row[1] is None else int(row[1]) + 1
        return rec

    def write_all(self, events: Sequence[Event]) -> int:
        """Write events in one transaction (an import); returns the session id."""
        db = self.journal.db
        with self.journal.lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                for event in events:
                    self._insert(event)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        assert self.session_id is not None
        return self.session_id

    def emit(self, event: Event) -> None:
        with self.journal.lock:
            if self.second:
                self._keep_aside(event)
                return
            self._pending.append(event)
            if len(self._pending) > 1 and self._monotonic() < self._retry_at:
                return  # still refused a moment ago: keep it, and keep the session moving
            try:
                while self._pending:
                    self._write(self._pending[0])
                    self._pending.pop(0)
                self._warned = False
            except Exception as exc:  # nothing here may reach the session
                self._retry_at = self._monotonic() + RETRY_S
                if not self._warned:
                    self._warned = True
                    self._warn(
                        f"the journal at {self.journal.path} cannot be written ({exc}); "
                        "keeping events in memory and trying again"
                    )

    def close(self) -> None:
        """Close the journal; whatever it refused goes into a file beside it, said where."""
        with self.journal.lock:
            try:
                self._rescue()
                if self._spill is not None:
                    self._spill.close()
                    self._warn(
                        f"this session's events are in {self._spill.path}; the next session "
                        "adds them to the journal"
                    )
            finally:
                if self.writer is not None:
                    self.writer.release()
                self.journal.close()

    def _header(self) -> dict[str, Any]:
        started = self._started or self._now()
        return {
            "person": self.person,
            "started": started.isoformat(),
            "session": self.session_id,
            **self._routine,
        }

    def _keep_aside(self, event: Event) -> None:
        """A second session's event, into its own file (never into another's journal)."""
        try:
            if self._spill is None:
                self._started = self._now() - timedelta(seconds=event.t)
                self._note_routine(event)
                self._spill = UnsavedFile(
                    unsaved_path(self.journal.path, self._started), self._header()
                )
            self._spill.write(event)
        except (OSError, AssistantError) as exc:
            self._pending.append(event)  # kept in memory; the rescue at close tries again
            if not self._warned:
                self._warned = True
                self._warn(f"cannot keep this session's events beside the journal: {exc}")

    def _rescue(self) -> None:
        if not self._pending:
            return
        rescue = unsaved_path(self.journal.path, self._started or self._now())
        try:
            kept = UnsavedFile(rescue, self._header())
            try:
                for event in self._pending:
                    kept.write(event)
            finally:
                kept.close()
        except (OSError, AssistantError) as exc:
            self._warn(f"{len(self._pending)} events could not be saved anywhere: {exc}")
            return
        self._warn(f"{len(self._pending)} events the journal refused are in {rescue}")
        self._pending.clear()

    # -- writing --------------------------------------------------------------------------------

    def _write(self, event: Event) -> None:
        db = self.journal.db
        opened = self.session_id is None
        seq = self._seq
        db.execute("BEGIN IMMEDIATE")
        try:
            self._insert(event)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if opened:  # the session row went with the rollback: open it again next time
                self.session_id = None
            self._seq = seq
            raise

    def _insert(self, event: Event) -> None:
        """One event (and its session row, the first time), inside the caller's transaction."""
        data = json.dumps(event.data, ensure_ascii=False, default=str)
        if self.session_id is None:
            self._open_session(event)
        assert self.session_id is not None
        self.journal.db.execute(
            "INSERT INTO events(session_id, seq, t, type, data, v) VALUES (?, ?, ?, ?, ?, ?)",
            (self.session_id, self._seq, event.t, event.type, data, SCHEMA_VERSION),
        )
        self._after(event)
        self._seq += 1

    def _note_routine(self, event: Event) -> None:
        match event:
            case Start(routine=routine, title=title):
                self._routine = {"routine": routine, "title": title}

    def _open_session(self, event: Event) -> None:
        if self._started is None:
            self._started = self._now() - timedelta(seconds=event.t)
        self._note_routine(event)
        routine = self._routine.get("routine", "?")
        title = self._routine.get("title", routine)
        person = self.journal.person_id(self.person, self._now)
        cur = self.journal.db.execute(
            "INSERT INTO sessions(person_id, routine, title, started) VALUES (?, ?, ?, ?)",
            (person, routine, title, self._started.isoformat()),
        )
        self.session_id = int(cur.lastrowid or 0)

    def _after(self, event: Event) -> None:
        """Keep the session row in step with events that change what it is."""
        db = self.journal.db
        ended = (self._started or self._now()) + timedelta(seconds=event.t)
        match event:
            case Person(name=name):  # named by voice once the session had begun
                self.person = name or DEFAULT_PERSON
                db.execute(
                    "UPDATE sessions SET person_id = ? WHERE id = ?",
                    (self.journal.person_id(self.person, self._now), self.session_id),
                )
            case End(outcome=outcome):
                db.execute(
                    "UPDATE sessions SET ended = ?, outcome = ? WHERE id = ?",
                    (ended.isoformat(), outcome, self.session_id),
                )
            case Resumed(session=earlier) | ResumeDeclined(session=earlier):
                # its end time stays unknown: it stopped at its last event
                db.execute(
                    "UPDATE sessions SET outcome = 'interrupted' WHERE id = ? AND outcome IS NULL",
                    (earlier,),
                )
                if isinstance(event, Resumed):
                    db.execute(
                        "UPDATE sessions SET resumed_from = ? WHERE id = ?",
                        (earlier, self.session_id),
                    )


def _when(value: object) -> datetime | None:
    """A stored ISO time, or None if there is none (or it is unreadable)."""
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)

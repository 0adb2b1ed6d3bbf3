"""Writes each session event into the journal the moment it is emitted.

An event is committed before ``emit`` returns, so whatever the session has said or
heard is on disk before anything else happens; a SIGKILL or a power cut can lose
at most the event being written at that instant. If the disk refuses a write
(full, locked, unplugged), the event is kept in memory and retried with the next
one; what is still unsaved when the session closes goes to a JSON-lines file
beside the journal, and the user is told. The session itself never sees an error.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from ..events import Event
from .store import DEFAULT_PERSON, Journal

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
    ) -> None:
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
        # a journal locked by another program must not hold the session up
        journal.db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")

    def emit(self, event: Event) -> None:
        with self.journal.lock:
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
            finally:
                self.journal.close()

    def _rescue(self) -> None:
        if not self._pending:
            return
        stamp = (self._started or self._now()).strftime("%Y%m%d-%H%M%S")
        rescue = self.journal.path.with_name(f"unsaved-session-{stamp}.jsonl")
        try:
            fd = os.open(rescue, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with open(fd, "a", encoding="utf-8") as f:
                for event in self._pending:
                    f.write(json.dumps(event.to_json(), ensure_ascii=False) + "\n")
        except OSError as exc:
            self._warn(f"{len(self._pending)} events could not be saved anywhere: {exc}")
            return
        self._warn(f"{len(self._pending)} events the journal refused are in {rescue}")
        self._pending.clear()

    # -- writing --------------------------------------------------------------------------------

    def _write(self, event: Event) -> None:
        db = self.journal.db
        data = json.dumps(event.data, ensure_ascii=False, default=str)
        opened = self.session_id is None
        db.execute("BEGIN IMMEDIATE")
        try:
            if opened:
                self._open_session(event)
            assert self.session_id is not None
            db.execute(
                "INSERT INTO events(session_id, seq, t, type, data) VALUES (?, ?, ?, ?, ?)",
                (self.session_id, self._seq, event.t, event.type, data),
            )
            self._after(event)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if opened:  # the session row went with the rollback: open it again next time
                self.session_id = None
            raise
        self._seq += 1

    def _open_session(self, event: Event) -> None:
        self._started = self._now() - timedelta(seconds=event.t)
        routine = str(event.data.get("routine", "?"))
        title = str(event.data.get("title", routine))
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
        if event.type == "person":  # named by voice once the session had begun
            self.person = str(event.data.get("name") or DEFAULT_PERSON)
            db.execute(
                "UPDATE sessions SET person_id = ? WHERE id = ?",
                (self.journal.person_id(self.person, self._now), self.session_id),
            )
        elif event.type == "end":
            db.execute(
                "UPDATE sessions SET ended = ?, outcome = ? WHERE id = ?",
                (ended.isoformat(), str(event.data.get("outcome", "?")), self.session_id),
            )
        elif event.type in ("resumed", "resume_declined"):
            earlier = int(event.data["session"])
            # its end time stays unknown: it stopped at its last event
            db.execute(
                "UPDATE sessions SET outcome = 'interrupted' WHERE id = ? AND outcome IS NULL",
                (earlier,),
            )
            if event.type == "resumed":
                db.execute(
                    "UPDATE sessions SET resumed_from = ? WHERE id = ?", (earlier, self.session_id)
                )

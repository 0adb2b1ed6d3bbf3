"""Sessions kept beside the journal when it cannot take them, and brought back later.

One session at a time writes the journal: it holds an advisory lock on
``<journal>.lock`` (``flock``; the kernel drops it when the process ends, even on
SIGKILL, so a crash never leaves a stale lock). A second session started meanwhile
is told, and writes its events to ``unsaved-session-<time>-<pid>.jsonl`` beside the
journal instead: one JSON object per line, the first saying whose session it is,
the rest its events, each flushed to disk as it happens. The recorder's rescue of
events the disk refused uses the same format. The next session to hold the lock
(or ``history``) imports every such file that no one is still writing, in one
transaction, and deletes it only once its events are committed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from assistant.events import SCHEMA_VERSION, Event, decode
from assistant.journal.store import DEFAULT_PERSON, Journal

__all__ = [
    "HEADER_TYPE",
    "Imported",
    "UnsavedFile",
    "WriterLock",
    "import_unsaved",
    "unsaved_path",
]

#: ``type`` of the first line of an unsaved-session file
HEADER_TYPE = "unsaved-session"
_STAMP = re.compile(r"unsaved-session-(\d{8}-\d{6})")


class WriterLock:
    """The journal's one-writer lock; ``held`` is False when another session has it."""

    def __init__(self, journal_path: Path) -> None:
        self.path = Path(f"{journal_path}.lock")
        self._fd: int | None = None
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:  # a read-only folder: the journal itself will say so if it matters
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return
        self._fd = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


def unsaved_path(journal_path: Path, started: datetime) -> Path:
    """Where a session's unsaved events go: beside the journal, named by time and process."""
    stamp = started.strftime("%Y%m%d-%H%M%S")
    return journal_path.with_name(f"unsaved-session-{stamp}-{os.getpid()}.jsonl")


class UnsavedFile:
    """Appends one session's events to its own file, locked while being written."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        from assistant.files import open_private

        self.path = path
        self._file: IO[str] = open_private(path, append=True)
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)  # an importer skips it meanwhile
        self._line({"type": HEADER_TYPE, **header, "v": SCHEMA_VERSION})

    def write(self, event: Event) -> None:
        self._line(event.to_json())

    def _line(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())  # as durable as a journal commit

    def close(self) -> None:
        self._file.close()


@dataclass(frozen=True)
class Imported:
    """One unsaved-session file taken into the journal."""

    path: Path
    session: int
    events: int
    skipped: int  # lines that could not be read (cut short by a crash)


def import_unsaved(
    journal: Journal, warn: Callable[[str], None] = lambda message: None
) -> list[Imported]:
    """Take every finished unsaved-session file beside the journal into it.

    The caller holds the :class:`WriterLock`. A file still being written (locked) is
    left for later; one that cannot be taken in stays where it is, and ``warn`` says why.
    """
    from assistant.journal.recorder import JournalRecorder

    done: list[Imported] = []
    for path in sorted(journal.path.parent.glob("unsaved-session-*.jsonl")):
        with _claimed(path) as f:
            if f is None:
                continue
            header, events, skipped = _read(f, path)
            if not events:
                if skipped == 0:  # only a header: nothing was lost
                    path.unlink(missing_ok=True)
                continue
            try:
                recorder = JournalRecorder.continuing(journal, header)
                session = recorder.write_all(events)
            except Exception as exc:  # rolled back; the file stays for a later try
                warn(f"could not add {path.name} to the journal: {exc}")
                continue
            path.unlink(missing_ok=True)  # only now that its events are committed
            done.append(Imported(path, session, len(events), skipped))
    return done


@contextlib.contextmanager
def _claimed(path: Path) -> Iterator[IO[str] | None]:
    try:
        f = path.open(encoding="utf-8", errors="replace")
    except OSError:
        yield None
        return
    try:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # its session is still running
            yield None
            return
        yield f
    finally:
        f.close()


def _read(f: IO[str], path: Path) -> tuple[dict[str, Any], list[Event], int]:
    header: dict[str, Any] = {"person": DEFAULT_PERSON}
    m = _STAMP.search(path.name)
    if m:  # an older rescue file without a header: its time is in its name
        header["started"] = (
            datetime.strptime(m[1], "%Y%m%d-%H%M%S").replace(tzinfo=timezone.utc).isoformat()
        )
    events: list[Event] = []
    skipped = 0
    for n, line in enumerate(f):
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not an object")
            kind = record.pop("type")
            if n == 0 and kind == HEADER_TYPE:
                header.update(record)
                continue
            t = float(record.pop("t"))
            events.append(decode(t, str(kind), record, int(header.get("v", 1))))
        except (ValueError, KeyError, TypeError):
            skipped += 1
    return header, events, skipped

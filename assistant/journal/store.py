"""Where the journal lives, and opening it safely whatever is found there.

Only a damaged journal *of ours* (our application id, or our header, but unreadable
or failing its check) is moved aside: renamed, never deleted, the user told where it
went, and a new journal started. Anything else found at the path (a folder, a text
file, another program's database, a journal from a newer version) is refused with a
message and left exactly where and as it is: it is the user's, not ours.
Every write is committed with ``synchronous=FULL`` in WAL mode, so an event that has
been emitted survives a crash or a power cut.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import platformdirs

from assistant.errors import AssistantError
from assistant.journal.schema import APPLICATION_ID, VERSION, migrate

__all__ = [
    "DEFAULT_PERSON",
    "ENV_VAR",
    "Journal",
    "JournalError",
    "default_journal_path",
    "journal_path",
    "open_journal",
]

ENV_VAR = "MASSAGE_JOURNAL"
DEFAULT_PERSON = "default"
_HEADER = b"SQLite format 3\x00"
_SIDE_FILES = ("-wal", "-shm", "-journal")


class JournalError(AssistantError):
    """The journal could not be opened or written (a folder without write access...)."""


def default_journal_path() -> Path:
    """The per-user data folder (``~/.local/share/massage-assistant`` on Linux)."""
    return platformdirs.user_data_path("massage-assistant") / "journal.db"


def journal_path(flag: str | None = None) -> Path:
    """The journal to use: the ``--journal`` flag, else ``$MASSAGE_JOURNAL``, else the default."""
    chosen = flag or os.environ.get(ENV_VAR)
    if chosen and "\x00" in chosen:
        raise JournalError(f"{chosen!r} cannot be a journal: the name contains a NUL character")
    return Path(chosen).expanduser() if chosen else default_journal_path()


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Journal:
    """An open journal: one SQLite connection, shared by the recorder and the queries."""

    path: Path
    db: sqlite3.Connection
    lock: threading.RLock
    #: set when an unusable file was found and renamed aside (said to the user)
    moved_aside: Path | None = None
    moved_because: str = ""

    def person_id(self, name: str, now: Callable[[], datetime] = _utcnow) -> int:
        """The id of a person, added to the journal on first use."""
        with self.lock:
            row = self.db.execute("SELECT id FROM people WHERE name = ?", (name,)).fetchone()
            if row is not None:
                return int(row[0])
            cur = self.db.execute(
                "INSERT INTO people(name, created) VALUES (?, ?)", (name, now().isoformat())
            )
            return int(cur.lastrowid or 0)

    def people(self) -> list[str]:
        with self.lock:
            return [r[0] for r in self.db.execute("SELECT name FROM people ORDER BY id")]

    def forget(self, person: str | None = None) -> int:
        """Delete a person's sessions and events (everyone's when None); returns sessions gone.

        The freed pages are wiped (``secure_delete``) and the file compacted, so the
        records are gone from the disk, not only from the tables.
        """
        with self.lock:
            if person is None:
                count = self.db.execute("SELECT count(*) FROM sessions").fetchone()[0]
                self.db.execute("DELETE FROM people")
            else:
                count = self.db.execute(
                    "SELECT count(*) FROM sessions JOIN people p ON p.id = person_id "
                    "WHERE p.name = ?",
                    (person,),
                ).fetchone()[0]
                self.db.execute("DELETE FROM people WHERE name = ?", (person,))
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.execute("VACUUM")
            return int(count)

    def close(self) -> None:
        with self.lock:
            self.db.close()


def open_journal(
    path: Path, now: Callable[[], datetime] = _utcnow, *, move_aside: bool = True
) -> Journal:
    """Open (or create) the journal at ``path``; unusable files are moved aside first.

    Raises :class:`JournalError` when no journal can be kept there at all, when it is
    busy (locked by another program), or when it is unusable and ``move_aside`` is
    False (a command that only reads, such as ``history``, leaves the file alone).
    """
    moved: Path | None = None
    because, ours = _unusable(path)
    if because and not ours:
        raise JournalError(
            f"{path} cannot be used as the journal: {because}. It was left as it is; "
            f"choose another file with --journal or ${ENV_VAR}"
        )
    if because and not move_aside:
        raise JournalError(f"the journal at {path} cannot be used: {because}")
    if because:
        moved = _move_aside(path, because, now())
    try:
        db = _connect(path)
    except sqlite3.OperationalError as exc:  # locked or busy: not damage, leave it be
        raise JournalError(f"the journal at {path} is busy: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        if not move_aside:
            raise JournalError(f"the journal at {path} cannot be used: {exc}") from exc
        # damage that only shows once SQLite reads further than the checks did
        if moved is not None:
            raise JournalError(f"cannot start a journal at {path}: {exc}") from exc
        if not _ours_by_header(path):
            raise JournalError(
                f"{path} cannot be used as the journal: it is not a journal of ours ({exc}). "
                f"It was left as it is; choose another file with --journal or ${ENV_VAR}"
            ) from exc
        because = f"it is damaged ({exc})"
        moved = _move_aside(path, because, now())
        try:
            db = _connect(path)
        except sqlite3.DatabaseError as exc2:
            raise JournalError(f"cannot start a journal at {path}: {exc2}") from exc2
    return Journal(path, db, threading.RLock(), moved, because)


def _connect(path: Path) -> sqlite3.Connection:
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)  # a new folder is ours only
        if not path.exists():
            # created owner-only before SQLite opens it; its -wal and -shm files
            # inherit these permissions
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)
    except OSError as exc:
        raise JournalError(f"cannot write the journal at {path}: {exc.strerror}") from exc
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5.0)
    except sqlite3.OperationalError as exc:
        raise JournalError(f"cannot open the journal at {path}: {exc}") from exc
    try:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA secure_delete = ON")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise JournalError(f"the journal at {path} cannot use WAL mode (got {mode})")
        db.execute("PRAGMA synchronous = FULL")
        migrate(db)
        for suffix in _SIDE_FILES:
            side = Path(f"{path}{suffix}")
            if side.exists():
                os.chmod(side, 0o600)
    except BaseException:
        db.close()
        raise
    return db


def _unusable(path: Path) -> tuple[str, bool]:
    """Why the file at ``path`` cannot be used as our journal ("" when it can), and
    whether it is a journal of ours (so that moving it aside keeps the user's data)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "", False
    except OSError as exc:
        return f"it cannot be read ({exc.strerror})", False
    if stat.S_ISDIR(mode):
        return "it is a folder", False
    if not stat.S_ISREG(mode):  # a pipe or a device: opening it could block or consume
        return "it is not a regular file", False
    try:
        with path.open("rb") as f:
            header = f.read(100)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror})", False
    if not header:
        return "", False  # an empty file: SQLite starts a new database in it
    if not header.startswith(_HEADER) or len(header) < 100:
        return "it is not a journal (not an SQLite database, or cut short at its start)", False
    ours_by_header = _app_id_in(header) == APPLICATION_ID
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error as exc:
        return f"it cannot be opened ({exc})", ours_by_header
    try:
        # read through SQLite, not from the header bytes: after a crash the newest
        # header may still be in the WAL file, not yet in the database file
        app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
        if app_id not in (0, APPLICATION_ID):
            return f"it belongs to another program (application id {app_id:#x})", False
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if app_id == 0 and tables:
            return "it is another program's database", False
        if version > VERSION:
            return (
                f"it was written by a newer massage-assistant (journal version {version}, "
                f"this program knows up to {VERSION})"
            ), False
        check = [r[0] for r in db.execute("PRAGMA quick_check")]
        if check != ["ok"]:
            return f"it is damaged ({'; '.join(check[:3])})", app_id == APPLICATION_ID
    except sqlite3.OperationalError:
        return "", False  # locked or busy, not damaged: opening it for real will say so
    except sqlite3.DatabaseError as exc:
        return f"it is damaged ({exc})", ours_by_header
    finally:
        db.close()
    return "", False


def _app_id_in(header: bytes) -> int:
    """The application id written in an SQLite header (bytes 68-71, big-endian)."""
    return int.from_bytes(header[68:72], "big") if len(header) >= 72 else 0


def _ours_by_header(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return _app_id_in(f.read(100)) == APPLICATION_ID
    except OSError:
        return False


def _move_aside(path: Path, because: str, when: datetime) -> Path:
    """Rename the file (and any WAL beside it) out of the way; never delete it."""
    stamp = when.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.unusable-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.unusable-{stamp}-{n}")
    try:
        path.rename(target)
        for suffix in _SIDE_FILES:
            side = Path(f"{path}{suffix}")
            if side.exists():
                side.rename(Path(f"{target}{suffix}"))
    except OSError as exc:
        raise JournalError(
            f"the journal at {path} cannot be used ({because}) and cannot be moved aside: "
            f"{exc.strerror}"
        ) from exc
    return target

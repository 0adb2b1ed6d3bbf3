"""The journal's tables, and the migrations that bring any older journal up to date.

Each migration is a list of SQL statements, applied in its own transaction together with the
new ``user_version``, so a journal is always at exactly one version: a crash halfway
through an upgrade leaves the old version intact. Migrations are only ever appended.
"""

from __future__ import annotations

import sqlite3

__all__ = ["APPLICATION_ID", "MIGRATIONS", "VERSION", "migrate"]

#: Written into the file header, so a journal is told apart from any other SQLite file.
APPLICATION_ID = 0x4D415353  # "MASS"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: people, sessions and every event of every session
    (
        """CREATE TABLE people (
            id      INTEGER PRIMARY KEY,
            name    TEXT NOT NULL UNIQUE COLLATE NOCASE,
            created TEXT NOT NULL                      -- ISO 8601, UTC
        )""",
        """CREATE TABLE sessions (
            id           INTEGER PRIMARY KEY,
            person_id    INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            routine      TEXT NOT NULL,                -- routine id
            title        TEXT NOT NULL,
            started      TEXT NOT NULL,                -- ISO 8601, UTC
            ended        TEXT,                         -- NULL while running or after a crash
            outcome      TEXT,                         -- finished, stopped, declined, interrupted
            resumed_from INTEGER REFERENCES sessions(id) ON DELETE SET NULL
        )""",
        "CREATE INDEX sessions_by_person ON sessions(person_id, started)",
        """CREATE TABLE events (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq        INTEGER NOT NULL,               -- 0, 1, 2... in the order emitted
            t          REAL NOT NULL,                  -- seconds since the session started
            type       TEXT NOT NULL,
            data       TEXT NOT NULL,                  -- the event's fields, a JSON object
            PRIMARY KEY (session_id, seq)
        ) WITHOUT ROWID""",
    ),
    # 2: the event schema version of each record (assistant.events.registry); the
    # records written before typed events are version 1
    ("ALTER TABLE events ADD COLUMN v INTEGER NOT NULL DEFAULT 1",),
)

VERSION = len(MIGRATIONS)


def migrate(db: sqlite3.Connection) -> int:
    """Apply every migration the journal lacks; returns how many were applied.

    The caller has checked that the file is ours and not newer than this program.
    """
    start = int(db.execute("PRAGMA user_version").fetchone()[0])
    current = start
    while current < len(MIGRATIONS):
        # executescript would commit on its own; one explicit transaction keeps the
        # statements and the version number together
        db.execute("BEGIN IMMEDIATE")
        # read again under the write lock: another process may have just migrated
        current = int(db.execute("PRAGMA user_version").fetchone()[0])
        if current >= len(MIGRATIONS):
            db.execute("COMMIT")
            break
        number, statements = current + 1, MIGRATIONS[current]
        try:
            for statement in statements:
                db.execute(statement)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        current = number
    return max(0, current - start)

"""The session journal: every event of every session, kept safely on this machine.

* :mod:`.store` finds, checks and opens the SQLite file (moving unusable ones aside);
* :mod:`.schema` holds the tables and their migrations;
* :mod:`.recorder` writes a session's events as they happen;
* :mod:`.unsaved` keeps a session the journal cannot take (a second session at once,
  a refusing disk) in a file beside it, and imports such files later;
* :mod:`.history` reads summaries, learned preferences and what to resume;
* :mod:`.export` and :mod:`.plot` turn the history into CSV, JSON and a chart.

No audio is ever stored: events hold the words recognised, not the sound.
"""

from assistant.journal.history import (
    SessionSummary,
    Unfinished,
    carryover_for,
    events_of,
    learned_delivery,
    learned_steps,
    recent_people,
    session_summary,
    summaries,
    unfinished_session,
)
from assistant.journal.recorder import JournalRecorder
from assistant.journal.store import (
    DEFAULT_PERSON,
    ENV_VAR,
    Journal,
    JournalError,
    default_journal_path,
    journal_path,
    open_journal,
)

__all__ = [
    "DEFAULT_PERSON",
    "ENV_VAR",
    "Journal",
    "JournalError",
    "JournalRecorder",
    "SessionSummary",
    "Unfinished",
    "carryover_for",
    "default_journal_path",
    "events_of",
    "journal_path",
    "learned_delivery",
    "learned_steps",
    "open_journal",
    "recent_people",
    "session_summary",
    "summaries",
    "unfinished_session",
]

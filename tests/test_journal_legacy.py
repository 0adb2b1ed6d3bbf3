"""A journal written by an earlier version (tests/data/journal_v1) still opens, shows in
``history`` and offers to resume the session that was cut short by a crash."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from journalkit import journal_session

from assistant.journal import events_of, open_journal, session_summary, summaries
from assistant.routine.loader import load_routine

ROOT = Path(__file__).resolve().parents[1]
OLD = ROOT / "tests" / "data" / "journal_v1" / "journal.db"


@pytest.fixture
def old_journal(tmp_path: Path) -> Path:
    path = tmp_path / "journal.db"
    shutil.copyfile(OLD, path)
    path.chmod(0o600)
    return path


def test_an_old_journal_opens_with_its_sessions_and_events(old_journal: Path) -> None:
    journal = open_journal(old_journal)
    try:
        rows = summaries(journal)
        assert [r.id for r in rows] == [2, 1]
        finished = session_summary(journal, 1)
        assert finished is not None and finished.outcome == "finished"
        assert finished.person == "Sam" and finished.pain["upper-back"] == [7, 6, 4, 3, 3]
        events = events_of(journal, 1)
        assert len(events) == 417 and events[0].type == "start"
        assert events[-1].type == "end" and events[-1].data == {"outcome": "finished"}
    finally:
        journal.close()


def test_history_lists_an_old_journal(old_journal: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "history", "--journal", str(old_journal)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "Session 1, " in done.stdout and "Knot relief for Sam. Finished after 22 min" in done.stdout
    )
    assert "Pain readings: upper-back 7, 6, 4, 3, 3." in done.stdout
    assert "Session 2, " in done.stdout and "2 of 6 stages done" in done.stdout


def test_the_session_cut_short_in_an_old_journal_is_resumed(old_journal: Path) -> None:
    journal = open_journal(old_journal)
    cut = session_summary(journal, 2)
    journal.close()
    assert cut is not None and cut.outcome == "unfinished"
    later = cut.started + timedelta(minutes=cut.minutes + 5)
    log, carry = journal_session(
        old_journal, "knot-relief", person="Sam", when=later, script=[(30.0, "yes")]
    )
    assert carry.resume is not None and carry.resume.session == 2
    (resumed,) = log.of_type("resumed")
    stage = load_routine("knot-relief").stages[carry.resume.stage].id
    assert resumed.data == {"session": 2, "stage": stage, "screening": False}
    journal = open_journal(old_journal)
    try:
        old, new = session_summary(journal, 2), summaries(journal)[0]
        assert old is not None and old.outcome == "interrupted"
        assert new.id == 3 and new.resumed_from == 2 and new.person == "Sam"
    finally:
        journal.close()

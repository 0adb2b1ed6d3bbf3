"""Issue 13's Done-when: a simulated kiosk runs 50 consecutive sessions on virtual clocks
with random commands, random pedal presses and injected microphone and speech-engine
faults (and crashed turns); every session ends, memory stays flat, nothing leaks, and
the journal holds all 50."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.journal import open_journal, summaries
from assistant.kiosk.soak import run_soak

#: Growth allowed from session 25 to 50: caches are warm by then; a leak of even a few
#: kilobytes per event (a session writes hundreds) would pass this bound.
FLAT_MIB = 6.0


@pytest.fixture
def fast_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder for the journal on tmpfs where there is one: the journal syncs each event,
    and the soak is about the program, not the disk."""
    shm = Path("/dev/shm")
    if shm.is_dir():
        folder = Path(tempfile.mkdtemp(prefix="soak-", dir=shm))
        yield folder
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()
    else:
        yield tmp_path


def test_fifty_kiosk_sessions_all_end_and_leave_nothing_behind(
    fast_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own_temp = tmp_path / "temp"
    own_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own_temp))  # temp files counted there alone
    journal = fast_folder / "journal.db"
    report = run_soak(journal, sessions=50, seed=13)
    print("\n".join(report.lines()))  # the figures, with -s

    assert report.ended == 50 and sum(report.outcomes.values()) == 50
    assert set(report.outcomes) <= {"finished", "stopped", "declined"}
    assert report.journal_sessions == 50
    # the soak really was rough: faults, pedal starts and a crashed turn all happened
    assert report.faults >= 20 and report.pedal_starts >= 3 and report.recovered >= 1
    assert set(report.rss) == {1, 25, 50} and all(v > 0 for v in report.rss.values())
    assert (report.rss[50] - report.rss[25]) / 1024 < FLAT_MIB
    # no thread of the soak's left running (one another test left may end meanwhile)
    assert report.new_threads == [], report.new_threads
    assert report.fds[1] == report.fds[0]
    assert report.temp_files == (0, 0)
    assert report.seconds < 60.0

    opened = open_journal(journal)
    try:
        rows = summaries(opened)
    finally:
        opened.close()
    assert len(rows) == 50 and all(r.outcome for r in rows)


def test_the_soak_command_prints_its_figures(fast_folder: Path) -> None:
    import contextlib
    import io

    from assistant import cli

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main(["soak", "--sessions", "3", "--seed", "1", "--dir", str(fast_folder)])
    text = out.getvalue()
    assert status == 0, text
    assert "3 reached an end state" in text and "journal holds 3" in text
    assert "RSS: session 1:" in text and "session 3:" in text
    assert list(fast_folder.iterdir()) == []  # its throw-away journal is gone

"""The session journal: opening it safely, writing every event, reading the history."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from journalkit import DAY0, journal_session

from assistant.cli import main
from assistant.clock import Scheduler, VirtualClock
from assistant.events import Event, EventLog
from assistant.events.kinds import Said, Start
from assistant.journal import (
    ENV_VAR,
    JournalError,
    JournalRecorder,
    carryover_for,
    events_of,
    journal_path,
    learned_steps,
    open_journal,
    recent_people,
    schema,
    session_summary,
    summaries,
    unfinished_session,
)
from assistant.journal.export import as_csv, as_text
from assistant.journal.plot import plot_history
from assistant.narration.voice import SilentVoice
from assistant.prompts import load_prompts
from assistant.routine.loader import load_routine
from assistant.runner import ScriptInput, Utterance, run_session, typed
from assistant.session import Session
from assistant.session.carryover import Carryover, Memory
from assistant.simulation.partner import SimulatedPartner

# --- where the journal lives, and how it is opened --------------------------------------------


def test_path_comes_from_flag_then_environment_then_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    default = journal_path()
    assert default.name == "journal.db" and "massage-assistant" in str(default)
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.db"))
    assert journal_path() == tmp_path / "env.db"
    assert journal_path(str(tmp_path / "flag.db")) == tmp_path / "flag.db"


def test_new_journal_is_private_wal_and_at_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "journal.db"
    journal = open_journal(path)
    journal.person_id("Sam")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for side in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        if side.exists():
            assert stat.S_IMODE(side.stat().st_mode) == 0o600
    db = journal.db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION
    assert db.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    journal.close()
    again = open_journal(path)
    assert again.moved_aside is None and again.people() == ["Sam"]
    again.close()


def test_a_failed_migration_leaves_the_journal_at_its_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "journal.db"
    open_journal(path).close()
    broken = (*schema.MIGRATIONS, ("CREATE TABLE extra (x)", "INSERT INTO nowhere VALUES (1)"))
    monkeypatch.setattr(schema, "MIGRATIONS", broken)
    db = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        schema.migrate(db)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(broken) - 1
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "extra" not in tables and {"people", "sessions", "events"} <= tables
    db.close()


def _real_journal(path: Path) -> None:
    journal_session(path, "gentle-first")


def _damage_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    for at in range(page, len(data) - page, page):  # every page but the first and last
        data[at : at + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))


def _damaged(path: Path) -> None:
    _real_journal(path)
    _damage_middle(path)


def _foreign(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    db.commit()
    db.close()


def _other_app_id(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA application_id = 1234")
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()


def _newer(path: Path) -> None:
    _real_journal(path)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {schema.VERSION + 1}")
    db.commit()
    db.close()


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "holiday.jpg").write_bytes(b"\xff\xd8 a photo")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_text("shopping list: oil, towels\n"), "not a journal"),
        (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 20), "not a journal"),
        (_foreign, "another program"),
        (_other_app_id, "another program"),
        (_newer, "newer massage-assistant"),
        (_folder, "it is a folder"),
    ],
    ids=["text", "truncated", "foreign-tables", "foreign-app-id", "newer", "folder"],
)
def test_a_file_that_is_not_our_journal_is_refused_and_left_exactly_as_it_is(
    tmp_path: Path, make: object, reason: str
) -> None:
    path = tmp_path / "journal.db"
    make(path)  # type: ignore[operator]
    for side in ("-wal", "-shm"):  # a checkpointed file stands alone
        Path(f"{path}{side}").unlink(missing_ok=True)
    before = _snapshot(tmp_path)
    for move_aside in (True, False):
        with pytest.raises(JournalError, match=reason) as caught:
            open_journal(path, move_aside=move_aside)
        assert "left as it is" in str(caught.value)
        assert _snapshot(tmp_path) == before  # nothing renamed, nothing written beside it


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder with its bytes; SQLite's own -wal/-shm index files aside (any
    reader of a WAL database makes them, and they hold nothing of the user's)."""
    return {
        str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if not p.name.endswith(("-wal", "-shm"))
    }


def test_a_damaged_journal_of_ours_is_moved_aside_untouched_and_a_new_one_started(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.db"
    _damaged(path)
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    original = path.read_bytes()
    journal = open_journal(path)
    assert journal.moved_aside is not None and "damaged" in journal.moved_because
    assert journal.moved_aside.read_bytes() == original
    assert journal.moved_aside.parent == path.parent
    assert summaries(journal) == []
    journal.close()
    # and the new journal works: a session goes in, history reads it back
    journal_session(path, "gentle-first")
    j = open_journal(path)
    assert j.moved_aside is None and [s.outcome for s in summaries(j)] == ["finished"]
    j.close()


@pytest.mark.parametrize("how", ["flag-folder", "env-text-file"])
def test_cli_refuses_a_folder_or_a_text_file_as_journal_and_still_runs_the_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    args = ["simulate", "gentle-first", "--quiet", "--durations", "wpm"]
    if how == "flag-folder":
        target = tmp_path / "notes"
        target.mkdir()
        (target / "todo.txt").write_text("buy oil")
        args += ["--journal", str(target)]
    else:
        target = tmp_path / "notes.txt"
        target.write_text("not a database")
        monkeypatch.setenv(ENV_VAR, str(target))
        args += ["--journal", str(target)]  # simulations keep a journal only when asked
    before = _snapshot(tmp_path)
    code = main(args)
    err = capsys.readouterr().err
    assert code == 0 and "outcome: finished" in err
    assert f"no journal this session: {target} cannot be used as the journal" in err
    assert "left as it is" in err and "moved" not in err
    assert _snapshot(tmp_path) == before


def test_cli_says_clearly_what_was_moved_and_still_runs_the_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "journal.db"
    _damaged(path)
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    code = main(
        ["simulate", "gentle-first", "--quiet", "--durations", "wpm", "--journal", str(path)]
    )
    err = capsys.readouterr().err
    assert code == 0
    assert f"the journal at {path} could not be used because it is damaged" in err
    assert "moved, untouched, to" in err and "outcome: finished" in err
    assert main(["history", "--journal", str(path), "--json"]) == 0
    assert [s["outcome"] for s in json.loads(capsys.readouterr().out)] == ["finished"]


def test_a_journal_that_cannot_be_created_does_not_stop_the_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    path = blocker / "journal.db"  # a folder that cannot exist
    with pytest.raises(JournalError, match=str(path)):
        open_journal(path)
    code = main(
        ["simulate", "gentle-first", "--quiet", "--durations", "wpm", "--journal", str(path)]
    )
    err = capsys.readouterr().err
    assert code == 0 and "no journal this session" in err and "outcome: finished" in err


# --- writing -----------------------------------------------------------------------------------


def test_every_event_of_a_session_is_in_the_journal_exactly(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    log, _ = journal_session(path, "knot-relief", person="Sam", say=[("whole-back", "lighter")])
    journal = open_journal(path)
    (only,) = summaries(journal)
    stored = events_of(journal, only.id)
    journal.close()
    assert [(e.type, e.data) for e in stored] == [(e.type, e.data) for e in log.events]
    assert [e.t for e in stored] == pytest.approx([e.t for e in log.events])


def test_refused_writes_are_retried_in_order_then_rescued_to_a_file(tmp_path: Path) -> None:
    journal = open_journal(tmp_path / "journal.db")
    warnings: list[str] = []
    seconds = [0.0]  # the retry clock, moved by hand
    recorder = JournalRecorder(
        journal, "Sam", now=lambda: DAY0, warn=warnings.append, monotonic=lambda: seconds[0]
    )
    events = [Said(t=float(i), text=f"line {i}", kind="line", stage=None) for i in range(6)]
    recorder.emit(Start(t=0.0, routine="r", title="R", stages=1))
    journal.db.execute("PRAGMA query_only = ON")  # the disk refuses every write
    for e in events[:3]:
        recorder.emit(e)
    assert len(warnings) == 1 and "cannot be written" in warnings[0]
    journal.db.execute("PRAGMA query_only = OFF")  # it recovers
    recorder.emit(events[3])  # too soon to try again: kept in memory, the session goes on
    assert [e.type for e in events_of(journal, 1)] == ["start"]
    seconds[0] = 2.5
    recorder.emit(events[4])  # the backlog goes in first, in order
    assert [e.data.get("text") for e in events_of(journal, 1)][1:] == [
        f"line {i}" for i in range(5)
    ]
    journal.db.execute("PRAGMA query_only = ON")
    recorder.emit(events[5])
    recorder.close()
    (rescue,) = tmp_path.glob("unsaved-session-*.jsonl")
    header, *kept = [json.loads(line) for line in rescue.read_text().splitlines()]
    assert header["type"] == "unsaved-session" and header["session"] == 1
    assert [k["text"] for k in kept] == ["line 5"]
    assert stat.S_IMODE(rescue.stat().st_mode) == 0o600
    assert "1 events the journal refused are in" in warnings[-1]
    # the next session to open the journal adds it back, to the session it belongs to
    later = JournalRecorder(open_journal(tmp_path / "journal.db"), "Sam", warn=warnings.append)
    assert [e.data.get("text") for e in events_of(later.journal, 1)][1:] == [
        f"line {i}" for i in range(6)
    ]
    assert not rescue.exists() and "added 1 events" in warnings[-1]
    later.close()


def test_a_first_event_whose_commit_fails_is_retried_with_its_session(tmp_path: Path) -> None:
    journal = open_journal(tmp_path / "journal.db")
    seconds = [0.0]
    recorder = JournalRecorder(journal, "Sam", now=lambda: DAY0, monotonic=lambda: seconds[0])
    # a trigger that refuses the first event: the session row is rolled back with it
    journal.db.execute(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON events "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    recorder.emit(Start(t=0.0, routine="r", title="R", stages=1))
    assert journal.db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    journal.db.execute("DROP TRIGGER refuse")
    seconds[0] = 5.0
    recorder.emit(Said(t=1.0, text="hello", kind="line", stage=None))
    (only,) = summaries(journal)
    assert [e.type for e in events_of(journal, only.id)] == ["start", "say"]
    recorder.close()


# --- history, export, plot --------------------------------------------------------------------


@pytest.fixture(scope="module")
def history_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A month of sessions for two people, and a third who only ever stopped."""
    path = tmp_path_factory.mktemp("journal") / "journal.db"
    for day in range(4):
        when = DAY0 + timedelta(days=7 * day)
        pain = (8 - day, 6 - day, max(0, 4 - day))
        say = [("whole-back", "lighter")] if day == 0 else []
        journal_session(path, "knot-relief", person="Sam", when=when, pain=pain, say=say)
        journal_session(
            path,
            "swedish-back",
            person="Alex",
            when=when + timedelta(hours=1),
            say=[("shoulders", "firmer")] if day == 1 else [],
        )
    journal_session(
        path, "gentle-first", when=DAY0 + timedelta(days=30), script=[(5.0, "stop"), (9.0, "no")]
    )
    return path


def test_summaries_count_what_happened(history_journal: Path) -> None:
    journal = open_journal(history_journal)
    rows = summaries(journal)
    sam = summaries(journal, "Sam")
    journal.close()
    assert len(rows) == 9 and rows[0].outcome == "stopped" and rows[0].person == "default"
    assert rows[0].stages_done == 0 and rows[0].pain == {}
    assert [s.started for s in rows] == sorted((s.started for s in rows), reverse=True)
    assert len(sam) == 4 and all(s.outcome == "finished" for s in sam)
    first = sam[-1]
    assert first.stages_done == first.stages_total == 6
    assert first.lighter == 1 and first.firmer == 0
    # "lighter" on the whole back carries to the knot (the routine declares them one spot),
    # so the knot starts at its lightest and an 8 there lifts the hands away: one reading
    assert first.pain["upper-back"] == [8]
    assert sam[0].pain["upper-back"][:3] == [5, 3, 1]
    assert 15 < first.minutes < 30
    # the lighter request on the whole back carried over to every later session
    journal = open_journal(history_journal)
    for later in sam[:-1]:
        preferences = [e.data for e in events_of(journal, later.id) if e.type == "preference"]
        assert {"area": "whole-back", "step": -1, "level": "feather"} in preferences
    journal.close()
    assert first.pressure["whole-back"] == sam[0].pressure["whole-back"] == "feather"
    assert first.started == DAY0


def test_history_text_json_and_csv_agree(
    history_journal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "--journal", str(history_journal), "--person", "Sam"]) == 0
    text = capsys.readouterr().out
    assert text.count("Knot relief for Sam. Finished after") == 4
    assert "Pain readings: upper-back 8; spine-sides 6" in text and "1 lighter" in text

    assert main(["history", "--journal", str(history_journal), "--json", "--limit", "3"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 3 and rows[0]["outcome"] == "stopped"

    assert main(["history", "--journal", str(history_journal), "--csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(table) == 9
    sam_first = [r for r in table if r["person"] == "Sam"][-1]
    assert sam_first["lighter"] == "1" and sam_first["pain"].startswith("upper-back: 8;")


def test_one_session_in_full(history_journal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal = open_journal(history_journal)
    target = summaries(journal, "Alex")[-1]
    journal.close()
    assert main(["history", "--journal", str(history_journal), "--session", str(target.id)]) == 0
    out = capsys.readouterr().out
    assert f"Session {target.id}," in out and "Swedish back" in out
    assert "(heard: next)" in out and "Session over: finished." in out
    assert main(["history", "--journal", str(history_journal), "--session", "999"]) == 1


def test_plot_draws_each_body_area(history_journal: Path, tmp_path: Path) -> None:
    journal = open_journal(history_journal)
    rows = summaries(journal)
    journal.close()
    out = tmp_path / "plots" / "history.png"
    areas = plot_history(rows, out)
    assert {"upper-back", "whole-back", "shoulders"} <= set(areas)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000
    assert main(["history", "--journal", str(history_journal), "--plot", str(out)]) == 0


def test_forget_deletes_one_person_then_everyone(tmp_path: Path, history_journal: Path) -> None:
    path = tmp_path / "journal.db"
    path.write_bytes(history_journal.read_bytes())
    assert main(["history", "--journal", str(path), "--forget", "Sam"]) == 1  # no --yes
    assert main(["history", "--journal", str(path), "--forget", "Sam", "--yes"]) == 0
    journal = open_journal(path)
    assert {s.person for s in summaries(journal)} == {"Alex", "default"}
    n_events = journal.db.execute("SELECT count(*) FROM events").fetchone()[0]
    assert n_events == sum(len(events_of(journal, s.id)) for s in summaries(journal))
    journal.close()
    assert b"Knot relief" not in path.read_bytes()  # gone from the disk, not just the tables
    assert main(["history", "--journal", str(path), "--forget", "--yes"]) == 0
    journal = open_journal(path)
    assert summaries(journal) == [] and journal.people() == []
    journal.close()


# --- preferences learned from the journal -----------------------------------------------------


def _pressure_lines(log: EventLog, stage: str) -> list[str]:
    return [
        str(e.data["text"])
        for e in log.of_type("say")
        if e.data["kind"] == "pressure" and e.data["stage"] == stage
    ]


def test_pressure_a_person_settled_on_is_where_the_next_session_starts(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    prompts = load_prompts("en")
    first, carry = journal_session(
        path, "swedish-back", person="Sam", say=[("shoulders", "lighter")]
    )
    assert carry.steps == {}
    # said at once, and not undone by the rest of the instruction
    assert _pressure_lines(first, "friction-shoulders")[-1] == prompts("pressure.light")
    # and the later shoulders stage cannot go below its own range
    assert _pressure_lines(first, "knead-neck-shoulders")[0] == prompts("pressure.light")

    second, carry = journal_session(
        path, "swedish-back", person="Sam", when=DAY0 + timedelta(days=3)
    )
    assert dict(carry.steps) == {"shoulders": -1}
    said = [e.data for e in second.of_type("say")]
    (line,) = [d["text"] for d in said if d["kind"] == "preference"]
    assert "Sam" in line and "a step lighter on the shoulders" in line
    assert [d["kind"] for d in said[:3]] == ["welcome", "briefing", "preference"]
    assert _pressure_lines(second, "friction-shoulders") == [prompts("pressure.light")]
    assert _pressure_lines(second, "thumb-glide-shoulders") == [prompts("pressure.medium")]
    assert [e.data["area"] for e in second.of_type("preference")] == ["shoulders"]

    # another person starts as designed
    other, carry = journal_session(path, "swedish-back", person="Alex")
    assert carry.steps == {} and not other.of_type("preference")
    journal = open_journal(path)
    assert learned_steps(journal, "Sam") == {"shoulders": -1}
    assert learned_steps(journal, "Alex") == {}
    journal.close()


def test_firmer_is_mentioned_but_never_applied_by_itself(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    first, _ = journal_session(path, "swedish-back", say=[("shoulders", "firmer")])
    assert first.of_type("pressure")[0].data["step"] == 1
    second, carry = journal_session(path, "swedish-back")
    assert dict(carry.steps) == {"shoulders": 1}
    assert not second.of_type("preference")  # nothing starts firmer than designed
    prompts = load_prompts("en")
    assert _pressure_lines(second, "friction-shoulders") == [prompts("pressure.medium")]
    (line,) = [e.data["text"] for e in second.of_type("say") if e.data["kind"] == "preference"]
    assert line == prompts("preference.firmer_asked", areas="shoulders")


def test_a_firmer_request_later_replaces_the_learned_lighter(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    journal_session(path, "swedish-back", say=[("shoulders", "lighter")])
    _, carry = journal_session(path, "swedish-back", say=[("shoulders", "firmer")])
    assert dict(carry.steps) == {"shoulders": -1}
    third, carry = journal_session(path, "swedish-back")
    assert carry.steps == {} and not third.of_type("preference")  # back to as designed


# --- resuming after a crash -------------------------------------------------------------------


class _PowerCut(BaseException):
    """Raised from inside the session, so nothing after the cut gets written."""


class _CutAfter:
    def __init__(self, stage: str | None, events_in: int) -> None:
        self.stage, self.left = stage, events_in
        self.started = False

    def emit(self, event: Event) -> None:
        self.started = self.started or self.stage is None
        self.started = self.started or (event.type == "stage" and event.data["stage"] == self.stage)
        if self.started:
            self.left -= 1
            if self.left < 0:
                raise _PowerCut


def _crashed(
    path: Path, routine: str, stage: str | None, when: datetime = DAY0, learn: bool = False
) -> int:
    """A session cut off a few events into ``stage``: its events stop, it never ends."""
    r = load_routine(routine)
    journal = open_journal(path)
    clock = VirtualClock()
    recorder = JournalRecorder(
        journal, "default", now=lambda: when + timedelta(seconds=clock.now())
    )
    partner = SimulatedPartner(clock, pain_answers=(7, 5))
    log = EventLog(recorder, partner, _CutAfter(stage, 25))
    session = Session(r, scheduler=Scheduler(clock), voice=SilentVoice(), log=log, learn=learn)
    with pytest.raises(_PowerCut):
        run_session(session, partner)
    assert recorder.session_id is not None
    journal.close()  # no end event, no clean close of the recorder
    assert recorder.writer is not None
    recorder.writer.release()  # as the kernel does when a process dies
    return recorder.session_id


def test_after_a_crash_the_next_start_offers_to_carry_on_at_that_stage(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    crashed = _crashed(path, "knot-relief", "release-knot")
    journal = open_journal(path)
    cut = session_summary(journal, crashed)
    journal.close()
    assert cut is not None and cut.outcome == "unfinished"
    later = cut.started + timedelta(minutes=cut.minutes + 4)  # back four minutes after the cut
    log, carry = journal_session(path, "knot-relief", when=later, script=[(30.0, "yes")])
    assert carry.resume is not None and carry.resume.session == crashed
    assert carry.resume.stage == 2 and carry.resume.minutes_ago == 4
    said = [e.data for e in log.of_type("say")]
    assert said[0]["kind"] == "question"
    title = load_routine("knot-relief").stages[2].title
    assert said[0]["text"] == load_prompts("en")(
        "resume_offer", when="4 minutes ago", index=3, count=6, title=title
    )
    (resumed,) = log.of_type("resumed")
    # four minutes ago: the safety answers still hold, but the knot needs warm muscles
    assert resumed.data == {"session": crashed, "stage": "release-knot", "screening": False}
    states = [e.data["state"] for e in log.of_type("state")]
    assert states[:2] == ["offering", "instruction"]  # no welcome, no safety questions again
    entered = [e.data["stage"] for e in log.of_type("state") if e.data["state"] == "instruction"]
    assert entered[:2] == ["warm-up", "release-knot"]
    assert [e.data["stage"] for e in log.of_type("stage")][:2] == ["warm-up", "release-knot"]

    journal = open_journal(path)
    old, new = session_summary(journal, crashed), summaries(journal)[0]
    assert old is not None and old.outcome == "interrupted"
    assert old.pain["upper-back"] and old.last_stage == "release-knot"
    assert new.resumed_from == crashed
    assert new.outcome == "stopped"  # the script ran out: the input went away
    assert unfinished_session(journal, "default", "knot-relief", later) is None
    journal.close()


def test_a_session_cut_off_in_learner_mode_resumes_in_learner_mode(tmp_path: Path) -> None:
    """A blind learner whose session crashed is taught on as before, and told so, without
    having to know to say "learner mode" again; a session without it stays without."""
    path = tmp_path / "journal.db"
    crashed = _crashed(path, "knot-relief", "release-knot", learn=True)
    journal = open_journal(path)
    cut = session_summary(journal, crashed)
    journal.close()
    assert cut is not None and cut.learner
    later = cut.started + timedelta(minutes=cut.minutes + 4)
    log, carry = journal_session(path, "knot-relief", when=later, script=[(30.0, "yes")])
    assert carry.resume is not None and carry.resume.learning
    kinds = [e.type for e in log.events]
    assert kinds.index("learning") == kinds.index("resumed") + 1
    said = [e.data["text"] for e in log.of_type("say")]
    assert load_prompts("en")("learn.on") in said[:4]
    kinds_said = [e.data["kind"] for e in log.of_type("say")]
    assert "reason" in kinds_said  # why the technique is used: said in learner mode only
    journal = open_journal(path)
    resumed = summaries(journal)[0]
    journal.close()
    assert resumed.learner  # the resumed session is a learner's too, and history says so
    assert "In learner mode." in as_text([resumed])
    assert as_csv([resumed]).splitlines()[1].endswith(",yes")

    plain = tmp_path / "plain.db"
    crashed = _crashed(plain, "knot-relief", "release-knot")
    journal = open_journal(plain)
    cut = session_summary(journal, crashed)
    journal.close()
    assert cut is not None and not cut.learner
    later = cut.started + timedelta(minutes=cut.minutes + 4)
    log, carry = journal_session(plain, "knot-relief", when=later, script=[(30.0, "yes")])
    assert carry.resume is not None and not carry.resume.learning
    assert not log.of_type("learning")
    assert "reason" not in [e.data["kind"] for e in log.of_type("say")]


def test_no_means_a_fresh_start_and_the_crash_is_not_offered_again(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    crashed = _crashed(path, "gentle-first", "rub-gently")
    log, carry = journal_session(path, "gentle-first", when=DAY0 + timedelta(hours=3))
    assert carry.resume is not None
    assert "about 3 hours ago" in str(log.of_type("say")[0].data["text"])
    assert log.of_type("resume_declined")[0].data == {"session": crashed}
    assert log.of_type("end")[0].data["outcome"] == "finished"
    assert any(e.data["kind"] == "welcome" for e in log.of_type("say"))
    _, carry = journal_session(path, "gentle-first", when=DAY0 + timedelta(hours=4))
    assert carry.resume is None


def test_old_crashes_and_crashes_before_any_stage_are_not_offered(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    _crashed(path, "gentle-first", "rub-gently")
    _, carry = journal_session(path, "gentle-first", when=DAY0 + timedelta(hours=25))
    assert carry.resume is None  # more than a day later: start afresh
    _, carry = journal_session(path, "swedish-back", when=DAY0 + timedelta(minutes=5))
    assert carry.resume is None  # another routine
    # cut off during the safety questions: nothing to carry on from
    crashed = _crashed(path, "knot-relief", None)
    journal = open_journal(path)
    early = session_summary(journal, crashed)
    journal.close()
    assert early is not None and early.outcome == "unfinished" and early.last_stage is None
    _, carry = journal_session(path, "knot-relief", when=DAY0 + timedelta(minutes=5))
    assert carry.resume is None


def test_a_crash_is_not_offered_once_a_later_session_has_ended(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    _crashed(path, "gentle-first", "rub-gently")
    # stop cuts the offer short, resume starts afresh, and that session finishes
    later = DAY0 + timedelta(minutes=20)
    log, carry = journal_session(path, "gentle-first", when=later, script=[(2.0, "stop")])
    assert carry.resume is not None and log.of_type("end")[0].data["outcome"] == "stopped"
    _, carry = journal_session(path, "gentle-first", when=later + timedelta(minutes=20))
    assert carry.resume is None


@pytest.mark.parametrize("state", ["choosing", "offering"])
def test_a_device_fault_before_the_session_begins_is_recorded_not_fatal(
    tmp_path: Path, state: str
) -> None:
    path = tmp_path / "journal.db"
    journal_session(path, "gentle-first", person="Sam")
    _crashed(path, "gentle-first", "rub-gently")
    r = load_routine("gentle-first")
    journal = open_journal(path)

    def recall(name: str | None) -> Carryover:
        return carryover_for(journal, r, name, DAY0 + timedelta(minutes=30))

    people = ["Sam"] if state == "choosing" else []
    log = EventLog()
    clock = VirtualClock()
    session = Session(
        r,
        scheduler=Scheduler(clock),
        voice=SilentVoice(),
        log=log,
        memory=Memory(recall(None), people, recall),
    )
    session.start()
    assert session.state == state
    session.fault("the microphone stopped sending sound")
    assert session.state == state and not log.of_type("error")
    session.hear(typed("zero" if state == "choosing" else "no", session.vocabulary))
    assert session.state in ("offering", "screening")
    journal.close()


def test_stop_during_the_offer_stops_like_anywhere_else(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    _crashed(path, "gentle-first", "rub-gently")
    log, _ = journal_session(
        path, "gentle-first", when=DAY0 + timedelta(minutes=9), script=[(2.0, "stop"), (6.0, "no")]
    )
    states = [e.data["state"] for e in log.of_type("state")]
    assert states == ["offering", "stopped", "ended"]
    offer = log.of_type("say")[0].data["text"]
    assert log.of_type("cut")[0].data["text"] == offer  # cut off mid-sentence
    journal = open_journal(path)
    # a session ended after the crash (stopped here): the crash is history now
    assert (
        unfinished_session(journal, "default", "gentle-first", DAY0 + timedelta(minutes=10)) is None
    )
    journal.close()


# --- who is lying down ------------------------------------------------------------------------


def _named_by_voice(path: Path, answer: str, when: datetime) -> EventLog:
    """Start a session the way ``run`` does with no --person: the journal's people offered."""
    r = load_routine("swedish-back")
    journal = open_journal(path)
    clock = VirtualClock()

    def recall(name: str | None) -> Carryover:
        return carryover_for(journal, r, name, when)

    memory = Memory(recall(None), recent_people(journal), recall)
    recorder = JournalRecorder(
        journal, "default", now=lambda: when + timedelta(seconds=clock.now())
    )
    log = EventLog(recorder)
    source = ScriptInput(clock, [Utterance(9.0, answer), Utterance(12.0, "stop")])
    session = Session(r, scheduler=Scheduler(clock), voice=SilentVoice(), log=log, memory=memory)
    run_session(session, source)
    log.close()
    return log


def test_the_person_is_chosen_by_voice_and_their_preferences_follow(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    journal_session(path, "swedish-back", person="Sam", say=[("shoulders", "lighter")])
    journal_session(path, "swedish-back", person="Alex", when=DAY0 + timedelta(hours=1))
    later = DAY0 + timedelta(days=1)

    log = _named_by_voice(path, "two", later)  # Alex was seen last, so Sam is number two
    said = [e.data for e in log.of_type("say")]
    assert said[0]["text"] == load_prompts("en")(
        "person.question", choices="say 1 for Alex, say 2 for Sam"
    )
    assert log.of_type("person")[0].data == {"name": "Sam"}
    assert said[1]["text"] == "Hello, Sam."
    assert [e.data["area"] for e in log.of_type("preference")] == ["shoulders"]
    journal = open_journal(path)
    assert summaries(journal)[0].person == "Sam"  # the journal files it under Sam
    journal.close()

    log = _named_by_voice(path, "zero", later + timedelta(hours=1))  # someone else
    assert log.of_type("person")[0].data == {"name": None} and not log.of_type("preference")
    journal = open_journal(path)
    assert summaries(journal)[0].person == "default"
    journal.close()

    log = _named_by_voice(path, "seven", later + timedelta(hours=2))  # no seventh person
    assert log.of_type("say")[1].data["text"] == "Please say a number from zero to 2."
    assert not log.of_type("person")

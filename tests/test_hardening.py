"""Issue 11: bad input never costs memory, data or a traceback.

One section per item of the issue; each test failed on the code before the fix.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import stat
import subprocess
import sys
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import soundfile
from audiokit import quiet, recognized_clips
from journalkit import DAY0, journal_session

from assistant.cli import main
from assistant.events.kinds import End, Said, Start
from assistant.intents import load_vocabulary, parse
from assistant.intents.parser import Intent
from assistant.journal import JournalRecorder, events_of, open_journal, summaries
from assistant.journal.history import SessionSummary
from assistant.routine.loader import check_file

ROOT = Path(__file__).resolve().parent.parent
GENTLE = ROOT / "routines" / "gentle-first.yaml"


def _lines(problems: list[object]) -> list[str]:
    return [str(p) for p in problems]


# --- 1. alias expansion ("billion laughs") -----------------------------------------------------


def _laughs(levels: int, key: bool = True) -> str:
    """Each level's list names the one before nine times: 9**levels leaves once expanded."""
    text = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    names = "abcdefghijklmnop"
    for prev, name in itertools.pairwise(names[: levels + 1]):
        text += f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    last = names[levels]
    return text + (f"? *{last}\n: 1\n" if key else f"title: *{last}\n")


@pytest.mark.parametrize("as_key", [True, False], ids=["alias-as-key", "alias-as-value"])
def test_alias_expansion_is_refused_at_its_line_in_little_memory_and_a_short_message(
    as_key: bool,
) -> None:
    text = _laughs(6, key=as_key)  # 531,441 leaves: tens of megabytes if ever expanded
    tracemalloc.start()
    try:
        routine, problems = check_file("laughs.yaml", text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert routine is None
    assert _lines(problems) == [
        "laughs.yaml:5: file too complex: more than 50000 values once its aliases (*name) "
        "are expanded"
    ]
    assert peak < 5_000_000


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(GENTLE.read_text() + "#" * 1_000_000)
    routine, problems = check_file(big)
    assert routine is None and len(problems) == 1
    assert str(problems[0]).startswith(f"{big}:0: file too large (more than ")


# --- 3. deep nesting, tags, long numbers: FILE:LINE, not a traceback ---------------------------


def _with(line_no: int, old: str, new: str) -> str:
    lines = GENTLE.read_text().splitlines()
    assert old in lines[line_no - 1], lines[line_no - 1]
    lines[line_no - 1] = lines[line_no - 1].replace(old, new)
    return "\n".join(lines) + "\n"


def _line_of(field: str) -> int:
    for n, line in enumerate(GENTLE.read_text().splitlines(), 1):
        if line.startswith(f"{field}:"):
            return n
    raise AssertionError(field)


def test_deep_nesting_is_a_message_at_its_line_not_a_recursion_error() -> None:
    n = _line_of("max_minutes")
    text = _with(n, "max_minutes:", "max_minutes: " + "[" * 3000 + "]" * 3000 + " #")
    routine, problems = check_file("deep.yaml", text)
    assert routine is None
    assert _lines(problems) == [f"deep.yaml:{n}: file too complex: nested more than 32 levels deep"]


def test_a_value_that_does_not_fit_its_tag_is_a_message_at_its_line() -> None:
    n = _line_of("title")
    text = "\n".join(
        line if i != n else "title: !!float abc"
        for i, line in enumerate(GENTLE.read_text().splitlines(), 1)
    )
    routine, problems = check_file("tag.yaml", text)
    assert routine is None
    assert _lines(problems) == [
        f"tag.yaml:{n}: title: cannot read 'tag:yaml.org,2002:float': "
        "could not convert string to float: 'abc'"
    ]


def test_a_number_of_thousands_of_digits_is_a_message_at_its_line() -> None:
    n = _line_of("max_minutes")
    text = "\n".join(
        line if i != n else "max_minutes: " + "9" * 5000
        for i, line in enumerate(GENTLE.read_text().splitlines(), 1)
    )
    routine, problems = check_file("digits.yaml", text)
    assert routine is None
    assert _lines(problems) == [
        f"digits.yaml:{n}: file too complex: a number of 5000 characters (at most 32)"
    ]


def test_validate_reports_all_three_as_file_line_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = []
    for name, text in {
        "deep": "title: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n",
        "tag": "title: !!python/object:os.system echo\n",
        "digits": "max_minutes: 1." + "5" * 9000 + "\n",
    }.items():
        files.append(tmp_path / f"{name}.yaml")
        files[-1].write_text(text)
    assert main(["validate", *map(str, files)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert all(len(line) < 200 for line in out)
    deep, tag, digits = files
    assert f"{deep}:1: file too complex: nested more than 32 levels deep" in out
    assert f"{digits}:1: file too complex: a number of 9002 characters (at most 32)" in out
    assert any(line.startswith(f"{tag}:1: title: cannot read ") for line in out)
    assert all(line.startswith(tuple(f"{f}:" for f in files)) for line in out)


# --- 2. audio: headers checked, streamed in constant memory -----------------------------------


def _wav_with_rate(path: Path, rate: int, channels: int = 1) -> None:
    """A WAV file whose header claims ``rate`` Hz (and ``channels``), whatever soundfile allows."""
    soundfile.write(path, np.zeros((800, 1), dtype=np.int16), 8000, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    data[22:24] = channels.to_bytes(2, "little")
    data[24:28] = rate.to_bytes(4, "little")
    data[28:32] = (rate * 2 * channels).to_bytes(4, "little")  # byte rate
    data[32:34] = (2 * channels).to_bytes(2, "little")  # block align
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("rate", "channels", "said"), [(1, 1, "1 Hz"), (8000, 1000, "1000 ch")])
def test_listen_refuses_an_absurd_header_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rate: int, channels: int, said: str
) -> None:
    path = tmp_path / "odd.wav"
    _wav_with_rate(path, rate, channels)
    assert main(["listen", "--wav", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"massage-assistant: {path}: cannot read audio")
    assert said in err and "Traceback" not in err


def _stop_take() -> np.ndarray:
    from assistant.recognizers import open_recognizer, settled
    from assistant.recognizers.listener import Listener

    vocab = load_vocabulary("en")

    def factory() -> Listener:
        return Listener(settled(open_recognizer(vocab).recognizer), vocab)

    return recognized_clips("stop", 1, factory)[0]


def test_listen_streams_a_long_48k_stereo_recording_in_little_memory(tmp_path: Path) -> None:
    """A real "stop" 30 s into a minute of 48 kHz stereo: heard, and the file is never
    held whole (as float32 it alone would be 23 MB)."""
    import soxr

    from assistant.audio.wiring import listen_to_file

    take = _stop_take()
    mono = np.concatenate([quiet(30.0), take, quiet(30.0 - len(take) / 16000, seed=1)])
    wide = soxr.resample(mono.astype(np.float32) / 32768, 16000, 48000)
    path = tmp_path / "long.wav"
    soundfile.write(path, np.stack([wide, wide], axis=1), 48000, subtype="PCM_16")
    tracemalloc.start()
    try:
        records = list(listen_to_file(path, None, "en"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r["name"] for r in records] == ["stop"]
    assert 30.0 < records[0]["t"] < 31.5
    assert peak < 8_000_000, f"{peak / 1e6:.1f} MB traced"


# --- 4. two sessions on one journal -----------------------------------------------------------


def test_a_second_session_is_told_keeps_every_event_and_the_next_start_imports_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.db"
    notes: list[str] = []
    first = JournalRecorder(open_journal(path), "Sam", now=lambda: DAY0, warn=notes.append)
    second = JournalRecorder(
        open_journal(path), "Alex", now=lambda: DAY0 + timedelta(minutes=1), warn=notes.append
    )
    assert not first.second and second.second
    assert "another session is writing the journal" in notes[0]
    for rec, routine in ((first, "r1"), (second, "r2")):
        rec.emit(Start(t=0.0, routine=routine, title=routine.upper(), stages=1))
    for i in range(1, 411):  # interleaved, as two live sessions are
        first.emit(Said(t=float(i), text=f"one {i}", kind="line", stage=None))
        second.emit(Said(t=float(i), text=f"two {i}", kind="line", stage=None))
    second.emit(End(t=411.0, outcome="finished"))
    second.close()
    (kept,) = tmp_path.glob("unsaved-session-*.jsonl")
    assert f"this session's events are in {kept}" in notes[-1]
    lines = [json.loads(line) for line in kept.read_text().splitlines()]  # readable as it is
    assert lines[0]["type"] == "unsaved-session" and lines[0]["person"] == "Alex"
    assert len(lines) == 1 + 412 and stat.S_IMODE(kept.stat().st_mode) == 0o600
    first.emit(End(t=411.0, outcome="finished"))
    first.close()

    later = JournalRecorder(open_journal(path), "Sam", warn=notes.append)
    assert "added 412 events" in notes[-1] and not kept.exists()
    rows = {s.person: s for s in summaries(later.journal)}
    for person, word in (("Sam", "one"), ("Alex", "two")):
        events = events_of(later.journal, rows[person].id)
        assert [e.data.get("text") for e in events][1:-1] == [f"{word} {i}" for i in range(1, 411)]
        assert rows[person].outcome == "finished"
    assert rows["Alex"].routine == "r2" and rows["Alex"].started == DAY0 + timedelta(minutes=1)
    later.close()


def test_sessions_in_other_processes_while_the_journal_is_held_lose_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.journal.unsaved import WriterLock

    path = tmp_path / "journal.db"
    open_journal(path).close()
    holder = WriterLock(path)  # a live session elsewhere holds the journal
    assert holder.held
    args = ["simulate", "knot-relief", "--quiet", "--durations", "wpm", "--journal", str(path)]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", *args, "--person", who],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("Sam", "Alex")
    ]
    errs = [run.communicate(timeout=120)[1] for run in runs]
    holder.release()
    counts = {}
    for who, err in zip(("Sam", "Alex"), errs, strict=True):
        assert "another session is writing the journal" in err and "Traceback" not in err
        counts[who] = int(re.search(r"(\d+) events\)", err)[1])  # type: ignore[index]
    assert main(["history", "--journal", str(path), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted(r["person"] for r in rows) == ["Alex", "Sam"]
    journal = open_journal(path)
    for r in rows:
        assert r["outcome"] == "finished"
        assert len(events_of(journal, r["id"])) == counts[r["person"]]
    journal.close()


def test_history_imports_a_kept_session_when_no_session_is_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "journal.db"
    holder = JournalRecorder(open_journal(path), "Sam")
    journal_session(path, "gentle-first", person="Alex")  # runs while the journal is held
    assert main(["history", "--journal", str(path), "--json"]) == 0  # still held: left
    assert json.loads(capsys.readouterr().out) == []
    holder.close()
    assert main(["history", "--journal", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert [s["person"] for s in json.loads(captured.out)] == ["Alex"]
    assert "added unsaved-session-" in captured.err
    assert not list(tmp_path.glob("unsaved-session-*"))


# --- 5. (refusing folders and foreign files: tests/test_journal.py) ---------------------------
# --- 6. --events may not be the journal -------------------------------------------------------


@pytest.mark.parametrize("given", ["flag", "environment"])
def test_events_into_the_journal_is_refused_and_the_journal_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    path = tmp_path / "journal.db"
    journal_session(path, "gentle-first")
    before = path.read_bytes()
    args = ["simulate", "gentle-first", "--quiet", "--durations", "wpm", "--events", str(path)]
    if given == "flag":
        args += ["--journal", str(path)]
    else:
        monkeypatch.setenv("MASSAGE_JOURNAL", str(path))
        args += ["--no-journal"]  # not even then
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"--events {path} is the session journal" in err
    assert path.read_bytes() == before
    journal = open_journal(path)
    assert [s.outcome for s in summaries(journal)] == ["finished"]
    journal.close()


# --- 7. parsing is bounded and linear ---------------------------------------------------------


def test_a_huge_utterance_parses_at_once_and_stop_in_it_still_wins() -> None:
    from assistant.intents.parser import MAX_CHARS

    vocab = load_vocabulary("en")
    started = time.perf_counter()
    assert parse("9" * 400_000, vocab) is None  # 50 s for a tenth of this before
    assert parse("9" * 400_000 + " stop", vocab) == Intent("stop")
    assert parse("7 " * 200_000, vocab) is None
    assert time.perf_counter() - started < 5.0  # a thousandfold margin: linear, not quadratic
    assert parse("please " * (MAX_CHARS // 7 + 1) + "next", vocab) is None  # not a command
    assert parse("it's 7/10", vocab) == Intent("pain", 7)  # the short forms still work


def test_a_typed_stop_after_a_huge_line_acts_at_once_in_a_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The session of the issue: 40,000 digits typed, then stop (19 s late before)."""
    script = tmp_path / "script.yaml"
    script.write_text(f'- {{at: 30.0, say: "{"9" * 40_000}"}}\n- {{at: 30.5, say: "stop"}}\n')
    events = tmp_path / "events.jsonl"
    started = time.perf_counter()
    args = ["simulate", "gentle-first", "--script", str(script), "--durations", "wpm"]
    assert main([*args, "--quiet", "--events", str(events)]) == 0
    took = time.perf_counter() - started
    assert "outcome: stopped" in capsys.readouterr().err
    record = [json.loads(line) for line in events.read_text().splitlines()]
    stop = next(r for r in record if r["type"] == "intent" and r["name"] == "stop")
    assert stop["t"] == pytest.approx(30.5)
    assert took < 10.0  # minutes of parsing before, on the session's own thread


# --- 8. speech that starts with a dash is spoken, not taken for an option ---------------------


@pytest.mark.parametrize("text", ["-3", "--help", "-v nonsense"])
def test_espeak_speaks_text_starting_with_a_dash(text: str) -> None:
    from audiokit import need_espeak

    from assistant.simulation.voices import synthesize

    need_espeak()
    pcm = synthesize(text)
    assert len(pcm) > 0.3 * 16000 and np.abs(pcm).max() > 1000


# --- 9. command-line values: bounds and path errors as messages --------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--limit", str(10**30)],
        ["--limit", "0"],
        ["--limit", "-5"],
        ["--session", str(10**30)],
        ["--session", "9" * 5000],
    ],
)
def test_history_number_out_of_bounds_is_a_usage_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    path = tmp_path / "journal.db"
    journal_session(path, "gentle-first")
    with pytest.raises(SystemExit) as exit_:
        main(["history", "--journal", str(path), *args])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "is not a whole number from 1 to" in err and len(err) < 2000


def _unwritable(tmp_path: Path, kind: str) -> Path:
    if kind == "folder":
        (tmp_path / "adir").mkdir()
        return tmp_path / "adir"
    if kind == "under-a-file":
        (tmp_path / "afile").write_text("x")
        return tmp_path / "afile" / "out"
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    return ro / "out"


@pytest.mark.parametrize("kind", ["folder", "under-a-file", "read-only"])
def test_events_or_plot_into_an_unwritable_place_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    target = _unwritable(tmp_path, kind)
    code = main(
        ["simulate", "gentle-first", "--quiet", "--durations", "wpm", "--events", str(target)]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("massage-assistant: cannot write")
    assert "Traceback" not in err and "outcome" not in err  # said before the session
    path = tmp_path / "journal.db"
    journal_session(path, "knot-relief")
    code = main(["history", "--journal", str(path), "--plot", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("massage-assistant: cannot write")


# --- 10. owner-only files; narration folders cleaned up ---------------------------------------


def test_every_output_file_is_owner_only_whatever_the_umask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = os.umask(0)
    try:
        events = tmp_path / "new" / "events.jsonl"
        existing = tmp_path / "existing.jsonl"
        existing.write_text("")
        existing.chmod(0o666)
        for path in (events, existing):
            args = ["simulate", "gentle-first", "--quiet", "--durations", "wpm"]
            assert main([*args, "--events", str(path)]) == 0
        journal = tmp_path / "journal.db"
        journal_session(journal, "knot-relief")
        plot = tmp_path / "plots" / "history.png"
        assert main(["history", "--journal", str(journal), "--plot", str(plot)]) == 0
        diagram = tmp_path / "diagram.mmd"
        assert main(["diagram", "--output", str(diagram)]) == 0
    finally:
        os.umask(old)
    for path in (events, existing, plot, diagram, journal):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(events.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(plot.parent.stat().st_mode) == 0o700


def test_stale_narration_folders_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    from assistant.narration.render import sweep_stale_folders

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = tmp_path / f"massage-narration-{gone.stdout.strip()}-abc"
    alive = tmp_path / f"massage-narration-{os.getppid()}-def"
    mine = tmp_path / f"massage-narration-{os.getpid()}-ghi"
    old_unowned = tmp_path / "massage-narration-k2j4h1x9"
    new_unowned = tmp_path / "massage-narration-p0q9r8s7"
    other = tmp_path / "something-else-1"
    for folder in (dead, alive, mine, old_unowned, new_unowned, other):
        folder.mkdir()
        (folder / "line-00000.wav").write_bytes(b"RIFF")
    day_ago = time.time() - 24 * 3600
    os.utime(old_unowned, (day_ago, day_ago))
    removed = sweep_stale_folders(tmp_path)
    assert sorted(removed) == sorted([dead, old_unowned])
    assert all(f.exists() for f in (alive, mine, new_unowned, other))


def test_a_renderer_never_closed_leaves_no_folder_when_the_program_exits(tmp_path: Path) -> None:
    code = (
        "from assistant.narration.render import Pyttsx3Renderer;"
        " r = Pyttsx3Renderer(); print(r._dir)"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True, cwd=ROOT, timeout=60)  # fmt: skip
    assert done.stdout.strip().startswith(str(tmp_path / "massage-narration-"))
    assert list(tmp_path.iterdir()) == []


# --- 11. first-run friction -------------------------------------------------------------------


def test_setup_waits_for_the_apt_lock_instead_of_failing(tmp_path: Path) -> None:
    stubs = tmp_path / "bin"
    stubs.mkdir()
    calls = tmp_path / "apt-calls"
    for name, body in {
        "dpkg-query": "exit 1",  # every package missing
        "apt-get": f'echo "$*" >> {calls}; exit 1',  # record, then fail: setup stops here
        "sudo": 'exec "$@"',
    }.items():
        (stubs / name).write_text(f"#!/bin/sh\n{body}\n")
        (stubs / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}"}
    done = subprocess.run(["bash", str(ROOT / "scripts" / "setup.sh")], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode != 0  # the stub apt-get failed
    (line,) = calls.read_text().splitlines()
    assert "-o DPkg::Lock::Timeout=600" in line and "update" in line


def test_models_says_which_engine_listens_when_there_is_no_vosk_model(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.recognizers import RecognizerError
    from assistant.recognizers import vosk_model as models

    def no_model(locale: str, explicit: Path | None = None) -> Path:
        raise RecognizerError(f"no vosk model for '{locale}'")

    monkeypatch.setattr(models, "find_model", no_model)
    assert main(["models"]) == 0  # the installed Whisper model listens
    out = capsys.readouterr().out
    assert "vosk (en): no vosk model for 'en'" in out
    assert "sessions will listen with Whisper" in out

    from assistant.recognizers import whisper_model

    def no_whisper(explicit: Path | None = None) -> Path:
        raise RecognizerError("no Whisper model")

    monkeypatch.setattr(whisper_model, "find_whisper_model", no_whisper)
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "sessions will listen with PocketSphinx instead" in out
    assert main(["models", "show", "ko"]) == 1
    assert "nothing can listen in this language" in capsys.readouterr().out


def test_history_json_and_csv_are_valid_and_empty_without_a_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "none.db")
    assert main(["history", "--journal", missing, "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [] and "No journal yet" in captured.err
    assert main(["history", "--journal", missing, "--csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:3] == ["id", "started", "person"] and len(rows) == 1


def _summary(
    i: int, person: str, day: int, pain: dict[str, list[int]], level: str
) -> SessionSummary:
    return SessionSummary(
        id=i, person=person, routine="r", title="R",
        started=datetime(2026, 3, 1, 18, tzinfo=timezone.utc) + timedelta(days=day),
        minutes=20.0, outcome="finished", stages_done=3, stages_total=3, last_stage=None,
        pain=pain, pressure={area: level for area in pain},
    )  # fmt: skip


def test_plot_has_a_row_per_area_a_line_per_person_and_nothing_over_the_readings() -> None:
    import matplotlib.pyplot as plt

    from assistant.journal.plot import history_figure

    rows = [
        _summary(1, "Sam", 0, {"upper-back": [8, 6], "shoulders": [5]}, "medium"),
        _summary(2, "Alex", 1, {"upper-back": [3]}, "light"),
        _summary(3, "Sam", 7, {"upper-back": [10, 9, 2]}, "light"),  # the highest reading
        _summary(4, "Alex", 8, {"upper-back": [4], "shoulders": [2]}, "firm"),
    ]
    fig, areas = history_figure(rows)
    try:
        assert areas == ["shoulders", "upper-back"]
        assert len(fig.axes) == 2 * len(areas)  # pain and pressure side by side, no twin scale
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        boxes = [ax.get_window_extent(renderer) for ax in fig.axes]
        upper_pain = fig.axes[2]
        assert upper_pain.get_title(loc="left") == "upper-back: pain"
        lines = {c.get_label(): c.lines[0] for c in upper_pain.containers}
        assert sorted(lines) == ["Alex", "Sam"]  # one line each, never both on one
        assert len(lines["Sam"].get_xdata()) == 2 and len(lines["Alex"].get_xdata()) == 2
        (legend,) = fig.legends  # one legend, for the whole figure
        assert [t.get_text() for t in legend.get_texts()] == ["Alex", "Sam"]
        title = fig.get_suptitle()
        assert "Pain and pressure" in title
        for box in (legend.get_window_extent(renderer), fig._suptitle.get_window_extent(renderer)):  # type: ignore[union-attr]
            assert not any(box.overlaps(b) for b in boxes)
    finally:
        plt.close(fig)

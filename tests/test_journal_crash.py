"""SIGKILL a running session again and again: the journal must lose nothing, never be
corrupt, and the next start must offer to carry on.

Each run is the real command line (``simulate --journal``) in a child process. It
reports every event on stdout right after the journal commits it; that stream is the
witness of what had been written when the kill landed. The stdout pipe is shrunk to
one page, so the child can never run more than a few events ahead of this test: the
kill lands mid-session, at a point that varies with scheduling (mid-commit included).
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from assistant.journal import events_of, open_journal, summaries
from assistant.routine.loader import load_routine

ROOT = Path(__file__).resolve().parents[1]
ROUTINE = "knot-relief"
KILLS = int(os.environ.get("JOURNAL_KILLS", "40"))


def _start(path: Path, errors: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "assistant", "simulate", ROUTINE, "--quiet"]
    command += ["--durations", "wpm", "--journal", str(path), "--events", "/dev/stdout"]
    with errors.open("ab") as err:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=err)
    assert proc.stdout is not None
    fcntl.fcntl(proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)
    return proc


def _read(proc: subprocess.Popen[bytes], count: int) -> list[dict[str, Any]]:
    """Up to ``count`` complete event lines (a line cut by the kill is not a report)."""
    assert proc.stdout is not None
    out: list[dict[str, Any]] = []
    while len(out) < count:
        line = proc.stdout.readline()
        if not line.endswith(b"\n"):
            break
        out.append(json.loads(line))
    return out


def _as_reported(t: float, type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"t": round(t, 3), "type": type_, **data}


def test_sigkill_at_random_moments_loses_nothing_and_next_start_offers_resume(
    tmp_path: Path,
) -> None:
    seed = int(os.environ.get("JOURNAL_SEED", random.randrange(1 << 30)))
    print(f"JOURNAL_SEED={seed} JOURNAL_KILLS={KILLS}")
    rng = random.Random(seed)
    path = tmp_path / "journal.db"
    errors = tmp_path / "stderr.txt"
    titles = {s.id: s.title for s in load_routine(ROUTINE).stages}
    expect_offer: str | None = None  # stage the killed session was in, if any
    offers_heard = 0
    killed_mid_session = 0

    for run in range(KILLS):
        proc = _start(path, errors)
        reported = _read(proc, rng.randint(1, 440))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        reported += _read(proc, 10_000)  # what it wrote before dying that we had not read
        assert proc.returncode in (0, -signal.SIGKILL), errors.read_text()

        # the next start offered to carry on where the killed one stopped
        said = [e for e in reported if e["type"] == "say"]
        if expect_offer is None and said:
            assert said[0]["kind"] == "welcome", said[0]  # nothing to offer: a plain start
        if expect_offer is not None and said:
            assert said[0]["kind"] == "question", said[0]
            assert titles[expect_offer] in said[0]["text"]
            assert "stopped unexpectedly" in said[0]["text"]
            offers_heard += 1

        # never corrupt, and found usable by the very next opening, as the kill left it
        # (the WAL not yet checkpointed: any other connection first would hide that)
        if (
            proc.returncode == -signal.SIGKILL
            and reported[-1:] != []
            and not any(e["type"] == "end" for e in reported)
        ):
            assert Path(f"{path}-wal").exists()
        journal = open_journal(path)
        assert journal.moved_aside is None, journal.moved_because
        assert journal.db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        latest = summaries(journal, limit=1)
        stored = [] if not latest else events_of(journal, latest[0].id)
        journal.close()
        if reported:  # nothing reported: killed before the session began
            assert latest and stored, f"run {run}: reported events but no session stored"
            # every reported event is stored, in order, and at most one more beyond
            as_stored = [_as_reported(e.t, e.type, e.data) for e in stored]
            assert as_stored[: len(reported)] == reported, f"run {run}: events lost or changed"
            assert len(stored) - len(reported) in (0, 1), f"run {run}"
        types = {e.type for e in stored} if reported else set()
        killed_mid_session += bool(reported) and "end" not in types
        stages = [e.data["stage"] for e in stored if e.type == "state" and e.data["stage"]]
        if "end" not in types and stages:
            expect_offer = stages[-1]
        elif types & {"end", "resume_declined", "resumed"}:
            expect_offer = None  # nothing left to carry on from
        # else killed before answering the offer: it still stands

    print(f"{killed_mid_session} killed mid-session, {offers_heard} offers to resume checked")
    assert killed_mid_session >= KILLS // 2, "kills should land mid-session"
    assert offers_heard >= KILLS // 5, f"only {offers_heard} offers checked"


def test_run_offers_in_text_to_resume_after_a_kill(tmp_path: Path) -> None:
    """The real ``run`` in text mode, after a real SIGKILL in the middle of a stage."""
    path = tmp_path / "journal.db"
    proc = _start(path, tmp_path / "stderr.txt")
    while True:  # kill once the session is a few events into its third stage
        (event,) = _read(proc, 1)
        if event["type"] == "stage" and event["index"] == 2:
            break
    _read(proc, 5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)

    command = [sys.executable, "-m", "assistant", "run", ROUTINE, "--keyboard"]
    command += ["--durations", "wpm", "--journal", str(path), "--events", str(tmp_path / "e.jsonl")]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(
        command, cwd=ROOT, input="yes\nstop\n", capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    title = load_routine(ROUTINE).stages[2].title
    lines = done.stdout.splitlines()
    assert "The last session stopped unexpectedly" in lines[0] and title in lines[0]
    assert "Say yes to carry on from that step" in lines[0]
    assert lines[1].endswith("> yes") and lines[3].endswith("Resuming.")
    events = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text().splitlines()]
    (resumed,) = [e for e in events if e["type"] == "resumed"]
    assert resumed["session"] == 1 and resumed["stage"] == load_routine(ROUTINE).stages[2].id
    # resumed within minutes: no questions again, but a short warm-up before the knot work
    first_stage = load_routine(ROUTINE).stages[0].id
    assert {"state": "instruction", "stage": first_stage}.items() <= next(
        e for e in events if e["type"] == "state" and e["state"] == "instruction"
    ).items()

    history = subprocess.run(
        [sys.executable, "-m", "assistant", "history", "--journal", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Carried on from session 1." in history.stdout
    assert "Interrupted (a crash or power cut)" in history.stdout

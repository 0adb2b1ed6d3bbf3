"""Care and safety from the command line: the README's script, and a session ended for pain
in the journal and announced at the next one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.journal import ENV_VAR, carryover_for, open_journal, summaries
from assistant.prompts import load_prompts
from assistant.routine.loader import load_routine
from assistant.simulation.script import load_script_replies

ROOT = Path(__file__).resolve().parent.parent
P = load_prompts("en")


def _events(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _readme_script() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Simulation scripts and events") :]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match is not None, "the README's example script is gone"
    return match.group(1)


def test_the_readme_example_script_runs_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "s.yaml"
    script.write_text(_readme_script(), encoding="utf-8")
    assert len(script.read_text().strip().splitlines()) == 4
    events = tmp_path / "out.jsonl"
    code = main(
        ["simulate", "gentle-first", "--script", str(script), "--events", str(events), "--quiet"]
    )
    assert code == 0
    ev = _events(events)
    routine = load_routine("gentle-first")
    # every safety question was asked, heard and answered: none was cut or skipped
    answered = [e for e in ev if e["type"] == "screening"]
    assert [(e["question"], e["answer"]) for e in answered] == [
        (i, "no") for i in range(len(routine.screening))
    ]
    states = [e["state"] for e in ev if e["type"] == "state"]
    assert states[:3] == ["screening", "setup", "instruction"]
    # the timed lines land in the first stage, and the stop ends it with words
    heard = {e["text"]: e["t"] for e in ev if e["type"] == "heard"}
    assert heard["a bit lighter"] == 150.0 and heard["stop"] == 200.0
    lighter = next(e for e in ev if e["type"] == "intent" and e["t"] == 150.0)
    assert lighter["name"] == "lighter"
    assert states[-2:] == ["stopped", "ended"]
    said = [e["text"] for e in ev if e["type"] == "say" and float(str(e["t"])) > 200.0]
    assert P("session_ended") in said
    assert "outcome: stopped" in capsys.readouterr().err


def test_a_script_line_needs_a_time_or_a_cue(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text('- {say: "no"}\n- {at: 3, on: next, say: "next"}\n', encoding="utf-8")
    with pytest.raises(Exception) as err:
        load_script_replies(bad)
    text = str(err.value)
    assert "1: [0]: give either 'at' or 'on'" in text and "2: [1]" in text


def test_simulate_with_nine_and_ten_ends_for_pain_and_the_journal_keeps_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    journal = tmp_path / "journal.db"
    args = ["simulate", "knot-relief", "--pain", "9,10", "--journal", str(journal)]
    assert main([*args, "--person", "Sam"]) == 0
    out = capsys.readouterr()
    assert "outcome: ended for pain" in out.err
    # the aftercare was spoken, after the advice to see a doctor
    assert P("pain_doctor") in out.out and P("aftercare.rest") in out.out
    assert out.out.index(P("pain_doctor")) < out.out.index(P("aftercare.rest"))
    # the journal shows it, in the history and in what the next session starts from
    assert main(["history", "--journal", str(journal)]) == 0
    assert "Ended for pain" in capsys.readouterr().out
    j = open_journal(journal)
    assert [s.outcome for s in summaries(j)] == ["ended for pain"]
    carry = carryover_for(j, load_routine("gentle-first"), "Sam", summaries(j)[0].started)
    assert carry.ended_for_pain
    # and the next session of Sam says so before anything else
    assert main(["simulate", "gentle-first", "--journal", str(journal), "--person", "Sam"]) == 0
    first_line = capsys.readouterr().out.splitlines()[0]
    assert P("after_pain_end") in first_line


def test_pain_readings_for_simulate_are_checked(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["simulate", "knot-relief", "--pain", "9,eleven"])
    assert "9,eleven" in capsys.readouterr().err

"""docs/state-machine.md's table of what each word does in each state is current, and says
what the safety rules demand: stop and warning words act in every state."""

from __future__ import annotations

from pathlib import Path

from assistant.subcommands.words import STATES, WORDS, markdown

ROOT = Path(__file__).resolve().parents[1]


def test_the_word_table_in_the_docs_is_current() -> None:
    table = markdown()
    doc = (ROOT / "docs" / "state-machine.md").read_text(encoding="utf-8")
    assert table in doc, "regenerate the table with: massage-assistant diagram --words"
    rows = {line.split(" | ")[0]: line.split(" | ")[1:] for line in table.splitlines()[2:]}
    assert len(rows) == len(WORDS)
    stop = rows["| *stop* (stop)"]
    assert stop[: len(STATES) - 1] == ["→ stopped"] * (len(STATES) - 1)
    assert stop[-1] == "ending |"  # stop after a stop ends the session
    warning = rows["| *pins and needles* (warning)"]
    assert all(cell == "→ paused" for cell in warning[:-2])  # hands off, whatever was going on

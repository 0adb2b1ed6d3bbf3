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
    cells = {
        line.split(" | ")[0]: dict(zip(STATES, line.rstrip(" |").split(" | ")[1:], strict=True))
        for line in table.splitlines()[2:]
    }
    assert len(cells) == len(WORDS)
    stop = cells["| *stop* (stop)"]
    live = [s for s in STATES if s not in ("stopped", "ending")]
    assert [stop[s] for s in live] == ["→ stopped"] * len(live)
    assert stop["stopped"] == "→ ending"  # stop after a stop ends the session, with words
    assert stop["ending"] == "→ ended"  # and cuts the closing words short
    warning = cells["| *pins and needles* (warning)"]
    # hands off, whatever was going on, then: end the session, or carry on lighter?
    assert all(warning[s] == "→ paused_warned" for s in live if s != "paused_warned")
    yes, no = cells["| *yes* (yes)"], cells["| *no* (no)"]
    assert (yes["paused_warned"], no["paused_warned"]) == ("→ ending", "→ instruction")
    assert (yes["paused_checking"], no["paused_checking"]) == ("→ asking", "→ stopped")
    # the screening turn: an answer counts once its question was heard, never before
    assert (yes["screening_unheard"], no["screening_unheard"]) == ("→ screening_early",) * 2
    assert (yes["screening_early"], no["screening_early"]) == ("·", "·")  # held, not counted
    assert (yes["screening_heard"], no["screening_heard"]) == ("→ declining", "→ screening_unheard")
    ouch, five = cells["| *ouch* (ouch)"], cells["| *five* (pain 5)"]
    assert ouch["stroking"] == "→ asking_comfort" and ouch["asking_comfort"] == "question"
    assert five["asking"] == "→ holding" and five["asking_comfort"] == "ack"
    signs = ("(pain 5)", "(ouch)", "(warning)")
    others = [
        row for said, row in cells.items() if "(stop)" not in said and not said.endswith(signs)
    ]
    assert all(row["ending"] == "·" for row in others), (
        "only stop and pain act in the closing words"
    )
    # pain is never dismissed, not even over the closing words
    assert (five["ending"], ouch["ending"], warning["ending"]) == ("pain", "pain", "care")

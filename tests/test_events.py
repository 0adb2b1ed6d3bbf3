"""Typed events: each kind's stored form is pinned by a golden JSON file, reads back to the
same object through the registry, and records no class fits are kept, never lost."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from assistant.events import REGISTRY, SCHEMA_VERSION, RawEvent, decode, from_json, to_json
from assistant.events import kinds as ev
from assistant.journal import events_of, open_journal

GOLDEN = Path(__file__).parent / "golden" / "events"
OLD_JOURNAL = Path(__file__).parent / "data" / "journal_v1" / "journal.db"

#: one event of each kind, with every optional field set where a kind has one
EXAMPLES: list[ev.Event] = [
    ev.Start(t=0.0, routine="knot-relief", title="Knot relief", stages=6, person="Sam"),
    ev.State(t=0.0, state="instruction", stage="warm-up"),
    ev.Stage(t=1.5, stage="warm-up", index=0, area="whole-back", level="light", step=-1),
    ev.End(t=1342.25, outcome="finished"),
    ev.Await(t=12.0, want="yes_no"),
    ev.Reminder(t=900.0, kind="position"),
    ev.WarmUp(t=30.0, before="release-knot"),
    ev.Screening(t=20.5, question=1, answer="yes", counted=False),
    ev.Error(t=3.0, message="the engine stopped"),
    ev.Fault(t=4.0, message="the microphone was unplugged"),
    ev.Said(t=5.125, text="Lie face down.", kind="setup", stage=None),
    ev.Cue(t=61.0, text="and up", stage="glide", set=1, stroke=3),
    ev.Cut(t=7.0, text="Now place both hands"),
    ev.Heard(t=8.0, text="a little lighter", confidence=0.87),
    ev.IntentHeard(t=8.0, name="pain", value=6),
    ev.NoAnswer(t=130.0, stage="release-knot", release=True),
    ev.Pain(t=140.0, value=7, stage="release-knot", area="upper-back", level="medium"),
    ev.Ouch(t=150.0, stage="glide"),
    ev.Warning(t=151.0, stage=None),
    ev.Ease(t=152.0, stage="glide"),
    ev.Cap(t=153.0, area="upper-back", level="light"),
    ev.LeftForPain(t=154.0, stage="release-knot", area="upper-back", count=1),
    ev.EndedForPain(t=155.0, stage="release-knot", left=2),
    ev.Pressure(t=160.0, stage="glide", area="whole-back", level="light", step=-1),
    ev.Pace(t=170.0, factor=1.25),
    ev.Learning(t=171.0, on=True),
    ev.VoiceSet(t=171.0, rate=250, volume=0.6, remembered=True),
    ev.Restart(t=180.0, stage="glide", level="light", severe=1, very_severe=0),
    ev.Person(t=2.0, name="Alex"),
    ev.Preference(t=0.0, area="lower-back", step=-1, level="light"),
    ev.Resumed(t=9.0, session=4, stage="release-knot", screening=False),
    ev.ResumeDeclined(t=9.0, session=4),
]


def test_every_kind_has_one_example() -> None:
    assert sorted(e.type for e in EXAMPLES) == sorted(REGISTRY)


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.type)
def test_the_stored_form_of_each_kind_is_pinned(event: ev.Event) -> None:
    """UPDATE_GOLDEN=1 rewrites a file: only for a reviewed change, with a migration."""
    path = GOLDEN / f"{event.type}.json"
    text = json.dumps(to_json(event), ensure_ascii=False, indent=2) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text
    assert from_json(json.loads(text)) == event


def test_optional_fields_are_left_out_when_empty() -> None:
    assert ev.Start(routine="r", title="R", stages=1).data == {
        "routine": "r",
        "title": "R",
        "stages": 1,
    }
    assert ev.IntentHeard(name="stop").data == {"name": "stop"}
    assert ev.Pain(value=3).data == {"value": 3}
    assert ev.WarmUp(skipped="warm-up").data == {"skipped": "warm-up"}
    assert ev.Said(text="x", kind="ack", stage=None).data == {
        "text": "x",
        "kind": "ack",
        "stage": None,
    }


def test_records_no_class_fits_are_kept_as_they_were() -> None:
    unknown = from_json({"t": 1.0, "type": "sparkle", "colour": "blue"})
    assert isinstance(unknown, RawEvent) and unknown.type == "sparkle"
    assert to_json(unknown) == {"t": 1.0, "type": "sparkle", "colour": "blue"}
    odd = decode(2.0, "say", {"text": "hi", "volume": 3})
    assert isinstance(odd, RawEvent) and odd.data == {"text": "hi", "volume": 3}
    newer = decode(3.0, "say", {"text": "hi", "kind": "ack", "stage": None}, SCHEMA_VERSION + 1)
    assert isinstance(newer, RawEvent), "a newer program's record is not guessed at"


def test_version_1_records_become_typed_events() -> None:
    record = {"text": "Lie face down.", "kind": "setup", "stage": None}
    assert decode(5.0, "say", record, 1) == ev.Said(t=5.0, **record)


def test_every_event_of_a_journal_written_before_typed_events_is_typed(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    shutil.copyfile(OLD_JOURNAL, path)
    journal = open_journal(path)
    try:
        events = [e for session in (1, 2) for e in events_of(journal, session)]
        version = journal.db.execute("SELECT DISTINCT v FROM events").fetchall()
    finally:
        journal.close()
    assert version == [(1,)]
    raw = [e for e in events if isinstance(e, RawEvent)]
    assert raw == [] and len(events) > 400
    kinds = {e.type for e in events}
    assert {"start", "say", "cue", "pain", "pressure", "screening", "end"} <= kinds


def test_version_2_heard_records_read_as_heard_without_confidence() -> None:
    """Before version 3 nothing stored a confidence: such records read back without one."""
    old = decode(8.0, "heard", {"text": "a little lighter"}, 2)
    assert old == ev.Heard(t=8.0, text="a little lighter")
    assert old.data == {"text": "a little lighter"}

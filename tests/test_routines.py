"""Routine files: the shipped ones are valid; broken ones are refused at the right line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from assistant.cli import main, timeline
from assistant.errors import RoutineError
from assistant.routine.doc import routine_reference
from assistant.routine.loader import check_file, load_routine, routine_paths
from assistant.routine.schema import parse_duration

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "routines").glob("*.yaml"))

GOOD = textwrap.dedent("""\
    title: Tiny
    summary: A two-stage routine for tests.
    max_minutes: 10
    setup: [Oil within reach.]
    screening: ["Do you have a back injury?"]
    stages:
      - id: glide
        title: Glide
        area: whole-back
        technique: gliding
        pressure: light
        pressure_range: [feather, medium]
        instruction: Glide down beside the spine.
        landmark: Find the spine with your fingertips.
        strokes: 3
        pacing: {seconds_per_stroke: 6, cues: [down, up]}
        warm_up: true
      - id: hold
        title: Hold
        area: shoulders
        technique: trigger-point
        pressure: firm
        pressure_range: [medium, firm]
        instruction: Press and hold.
        landmark: Find the knot.
        pain_check: {target: [4, 6], hold_seconds: 8 s, rounds: 6}
      - id: cool
        title: Cool down
        area: whole-back
        technique: gliding
        pressure: feather
        pressure_range: [feather, light]
        instruction: Glide softly.
        landmark: Hands flat on the back.
        strokes: 3
        pacing: {seconds_per_stroke: 6, cues: [down, up]}
    """)


def test_every_shipped_routine_is_valid() -> None:
    names = {p.stem for p in SHIPPED}
    assert {"swedish-back", "knot-relief", "classic-regional", "gentle-first"} <= names
    for path in SHIPPED:
        routine, problems = check_file(path)
        assert problems == [], "\n".join(map(str, problems))
        assert routine is not None and routine.planned_seconds() <= routine.max_minutes * 60


def test_gentle_first_fits_fifteen_minutes_and_stays_gentle() -> None:
    r = load_routine("gentle-first")
    assert r.max_minutes <= 15
    assert all(s.pressure_range[1] in ("feather", "light", "medium") for s in r.stages)


def test_knot_relief_holds_trigger_points_as_the_seeds_say() -> None:
    checks = [s.pain_check for s in load_routine("knot-relief").stages if s.pain_check]
    assert checks and all(
        c.target == (4, 6) and 5 <= c.hold_seconds <= 8 and c.rounds == 6 for c in checks
    )


def test_swedish_back_follows_the_home_sequence() -> None:
    techniques = [s.technique for s in load_routine("swedish-back").stages]
    assert techniques[0] == techniques[-1]  # finishes with the opening stroke
    assert techniques.count("friction") == 3 and techniques.count("kneading") == 2


def test_classic_regional_covers_the_zones_with_spine_cautions() -> None:
    r = load_routine("classic-regional")
    areas = [s.area for s in r.stages]
    for zone in ("whole-back", "collar-zone", "lower-thoracic", "lumbar"):
        assert zone in areas
    assert (
        areas.index("whole-back")
        < areas.index("collar-zone")
        < areas.index("lower-thoracic")
        < areas.index("lumbar")
    )
    near_spine = [s for s in r.stages if s.area != "whole-back" or s.technique != "stroking"]
    assert all(any("spine" in c.lower() for c in s.cautions) for s in near_spine)
    assert any(
        "kidney" in c.lower() for s in r.stages if s.area == "lower-thoracic" for c in s.cautions
    )


def _broken(tmp_path: Path, old: str, new: str) -> list[str]:
    assert old in GOOD, old
    path = tmp_path / "broken.yaml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    routine, problems = check_file(path)
    assert routine is None
    return [f"{p.line}: {p.message}" for p in problems]


# (what is broken, replaced text, replacement, expected "LINE: message" fragments)
BROKEN = [
    (
        "unknown key",
        "    pressure: light\n",
        "    pressur: light\n",
        [
            "11: stages[0].pressur: unknown field, did you mean 'pressure'?",
            "7: stages[0]: missing field 'pressure'",
        ],
    ),
    (
        "wrong type",
        "strokes: 3",
        "strokes: three",
        ["15: stages[0].strokes: expected a whole number (got 'three')"],
    ),
    ("missing field", "    title: Glide\n", "", ["7: stages[0]: missing field 'title'"]),
    (
        "duration out of range",
        "strokes: 3",
        "duration: 2 hours",
        ["15: stages[0].duration: expected a duration"],
    ),
    (
        "duration too long",
        "strokes: 3",
        "duration: 45 min",
        ["15: stages[0].duration: 2700 s is out of range (5 s to 1200 s)"],
    ),
    (
        "duplicate stage id",
        "  - id: hold",
        "  - id: glide",
        ["18: stages[1].id: duplicate stage id 'glide' (first used on line 7)"],
    ),
    (
        "bad choice",
        "area: shoulders",
        "area: sholders",
        ["20: stages[1].area: expected one of"],
    ),
    (
        "pressure outside its range",
        "pressure: firm",
        "pressure: deep",
        ["22: stages[1].pressure: 'deep' is outside pressure_range medium..firm"],
    ),
    (
        "pain target too high",
        "target: [4, 6]",
        "target: [4, 9]",
        ["26: stages[1].pain_check.target: 9 is too high"],
    ),
    (
        "strokes and duration",
        "strokes: 3",
        "strokes: 3\n    duration: 30",
        ["16: stages[0]: give either strokes or duration, not both"],
    ),
    (
        "no pacing",
        "    pacing: {seconds_per_stroke: 6, cues: [down, up]}\n",
        "",
        ["7: stages[0]: missing field 'pacing'"],
    ),
    (
        "duplicate key",
        "max_minutes: 10",
        "max_minutes: 10\nmax_minutes: 12",
        ["4: max_minutes: duplicate field (first given on line 3)"],
    ),
    (
        "too long for its limit",
        "max_minutes: 10",
        "max_minutes: 1",
        ["3: max_minutes: the stages take about"],
    ),
    (
        "empty screening",
        'screening: ["Do you have a back injury?"]',
        "screening: []",
        ["5: screening: must not be empty"],
    ),
    ("yaml syntax", "strokes: 3", "strokes: [3", ["16: YAML syntax error"]),
    (
        "unknown locale",
        "max_minutes: 10",
        "max_minutes: 10\nlocale: xx",
        ["4: locale: 'xx' has no vocabulary"],
    ),
    # guard rails from the seeds
    (
        "firm work without a warm-up",
        "    warm_up: true\n",
        "",
        ["21: stages[1]: firm or trigger-point work must follow a warm-up stage"],
    ),
    (
        "hold longer than the seeds' 8 s",
        "hold_seconds: 8 s",
        "hold_seconds: 20 s",
        ["26: stages[1].pain_check.hold_seconds: 20 s is outside the seeds' 5-8 s"],
    ),
    (
        "firm on the neck",
        "area: shoulders",
        "area: neck",
        ["23: stages[1].pressure_range: the neck takes at most medium pressure"],
    ),
    (
        "deep pressure without a doctor",
        "pressure_range: [medium, firm]",
        "pressure_range: [medium, deep]",
        ["23: stages[1]: 'deep' pressure needs 'doctor_approved: true'"],
    ),
    (
        "tapping without a doctor",
        "technique: gliding\n    pressure: light",
        "technique: tapping\n    pressure: light",
        ["10: stages[0].technique: 'tapping' needs 'doctor_approved: true'"],
    ),
    (
        "a firm last stage",
        "pressure: feather\n    pressure_range: [feather, light]",
        "pressure: feather\n    pressure_range: [feather, medium]",
        ["32: stages[2].pressure_range: the last stage calms the back down"],
    ),
    (
        "a reason for each screening question",
        'screening: ["Do you have a back injury?"]',
        'screening: ["Do you have a back injury?"]\nscreening_why: [one, two]',
        ["6: screening_why: 2 reasons for 1 questions"],
    ),
]


def test_doctor_approved_allows_deep_and_tapping(tmp_path: Path) -> None:
    text = GOOD.replace("pressure_range: [medium, firm]", "pressure_range: [medium, deep]")
    text = text.replace("max_minutes: 10", "max_minutes: 10\ndoctor_approved: true")
    routine, problems = check_file(tmp_path / "approved.yaml", text)
    assert routine is not None and not problems


@pytest.mark.parametrize(("what", "old", "new", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_routines_are_reported_at_the_right_line(
    tmp_path: Path, what: str, old: str, new: str, expected: list[str]
) -> None:
    found = _broken(tmp_path, old, new)
    for fragment in expected:
        # "LINE: message..." must match from the start, so line 7 never passes for 17
        assert any(line.startswith(fragment) for line in found), f"{fragment!r} not in {found}"


def test_validate_prints_file_line_message_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("strokes: 3", "strokes: 0"), encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    assert main(["validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{bad}:15: stages[0].strokes: 0 is out of range (1 to 200)" in out
    assert any(line.startswith(f"{good}: ok (3 stages") for line in out)
    assert main(["validate", *map(str, SHIPPED)]) == 0


def test_a_broken_routine_never_starts_a_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("technique: gliding", "technique: pummelling"), "utf-8")
    with pytest.raises(RoutineError) as err:
        load_routine(bad)
    assert err.value.problems[0].line == 10
    assert main(["simulate", str(bad), "--quiet", "--durations", "wpm"]) == 2
    assert f"{bad}:10: stages[0].technique" in capsys.readouterr().err


def test_unknown_routine_name_lists_the_available_ones() -> None:
    with pytest.raises(RoutineError, match=r"available: .*gentle-first"):
        load_routine("no-such-routine")


def test_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    for path in routine_paths():
        assert path.stem in listed
    text = timeline(load_routine("knot-relief"))
    assert "release-knot" in text and "+pain check" in text and "never longer than 30" in text


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (45, 45.0),
        (1.5, 1.5),
        ("90 s", 90.0),
        ("2 min", 120.0),
        ("1.5 minutes", 90.0),
        ("10sec", 10.0),
        ("soon", None),
        (True, None),
        ("-3 s", None),
    ],
)
def test_durations(text: object, seconds: float | None) -> None:
    assert parse_duration(text) == seconds


def test_routine_reference_in_the_authoring_guide_is_current() -> None:
    guide = (ROOT / "routines" / "README.md").read_text(encoding="utf-8")
    assert routine_reference() in guide, "regenerate with: massage-assistant schema"


def test_state_diagram_is_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram"]) == 0
    out = capsys.readouterr().out
    assert "stateDiagram-v2" in out and "stopped" in out and "paused --> stroking" in out
    assert out.startswith("---\ntitle: Massage session\n---")
    doc = (ROOT / "docs" / "state-machine.md").read_text(encoding="utf-8")
    assert out.strip() in doc, "regenerate docs/state-machine.md with: massage-assistant diagram"

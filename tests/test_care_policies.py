"""The care decisions as pure functions: facts in, one decision out."""

from __future__ import annotations

import pytest

from assistant.care import (
    PainDecision,
    PainFacts,
    ScreeningFacts,
    crash_resume_plan,
    decide_pain,
    needs_warmup,
    restart_level,
    screening_step,
    spot_of,
    warmup_index,
)
from assistant.routine.loader import load_routine
from assistant.routine.model import PRESSURE_LEVELS

FEATHER, LIGHT, MEDIUM, FIRM = (
    PRESSURE_LEVELS.index(x) for x in ("feather", "light", "medium", "firm")
)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # a single 10 lifts the hands away, wherever the pressure is
        (PainFacts(10, FIRM, MEDIUM, 1, 1), PainDecision("release", "stage", MEDIUM)),
        # 8 or more with nothing lighter left: release, not "already the lightest"
        (PainFacts(8, LIGHT, LIGHT, 0, 1), PainDecision("release", "stage", FEATHER)),
        (PainFacts(9, FEATHER, FEATHER, 1, 1), PainDecision("release", "stage", FEATHER)),
        # 8 with room to go lighter: ease off and ask again
        (PainFacts(8, FIRM, MEDIUM, 0, 1), PainDecision("ease", None, None)),
        # a 9 eases off and caps the spot one step below where it hurt
        (PainFacts(9, FIRM, MEDIUM, 1, 1), PainDecision("ease", None, MEDIUM)),
        # two 9-10s, or three 8s, in one stage: leave the spot
        (PainFacts(9, MEDIUM, LIGHT, 2, 2), PainDecision("release", "stage", LIGHT)),
        (PainFacts(8, MEDIUM, LIGHT, 0, 3), PainDecision("release", "stage", LIGHT)),
        # the second spot left for pain ends the session
        (PainFacts(10, MEDIUM, LIGHT, 1, 1, 1), PainDecision("release", "session", LIGHT)),
        # trigger-point work steers by the target range
        (PainFacts(7, FIRM, MEDIUM, target=(4, 6)), PainDecision("lighter")),
        (PainFacts(5, FIRM, MEDIUM, target=(4, 6)), PainDecision("hold")),
        (PainFacts(2, MEDIUM, MEDIUM, target=(4, 6)), PainDecision("more")),
        # outside it: 7 goes lighter, less carries on
        (PainFacts(7, MEDIUM, LIGHT), PainDecision("lighter")),
        (PainFacts(3, MEDIUM, LIGHT), PainDecision("carry_on")),
    ],
)
def test_pain_policy(facts: PainFacts, expected: PainDecision) -> None:
    assert decide_pain(facts) == expected


def test_pain_never_says_carry_on_at_eight_or_more() -> None:
    for value in (8, 9, 10):
        for level in range(len(PRESSURE_LEVELS)):
            for floor in range(level + 1):
                d = decide_pain(PainFacts(value, level, floor, value >= 9, 1))
                assert d.action in ("ease", "release")
                if d.cap is not None:
                    assert d.cap < level or level == 0


@pytest.mark.parametrize(
    ("answer", "heard", "step"),
    [
        ("no", False, "wait_for_question"),
        ("yes", False, "wait_for_question"),
        ("unsure", False, "wait_for_question"),
        ("no", True, "next_question"),
        ("yes", True, "decline"),
        ("unsure", True, "decline"),
        ("next", True, "ignore"),
    ],
)
def test_screening_counts_only_answers_to_a_heard_question(
    answer: str, heard: bool, step: str
) -> None:
    assert screening_step(ScreeningFacts(answer, heard)) == step


def test_warm_up_rules_on_the_shipped_knot_routine() -> None:
    stages = load_routine("knot-relief").stages
    ids = [s.id for s in stages]
    assert [s.id for s in stages if needs_warmup(s)] == ["release-knot", "compression-broadening"]
    assert warmup_index(stages, ids.index("release-knot")) == 0
    assert warmup_index(stages, 0) is None
    # a crash an hour ago: the questions again, and the warm-up before the knot
    plan = crash_resume_plan(stages, ids.index("release-knot"), minutes_ago=60)
    assert (plan.screen_again, plan.warm_up_first) == (True, 0)
    # five minutes ago, on a gentle stage: straight back
    plan = crash_resume_plan(stages, ids.index("broadening-glide"), minutes_ago=5)
    assert (plan.screen_again, plan.warm_up_first) == (False, None)


def test_restart_is_one_step_lighter_never_below_feather() -> None:
    assert restart_level(FIRM) == MEDIUM
    assert restart_level(FEATHER) == FEATHER


def test_spots_are_declared_not_guessed() -> None:
    groups = (("upper-back", "spine-sides", "whole-back"), ("lumbar", "whole-back"))
    assert spot_of("spine-sides", groups) == {"upper-back", "spine-sides", "whole-back"}
    assert spot_of("lumbar", groups) == {"lumbar", "whole-back"}  # not through the whole back
    assert spot_of("whole-back", groups) == {"upper-back", "spine-sides", "whole-back", "lumbar"}
    assert spot_of("neck", groups) == {"neck"}  # nothing declared: only itself


# --- pressure per area and the time limit ---------------------------------------------------


def test_pressure_level_stays_in_the_range_and_under_the_cap() -> None:
    from assistant.care.pressure import PressureRange, pressure_level

    r = PressureRange(base=2, lo=1, hi=3)
    assert pressure_level(r, 0, cap=4) == 2
    assert pressure_level(r, -5, cap=4) == 1  # never below the stage's range
    assert pressure_level(r, +5, cap=4) == 3  # never above it
    assert pressure_level(r, +1, cap=2) == 2  # nor above the cap severe pain set


def test_pressure_step_says_when_it_cannot_move() -> None:
    from assistant.care.pressure import PressureRange, pressure_step

    r = PressureRange(base=2, lo=1, hi=3)
    assert pressure_step(r, 2, -1, cap=4) == 1
    assert pressure_step(r, 1, -1, cap=4) is None  # already the lightest this stage allows
    assert pressure_step(r, 3, +1, cap=4) is None  # already the firmest
    assert pressure_step(r, 2, +1, cap=2) is None  # capped after severe pain
    assert pressure_step(r, 3, -1, cap=1) == 1  # lighter always goes to at most the cap


def test_time_limit_closes_at_the_end_and_jumps_once_before() -> None:
    from assistant.care.limits import last_stage_budget, limit_action

    assert last_stage_budget(100.0, 20.0, pace=1.5) == pytest.approx(204.0)
    common = {"index": 1, "last": 4}
    assert limit_action(hard_limit_passed=True, limit_hit=True, jumped=True, **common) == "close"
    assert (
        limit_action(hard_limit_passed=False, limit_hit=True, jumped=False, **common)
        == "jump_to_last"
    )
    assert limit_action(hard_limit_passed=False, limit_hit=True, jumped=True, **common) is None
    assert (
        limit_action(hard_limit_passed=False, limit_hit=True, jumped=False, index=4, last=4) is None
    )
    assert limit_action(hard_limit_passed=False, limit_hit=False, jumped=False, **common) is None

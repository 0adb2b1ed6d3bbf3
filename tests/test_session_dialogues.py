"""Golden dialogue tests: whole sessions of every routine on a virtual clock.

Each scenario is checked twice: against a reviewed golden trace (order of states and
kinds of lines), and against rules derived from the routine itself, so a golden file
regenerated carelessly still cannot hide a broken rule.
"""

from __future__ import annotations

import pytest
from sessionkit import ROUTINES, check_golden, first, simulate, states, trace

from assistant.narration.voice import estimate_seconds
from assistant.prompts import load_prompts
from assistant.routine.loader import load_routine
from assistant.routine.model import PRESSURE_LEVELS
from assistant.session import SessionSettings

PROMPTS = load_prompts("en")


def _straight(name: str):
    return simulate(name)


@pytest.mark.parametrize("name", ROUTINES)
def test_straight_through(name: str) -> None:
    routine = load_routine(name)
    _session, log, outcome = simulate(routine)
    ev = log.events
    assert outcome == "finished"
    # every stage, in order, each introduced once
    introduced = [
        e.data["stage"] for e in ev if e.type == "state" and e.data["state"] == "instruction"
    ]
    assert introduced == [s.id for s in routine.stages]
    assert states(ev)[:2] == ["screening", "setup"]
    assert states(ev)[-2:] == ["closing", "finished"]
    assert not log.of_type("cut", "error")
    # every stroke of every stage is cued, and cues in an unbroken run keep the beat
    for stage in routine.stages:
        cues = [e for e in ev if e.type == "cue" and e.data["stage"] == stage.id]
        if stage.pacing is None:
            assert not cues
            continue
        sets = stage.repetitions * len(stage.side_names)
        done = {(c.data["set"], c.data["stroke"]) for c in cues}
        assert done == {(a, b) for a in range(sets) for b in range(stage.strokes_per_set())}
        gap = stage.pacing.seconds_per_stroke / len(stage.pacing.cues)
        run: list = []
        for e in ev:
            if e.type == "cue" and e.data["stage"] == stage.id:
                if run and run[-1].data["set"] == e.data["set"]:
                    assert e.t - run[-1].t == pytest.approx(gap, abs=1e-6)
                run.append(e)
            elif e.type == "say":
                run = []
    # the routine's length limit is honoured
    # the routine fits its length limit, counted from the start, without being cut short
    assert ev[-1].t <= routine.max_minutes * 60
    assert not [e for e in ev if e.type == "reminder" and e.data["kind"] == "time_limit"]
    check_golden(f"{name}/straight", trace(ev))


@pytest.mark.parametrize("name", ROUTINES)
def test_stop_in_the_middle_of_a_sentence(name: str) -> None:
    _, straight, _ = _straight(name)
    line = first(straight.events, "say", kind="instruction")
    stop_at = line.t + estimate_seconds(str(line.data["text"])) / 2
    _session, log, outcome = simulate(name, [(stop_at, "stop")])
    ev = log.events
    assert outcome == "stopped"
    stop = first(ev, "intent", name="stop")
    after = ev[ev.index(stop) + 1 :]
    # the voice is cut first, before the stop is even recorded (a slow disk waits)
    heard = ev.index(first(ev, "heard", text="stop"))
    cut = ev[heard - 1]
    assert cut.type == "cut" and cut.data["text"] == line.data["text"] and cut.t == stop.t
    spoken = [e for e in after if e.type in ("say", "cue")]
    # nothing is narrated or cued after a stop but the stop message, and, once the window
    # to resume has passed, the spoken end with the aftercare (never a silent end)
    assert [e.data.get("kind") for e in spoken] == ["stop", "ending", "aftercare", "aftercare"]
    assert spoken[0].t == stop.t
    assert states(ev)[-2:] == ["stopped", "ended"]
    window = SessionSettings().resume_window_s
    assert spoken[1].t == pytest.approx(stop.t + estimate_seconds(spoken[0].data["text"]) + window)
    assert ev[-1].t == pytest.approx(spoken[-1].t + estimate_seconds(str(spoken[-1].data["text"])))
    check_golden(f"{name}/stop-mid-sentence", trace(ev))


@pytest.mark.parametrize("name", ROUTINES)
def test_pause_and_resume_carry_on_from_the_same_stroke(name: str) -> None:
    _, straight, _ = _straight(name)
    cues = straight.of_type("cue")
    pause_at = cues[4].t + 0.5
    _session, log, outcome = simulate(name, [(pause_at, "pause"), (pause_at + 30, "resume")])
    ev = log.events
    assert outcome == "finished"
    pause = first(ev, "intent", name="pause")
    before = [e for e in ev[: ev.index(pause)] if e.type == "cue"][-1]
    paused_state = first(ev, "state", state="paused")
    resumed = next(e for e in ev if e.type == "state" and e.t > paused_state.t)
    assert resumed.data["state"] == "stroking" and resumed.data["stage"] == before.data["stage"]
    after = next(e for e in ev if e.type == "cue" and e.t > resumed.t)
    assert (after.data["set"], after.data["stroke"]) == (before.data["set"], before.data["stroke"])
    # silence while paused: only the pause line itself
    quiet = [e for e in ev if pause.t < e.t < pause.t + 30 and e.type in ("say", "cue")]
    assert [e.data.get("kind") for e in quiet] == []
    assert first(ev, "say", kind="paused").t == pause.t
    check_golden(f"{name}/pause-resume", trace(ev))


@pytest.mark.parametrize("name", ROUTINES)
def test_lighter_twice_steps_down_and_carries_forward(name: str) -> None:
    routine = load_routine(name)
    _, straight, _ = _straight(name)
    cues = straight.of_type("cue")
    _session, log, outcome = simulate(
        name, [(cues[1].t + 0.2, "lighter"), (cues[1].t + 12.0, "a bit lighter")]
    )
    ev = log.events
    assert outcome == "finished"
    stage = next(s for s in routine.stages if s.id == cues[1].data["stage"])
    lo = PRESSURE_LEVELS.index(stage.pressure_range[0])
    start = PRESSURE_LEVELS.index(stage.pressure)
    expected_level = max(lo, start - 2)
    changes = [e for e in log.of_type("pressure") if e.data["stage"] == stage.id]
    assert [PRESSURE_LEVELS.index(str(e.data["level"])) for e in changes] == list(
        range(start - 1, expected_level - 1, -1)
    )
    if start - 2 < lo:  # at the lightest level, "lighter" suggests moving on
        assert any(e.type == "say" and e.data["text"] == PROMPTS("lightest") for e in ev)
    # later stages on the same area start from the lighter level (within their own range)
    offset = expected_level - start
    later = [s for s in routine.stages[routine.stages.index(stage) + 1 :] if s.area == stage.area]
    for s in later:
        lo_s, hi_s = (PRESSURE_LEVELS.index(x) for x in s.pressure_range)
        level = min(hi_s, max(lo_s, PRESSURE_LEVELS.index(s.pressure) + offset))
        said = [
            e.data["text"]
            for e in ev
            if e.type == "say" and e.data["kind"] == "pressure" and e.data["stage"] == s.id
        ]
        assert said[0] == PROMPTS(f"pressure.{PRESSURE_LEVELS[level]}")
    check_golden(f"{name}/lighter-twice", trace(ev))


@pytest.mark.parametrize("name", ROUTINES)
def test_pain_answers_eight_six_four(name: str) -> None:
    routine = load_routine(name)
    has_loop = any(s.pain_check for s in routine.stages)
    if has_loop:
        _, log, outcome = simulate(name, pain=(8, 6, 4))
    else:  # no trigger-point stage: the receiver says "ouch", then gives the numbers
        _, straight, _ = _straight(name)
        cue = straight.of_type("cue")[3]
        _session, log, outcome = simulate(
            name,
            [(cue.t + 0.5, "ouch"), (cue.t + 60, "four")],
            pain=(8, 6),  # the answer to "ouch", then to "how strong is it now?"
        )
    ev = log.events
    assert outcome == "finished"
    if not has_loop:
        # "ouch" eased to the floor of the stage (or it was there already), so an 8 means
        # lift the hands away and leave that spot: one spot left for pain, not the session
        reply = next(
            e
            for e in ev
            if e.type == "say" and e.t >= first(ev, "pain").t and e.data["kind"] != "ack"
        )
        assert reply.data["text"] == PROMPTS("pain_release")
        assert len(log.of_type("left_for_pain")) == 1 and log.of_type("ease")
        check_golden(f"{name}/pain-8-6-4", trace(ev))
        return
    assert [e.data["value"] for e in log.of_type("pain")][:3] == [8, 6, 4]
    responses = []
    for pain in log.of_type("pain")[:3]:
        nxt = [e for e in ev if e.type == "say" and e.t >= pain.t and e.data["kind"] != "ack"]
        responses.append(nxt[0].data["text"])
    check = next(s.pain_check for s in routine.stages if s.pain_check)
    hold = PROMPTS("pain_hold", seconds=f"{check.hold_seconds:g}")
    assert responses == [PROMPTS("pain_severe"), hold, hold]
    holds = [e for e in ev if e.type == "state" and e.data["state"] == "holding"]
    assert len(holds) == 6  # target reached each time: one hold per round, six rounds
    check_golden(f"{name}/pain-8-6-4", trace(ev))


@pytest.mark.parametrize("name", ROUTINES)
def test_screening_declined(name: str) -> None:
    routine = load_routine(name)
    _, straight, _ = _straight(name)
    asked = first(straight.events, "await", want="yes_no")
    _session, log, outcome = simulate(name, [(asked.t + 1.0, "yes")], partner=False)
    ev = log.events
    assert outcome == "declined"
    assert states(ev) == ["screening", "declining", "declined"]
    said = [e for e in ev if e.type == "say"]
    # why a yes to this question rules it out, the advice, then a spoken end
    assert [e.data["kind"] for e in said[-3:]] == ["decline", "decline", "ending"]
    assert said[-3].data["text"] == routine.screening_why[0]
    assert said[-2].data["text"] == (routine.decline or PROMPTS("decline"))
    assert not log.of_type("cue")
    check_golden(f"{name}/declined", trace(ev))

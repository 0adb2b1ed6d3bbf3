"""Each session rule of the product, on a tiny routine, on a virtual clock."""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Callable
from dataclasses import replace

import pytest
from sessionkit import first, simulate, states

from assistant.clock import Scheduler, VirtualClock
from assistant.events import EventLog
from assistant.intents import Intent, load_vocabulary
from assistant.narration.voice import SilentVoice
from assistant.prompts import load_prompts
from assistant.routine.loader import check_file
from assistant.routine.model import Routine
from assistant.session import Session, SessionSettings
from assistant.session.sayable import help_line

P = load_prompts("en")

TINY = textwrap.dedent("""\
    title: Tiny
    summary: Two stages for tests.
    max_minutes: 20
    setup: [Oil within reach.]
    screening: ["Do you have a back injury?"]
    stages:
      - id: glide
        title: Glide
        area: whole-back
        technique: gliding
        pressure: medium
        pressure_range: [light, firm]
        instruction: Glide down beside the spine.
        landmark: Find the spine with your fingertips.
        strokes: 10
        pacing: {seconds_per_stroke: 6, cues: [down, up]}
        advance: auto
        warm_up: true
      - id: knot
        title: Knot
        area: shoulders
        technique: trigger-point
        pressure: firm
        pressure_range: [medium, firm]
        instruction: Press and hold.
        landmark: Find the knot.
        pain_check: {target: [4, 6], hold_seconds: 8, rounds: 3}
      - id: cool
        title: Cool down
        area: whole-back
        technique: gliding
        pressure: light
        pressure_range: [feather, light]
        instruction: Glide softly.
        landmark: Hands flat on the back.
        strokes: 4
        pacing: {seconds_per_stroke: 6, cues: [down, up]}
        advance: auto
    """)


def tiny(max_minutes: int = 20) -> Routine:
    text = TINY.replace("max_minutes: 20", f"max_minutes: {max_minutes}")
    assert f"max_minutes: {max_minutes}" in text
    routine, problems = check_file("tiny.yaml", text)
    assert routine is not None, problems
    return routine


def no_warm_up(routine: Routine) -> Routine:
    """The tiny routine with its first stage not marked as a warm-up, for rules about "next"."""
    return replace(routine, stages=(replace(routine.stages[0], warm_up=False), *routine.stages[1:]))


def answers(straight: EventLog) -> list[tuple[float, str]]:
    """Answer the safety question and the set-up of ``straight``'s run once each was said."""
    asked = first(straight.events, "await", want="yes_no").t
    ready = first(straight.events, "await", want="next").t
    return [(asked + 1.5, "no"), (ready + 1.5, "next")]


def run_until(session: Session, clock: VirtualClock, done: Callable[[], bool]) -> None:
    """Play the session's own timers on the virtual clock until ``done``."""
    while not done():
        due = session.scheduler.next_due()
        assert due is not None
        clock.advance_to(due)
        session.scheduler.run_due()


def _stage_start(log: EventLog, stage: str, state: str = "stroking") -> float:
    return first(log.events, "state", state=state, stage=stage).t


def _said(log: EventLog, after: float = -1.0) -> list[str]:
    return [str(e.data["text"]) for e in log.events if e.type == "say" and e.t >= after]


def test_every_command_is_acknowledged() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 1
    for text, ack in [
        ("lighter", P("ack.lighter")),
        ("firmer", P("ack.firmer")),
        ("slower", P("ack.slower")),
        ("faster", P("ack.faster")),
        ("repeat", P("ack.repeat")),
        ("next", P("ack.next")),
        ("back", P("ack.back")),
        ("pause", P("paused")),
        ("help", help_line("stroking", load_vocabulary("en"), load_prompts("en"))),
        ("where are we", None),
    ]:
        _, log, _ = simulate(no_warm_up(tiny()), [(t, text), (t + 30, "resume")])
        heard = next(e for e in log.events if e.type == "intent" and e.t == t)
        reply = next(e for e in log.events if e.type == "say" and e.t >= t)
        assert reply.t == pytest.approx(t) and heard.t == reply.t, text
        if ack is not None:
            assert reply.data["text"] == ack, text
        else:
            assert reply.data["kind"] == "status" and reply.data["text"].startswith(
                "Step 1 of 3: Glide."
            )


def test_repeat_resays_the_instruction_and_restarts_the_stroke_set() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 20
    _, log, outcome = simulate(tiny(), [(t, "say that again")])
    assert outcome == "finished"
    after = [e for e in log.events if e.t >= t]
    kinds = [e.data.get("kind") for e in after if e.type == "say"][:6]
    assert kinds == ["ack", "title", "instruction", "landmark", "pressure", "caution"]
    cues = [e for e in after if e.type == "cue"]
    assert (cues[0].data["set"], cues[0].data["stroke"]) == (0, 0)


def test_lighter_at_the_lightest_level_suggests_moving_on() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 2
    _, log, _ = simulate(tiny(), [(t, "lighter"), (t + 8, "lighter"), (t + 16, "lighter")])
    levels = [e.data["level"] for e in log.of_type("pressure")]
    assert levels == ["light"]  # medium -> light; light is this stage's floor
    assert P("lightest") in _said(log, t)


def test_firmer_is_capped_by_the_stage_range() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 2
    _, log, _ = simulate(tiny(), [(t, "firmer"), (t + 8, "firmer")])
    assert [e.data["level"] for e in log.of_type("pressure")] == ["firm"]
    assert P("firmest") in _said(log, t)


def test_slower_stretches_the_beat_from_the_next_stroke() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 2
    _, log, _ = simulate(tiny(), [(t, "slower")])
    cues = [e for e in log.events if e.type == "cue" and e.t > t + 5 and e.data["stage"] == "glide"]
    gaps = {
        round(b.t - a.t, 6) for a, b in itertools.pairwise(cues) if a.data["set"] == b.data["set"]
    }
    assert gaps == {round(6 * 1.25 / 2, 6)}
    assert P("pace_changed", seconds="8") in _said(log, t)


def test_ouch_eases_off_at_once_and_asks_for_a_number() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 3
    _, log, _ = simulate(tiny(), [(t, "ouch")], pain=(3,))
    assert first(log.events, "ease").t == t
    assert first(log.events, "pressure").data["level"] == "light"
    question = first(log.events, "say", text=P("ouch"))
    assert question.t == t
    # the answer is recorded against the stage and area, and the strokes carry on
    pain = first(log.events, "pain")
    assert (pain.data["value"], pain.data["stage"], pain.data["area"]) == (3, "glide", "whole-back")
    assert any(e.type == "cue" and e.t > pain.t and e.data["stage"] == "glide" for e in log.events)


def test_no_answer_reprompts_once_then_pauses_and_asks_if_all_is_well() -> None:
    routine = tiny()
    _, straight, _ = simulate(routine, pain=(5,))
    # answer only the screening question and the setup, then stay silent
    _, log, outcome = simulate(routine, answers(straight), partner=False)
    # "next" during setup starts stage 1; the simulation then goes silent
    asking = first(log.events, "state", state="asking")
    after = [e for e in log.events if e.t >= asking.t]
    said = [e.data["text"] for e in after if e.type == "say"]
    # silence while the thumb may be pressing: release first, then check, then pause
    assert said[:4] == [
        P("pain_question"),
        P("silence_release"),
        P("silence_check"),
        P("no_answer"),
    ]
    assert [e.data["state"] for e in after if e.type == "state"][:2] == ["asking", "paused"]
    assert first(log.events, "no_answer")
    assert outcome == "stopped"  # nobody ever answers: the idle limit ends it safely


def test_yes_after_the_all_right_question_resumes_and_asks_again() -> None:
    routine = tiny()
    _, straight, _ = simulate(routine, pain=(5,))
    script = answers(straight)
    _, silent, _ = simulate(routine, script, partner=False)
    paused = first(silent.events, "state", state="paused").t
    _, log, _ = simulate(
        routine, [*script, (paused + 10, "yes, I'm fine"), (paused + 30, "five")], partner=False
    )
    after = [e for e in log.events if e.type == "state" and e.t > paused + 9]
    assert after[0].data["state"] == "asking"
    assert first(log.events, "pain", value=5).t == paused + 30


def test_two_readings_of_nine_or_ten_end_the_stage() -> None:
    _, log, outcome = simulate(tiny(), pain=(9, 10, 2))
    assert outcome == "finished"
    knot = [e for e in log.events if e.data.get("stage") == "knot"]
    assert P("pain_too_much") in [e.data.get("text") for e in knot]
    assert P("pain_release") in [e.data.get("text") for e in knot]
    assert not [e for e in knot if e.type == "state" and e.data["state"] == "holding"]
    # the next stage checks before its strokes; a 2 lets it carry on
    cool = first(log.events, "say", text=P("pain_check_after"))
    assert cool.data["stage"] == "cool"


def test_a_low_reading_asks_for_a_little_more_pressure() -> None:
    _, log, _ = simulate(tiny(), pain=(7, 2, 5, 5, 5))  # 7 eases off from firm, 2 adds again
    pain = first(log.events, "pain", value=2)
    reply = [e for e in log.events if e.type == "say" and e.t >= pain.t][1]
    assert reply.data["text"] == P("pain_low")


def test_resume_within_the_window_restarts_the_current_stage() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 25
    _, log, outcome = simulate(tiny(), [(t, "stop"), (t + 60, "resume")])
    assert outcome == "finished"
    after = [e for e in log.events if e.t >= t + 60 and e.type == "state"]
    assert (after[0].data["state"], after[0].data["stage"]) == ("instruction", "glide")
    cues = [e for e in log.events if e.type == "cue" and e.t > t + 60]
    assert (cues[0].data["set"], cues[0].data["stroke"]) == (0, 0)


def test_after_the_window_or_any_other_word_the_session_ends() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 25
    window = SessionSettings().resume_window_s
    _, late, outcome = simulate(tiny(), [(t, "stop"), (t + window + 30, "resume")])
    assert outcome == "stopped" and states(late.events)[-1] == "ended"
    _, other, outcome = simulate(tiny(), [(t, "stop"), (t + 5, "next")])
    assert outcome == "stopped" and states(other.events)[-1] == "ended"
    # the end is said, with the aftercare, never silent
    said = [e.data["kind"] for e in other.events if e.type == "say" and e.t >= t + 5]
    assert said == ["ending", "aftercare", "aftercare"]
    assert first(other.events, "say", kind="ending").t == t + 5


def test_stop_works_during_the_welcome_and_in_a_pause() -> None:
    _, log, outcome = simulate(tiny(), [(0.5, "stop")], partner=False)
    assert outcome == "stopped" and states(log.events)[:2] == ["screening", "stopped"]
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 5
    _, log, outcome = simulate(tiny(), [(t, "pause"), (t + 5, "stop")])
    assert outcome == "stopped" and states(log.events)[-3:] == ["paused", "stopped", "ended"]


def test_position_change_is_offered_after_lying_still() -> None:
    routine = tiny(max_minutes=40)
    long = replace(routine.stages[0], strokes=200)
    routine = replace(routine, stages=(long, *routine.stages[1:]), position_reminder_minutes=15.0)
    _, log, outcome = simulate(routine)
    reminder = first(log.events, "reminder", kind="position")
    start = first(log.events, "state", state="instruction").t
    assert reminder.t == pytest.approx(start + 15 * 60)
    assert P("position_reminder", minutes=15) in _said(log)
    assert outcome == "finished"


def test_the_maximum_length_skips_to_the_last_stage() -> None:
    routine = tiny()
    long = replace(routine.stages[0], strokes=200)
    routine = replace(routine, stages=(long, *routine.stages[1:]), max_minutes=10.0)
    _, log, outcome = simulate(routine)
    assert outcome == "finished"
    assert first(log.events, "reminder", kind="time_limit")
    entered = [
        e.data["stage"]
        for e in log.events
        if e.type == "state" and e.data["state"] == "instruction"
    ]
    assert entered == ["glide", "cool"]  # the knot stage is skipped
    start = first(log.events, "state", state="instruction").t
    assert log.events[-1].t - start <= 10 * 60 + 30


def test_unknown_words_get_a_gentle_answer_and_the_work_carries_on() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 3
    _, log, outcome = simulate(tiny(), [(t, "banana")])
    assert outcome == "finished"
    assert first(log.events, "say", kind="not_understood").t == t
    assert not [e for e in log.events if e.type == "intent" and e.t == t]


def test_handle_before_start_and_after_end_is_harmless() -> None:
    clock = VirtualClock()
    log = EventLog()
    session = Session(tiny(), scheduler=Scheduler(clock), voice=SilentVoice(), log=log)
    session.handle(Intent("next"))
    assert session.state == "idle"
    session.start()
    session.handle(Intent("stop"))
    session.handle(Intent("stop"))  # ends: "the session has ended" is being said
    session.handle(Intent("stop"))  # and a stop cuts even that short
    assert session.done and session.state == "ended"
    session.handle(Intent("resume"))
    assert session.state == "ended"
    assert log.of_type("end")[0].data == {"outcome": "stopped"}


def test_an_internal_fault_ends_the_session_safely_and_is_logged() -> None:
    clock = VirtualClock()
    log = EventLog()
    session = Session(tiny(), scheduler=Scheduler(clock), voice=SilentVoice(), log=log)
    session.start()
    session.log_error("simulated fault")
    assert session.done and states(log.events)[-1] == "ended"
    types = [e.type for e in log.events]
    assert types[-1] == "end" and types.index("error") < len(types) - 2


def test_a_pain_number_said_during_a_pause_is_still_recorded() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 5
    _, log, _ = simulate(tiny(), [(t, "pause"), (t + 5, "it's a seven"), (t + 10, "resume")])
    pain = first(log.events, "pain", value=7)
    assert (pain.t, pain.data["stage"], pain.data["area"]) == (t + 5, "glide", "whole-back")


# --- regressions found in review -------------------------------------------------------------


def test_a_yes_to_a_safety_question_cannot_be_taken_back() -> None:
    _, straight, _ = simulate(tiny())
    asked = first(straight.events, "await", want="yes_no").t
    script = [(asked + 1, "yes"), (asked + 2, "what"), (asked + 3, "no"), (asked + 4, "resume")]
    _, log, outcome = simulate(tiny(), script, partner=False)
    assert outcome == "declined"
    assert states(log.events) == ["screening", "declining", "declined"]
    # stop may cut the decline message short; the outcome stays declined
    _, log, outcome = simulate(tiny(), [(asked + 1, "yes"), (asked + 2, "stop")], partner=False)
    assert outcome == "declined" and log.events[-1].t == asked + 2


def test_pause_while_resuming_stays_paused() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 5
    _, log, _ = simulate(tiny(), [(t, "pause"), (t + 20, "carry on"), (t + 20.3, "wait")])
    after = [e.data["state"] for e in log.events if e.type == "state" and e.t >= t + 20]
    assert after[:2] == ["stroking", "paused"]  # (and, left alone, the idle limit ends it)
    assert not [e for e in log.events if e.type == "cue" and t + 20.3 < e.t < t + 200]


def test_a_question_during_next_does_not_lose_the_next() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 5
    _, log, _ = simulate(no_warm_up(tiny()), [(t, "next"), (t + 0.2, "where are we")])
    moved = first(log.events, "state", state="instruction", stage="knot")
    assert moved.t == t
    assert not [e for e in log.events if e.type == "cue" and e.data["stage"] == "glide" and e.t > t]


def test_ouch_during_the_instruction_says_the_instruction_again() -> None:
    _, straight, _ = simulate(tiny())
    title = first(straight.events, "say", kind="title", stage="glide").t
    _, log, _ = simulate(tiny(), [(title + 1, "ouch")], pain=(2,))
    after = [e.data["kind"] for e in log.events if e.type == "say" and e.t > title + 1]
    assert after[:3] == ["ack", "pain", "title"]  # "2.", "Carry on.", then the step again
    assert "landmark" in after[:6]


def test_after_an_ouch_and_next_the_trigger_point_loop_counts_again() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 5
    _, log, _ = simulate(tiny(), [(t, "ouch"), (t + 2, "next")], pain=(5, 5, 5, 5))
    knot = [e for e in log.events if e.data.get("stage") == "knot"]
    holds = [e for e in knot if e.type == "state" and e.data["state"] == "holding"]
    assert len(holds) == 3  # every reading of 5 held, three rounds
    assert P("ouch") not in [e.data.get("text") for e in knot]


def test_eight_or_more_outside_trigger_point_work_eases_off_and_asks_again() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 5
    _, log, _ = simulate(tiny(), [(t, "it's an eight")], pain=(3,))
    said = [e.data["text"] for e in log.events if e.type == "say" and e.t >= t][:4]
    assert said == ["8.", P("pain_severe"), P("pressure.light"), P("pain_again")]


def test_two_readings_of_nine_or_ten_end_any_stage() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 5
    _, log, _ = simulate(tiny(), [(t, "ten")], pain=(9,))
    assert P("pain_too_much") in _said(log, t)
    moved = first(log.events, "state", state="instruction", stage="knot")
    glide_cues = [e for e in log.events if e.type == "cue" and e.data["stage"] == "glide"]
    assert glide_cues[-1].t < moved.t and len(glide_cues) < 20


def test_trigger_point_readings_move_the_tracked_pressure() -> None:
    _, log, _ = simulate(tiny(), pain=(7, 2, 5, 5, 5))
    levels = [e.data["level"] for e in log.events if e.type == "pressure"]
    assert levels[:2] == ["medium", "firm"]  # 7: ease off a little; 2: a little more


def test_the_position_reminder_is_said_when_strokes_start() -> None:
    routine = tiny()
    routine = replace(routine, position_reminder_minutes=0.5)
    _, log, _ = simulate(routine)
    reminder = first(log.events, "say", kind="reminder")
    due = first(log.events, "state", state="instruction").t + 30
    assert due <= reminder.t <= due + 30


def test_restart_after_a_stop_in_the_closing_returns_to_the_closing() -> None:
    _, straight, _ = simulate(tiny())
    closing = first(straight.events, "state", state="closing").t
    _, log, outcome = simulate(tiny(), [(closing + 1, "stop"), (closing + 10, "resume")])
    assert outcome == "finished"
    assert states(log.events)[-4:] == ["closing", "stopped", "closing", "finished"]


def test_end_of_input_stops_with_a_final_line_and_ends_at_once() -> None:
    clock = VirtualClock()
    log = EventLog()
    session = Session(tiny(), scheduler=Scheduler(clock), voice=SilentVoice(), log=log)
    session.start()
    session.quit()
    last_say = [e for e in log.events if e.type == "say"][-1]
    assert last_say.data["text"] == P("stopped_final")
    assert states(log.events)[-2:] == ["stopped", "ended"] and session.done


def test_any_fault_inside_the_session_ends_it_safely_through_the_runner() -> None:
    from assistant.runner import ScriptInput, Utterance, run_session

    class BrokenVoice(SilentVoice):
        def say(self, text: str) -> float:
            if text == P("ack.lighter"):
                raise RuntimeError("sound card on fire")
            return super().say(text)

    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 3
    clock = VirtualClock()
    log = EventLog()
    session = Session(tiny(), scheduler=Scheduler(clock), voice=BrokenVoice(), log=log)
    script = [Utterance(a, x) for a, x in [*answers(straight), (t, "lighter")]]
    outcome = run_session(session, ScriptInput(clock, script))
    assert outcome == "stopped" and session.done
    error = first(log.events, "error")
    assert "sound card on fire" in error.data["message"] and error.t == t


# --- regressions found in the second review ----------------------------------------------


def test_a_stage_ended_for_pain_stays_ended_after_an_aside_or_a_pause() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide")
    for extra in ([(t + 31, "where are we")], [(t + 31, "pause"), (t + 40, "resume")]):
        script = [(t + 3, "nine"), (t + 12, "three"), (t + 30, "nine"), *extra]
        _, log, _ = simulate(tiny(), script, pain=())
        ended = first(log.events, "say", text=P("pain_release")).t
        later = [e for e in log.events if e.type == "cue" and e.data["stage"] == "glide"]
        assert all(e.t < ended for e in later), extra
        after = next(e for e in log.events if e.type == "say" and e.t > ended)
        assert after.data["text"] != P("stage_done_auto")  # no "Good." after "too strong"


def test_end_of_input_while_declining_keeps_the_decline() -> None:
    clock = VirtualClock()
    log = EventLog()
    session = Session(tiny(), scheduler=Scheduler(clock), voice=SilentVoice(), log=log)
    session.start()
    run_until(session, clock, lambda: bool(log.of_type("await")))  # the question was heard
    session.handle(Intent("yes"))
    session.quit()
    assert session.state == "declined" and not log.of_type("error")
    assert log.events[-1].data == {"outcome": "declined"}


def test_a_comfort_question_cut_by_a_pause_is_asked_plainly_again() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide")
    _, log, _ = simulate(
        tiny(), [(t + 3, "ouch"), (t + 9.5, "pause"), (t + 20, "resume")], pain=(3,)
    )
    asked = [
        e.data["text"]
        for e in log.events
        if e.type == "say" and e.data["kind"] == "question" and e.data["stage"] == "glide"
    ]
    assert P("pain_question") not in asked  # never the trigger-point question in a glide


def test_a_time_limit_that_passes_during_a_pause_applies_on_resume() -> None:
    routine = tiny(max_minutes=5)
    _, log, outcome = simulate(routine, [(38, "pause"), (400, "resume")])
    assert outcome == "finished"
    assert 400 < first(log.events, "say", text=P("time_up")).t < 402  # after "Resuming."
    assert not [e for e in log.events if e.type == "cue" and e.t > 400]
    assert log.events[-1].t <= 420


def test_an_interrupted_acknowledgement_is_not_said_twice() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide")
    _, log, _ = simulate(tiny(), [(t + 5, "back"), (t + 5.3, "where are we")])
    said = [e.data["text"] for e in log.events if e.type == "say" and e.t >= t + 5]
    assert said.count(P("ack.back")) == 1
    _, log, _ = simulate(tiny(), [(t + 5, "slower"), (t + 5.2, "slower")])
    said = [e.data["text"] for e in log.events if e.type == "say" and t + 5 <= e.t < t + 30]
    assert said.count(P("ack.slower")) == 2  # one per command, none replayed


def test_a_reading_while_paused_is_echoed_and_eases_off_for_the_resume() -> None:
    _, straight, _ = simulate(tiny())
    t = _stage_start(straight, "glide") + 5
    _, log, _ = simulate(tiny(), [(t, "pause"), (t + 5, "nine"), (t + 15, "resume")])
    said = [e.data["text"] for e in log.events if e.type == "say" and t + 5 <= e.t < t + 15]
    assert said[:3] == ["9.", P("pain_off_lighter"), P("pressure.light")]


def test_i_am_fine_to_a_pain_question_asks_for_a_number() -> None:
    _, straight, _ = simulate(tiny(), pain=(5,))
    asked = first(straight.events, "await", want="pain").t
    _, log, _ = simulate(tiny(), [(asked + 1, "I'm fine")], pain=(5,))
    reply = next(e for e in log.events if e.type == "say" and e.t >= asked + 1)
    assert reply.data["text"] == P("pain_reprompt")


def test_stroke_steps_keep_the_beat_and_name_sides() -> None:
    from assistant.narration.agenda import Cue, Say
    from assistant.narration.pacing import stroke_steps

    stage = replace(tiny().stages[0], strokes=3, sides="each")
    steps = stroke_steps(stage, P, pace=2.0, start=(1, 1))
    assert steps == [
        Cue(0.0, "down", (1, 1)),
        Cue(6.0, "up", (1, 1)),
        Cue(12.0, f"{P('last_stroke')} down", (1, 2)),
        Cue(18.0, "up", (1, 2)),
        Cue(24.0, None, (2, 0)),
    ]
    full = stroke_steps(stage, P)
    assert full[:2] == [Say(P("begin_strokes"), "prompt"), Say(P("sides.left"), "side")]
    assert Say(P("sides.right"), "side") in full

"""The states that were hidden flags, driven by what is said in them.

``paused_warned``: a warning sign was heard, hands are off, and the session asked whether to
end. ``paused_checking``: nobody gave a number during a pain check, and the session asks
whether all is well. ``ending``: the closing words of an early end. Each is reached in a real
session of the word table's routine (a cooperative couple on a virtual clock), the way a
couple gets there; then one word is said and what the machine does is checked.
"""

from __future__ import annotations

import pytest

from assistant.events.kinds import (
    Cap,
    Cut,
    End,
    EndedForPain,
    NoAnswer,
    Ouch,
    Pain,
    Pressure,
    Said,
    State,
    WarmUp,
    Warning,
)
from assistant.routine.model import PRESSURE_LEVELS
from assistant.session.carryover import ENDED_FOR_PAIN
from assistant.session.machine import RESUMABLE
from assistant.session.warmup_skip import SKIP_STATES, WarmUpSkip, skip_config
from assistant.subcommands.words import STATES, Reached, _entries, reach


@pytest.fixture(scope="module")
def entered() -> dict[str, float]:
    return _entries()


def _at(state: str, entered: dict[str, float]) -> Reached:
    here = reach(state, entered)
    assert here is not None, f"{state} not reached"
    return here


def _after(here: Reached, mark: int) -> list[object]:
    return list(here.log.events[mark:])


def _outcome(here: Reached) -> str:
    here.run(600.0)
    assert here.session.done
    ends = [e for e in here.log.events if isinstance(e, End)]
    assert len(ends) == 1
    return ends[0].outcome


# --- paused_warned --------------------------------------------------------------------------


def test_a_warning_sign_pauses_and_asks_whether_to_end(entered: dict[str, float]) -> None:
    here = _at("paused_warned", entered)
    here.run(20.0)  # the hands-off advice and the question take their time
    assert here.session.state == "paused_warned"
    states = [e.state for e in here.log.events if isinstance(e, State)]
    assert states[-1] == "paused", "the event log shows a pause, as journals always did"
    said = [e.text for e in here.log.events if isinstance(e, Said)]
    prompts = here.session.prompts
    assert prompts("warning.release") in said and said[-1] == prompts("warning.ask")


@pytest.mark.parametrize("answer", ["yes", "I'm not sure"])
def test_warned_yes_or_not_sure_ends_the_session_with_advice(
    entered: dict[str, float], answer: str
) -> None:
    here = _at("paused_warned", entered)
    mark = len(here.log.events)
    assert here.say(answer) == "ending"
    assert _outcome(here) == ENDED_FOR_PAIN
    after = _after(here, mark)
    assert any(isinstance(e, EndedForPain) for e in after)
    prompts = here.session.prompts
    said = [e.text for e in after if isinstance(e, Said)]
    assert prompts("pain_end_session") in said and prompts("pain_doctor") in said


def test_warned_no_carries_on_lighter(entered: dict[str, float]) -> None:
    here = _at("instruction", entered)
    stage = here.session.routine.stages[0]
    mark = len(here.log.events)
    assert here.say("pins and needles") == "paused_warned"
    assert here.say("no") == "instruction"
    after = _after(here, mark)
    lighter = [e.level for e in after if isinstance(e, (Cap, Pressure))]
    levels = list(PRESSURE_LEVELS)
    assert lighter and levels.index(lighter[0]) < levels.index(stage.pressure), lighter
    assert not here.session.done


def test_warned_stop_stops_and_a_second_warning_keeps_the_question(
    entered: dict[str, float],
) -> None:
    here = _at("paused_warned", entered)
    assert here.say("pins and needles") == "paused_warned"
    assert here.say("pause") == "paused_warned"
    assert here.say("stop") == "stopped"


def test_a_warning_in_a_plain_pause_asks_whether_to_end(entered: dict[str, float]) -> None:
    here = _at("paused", entered)
    mark = len(here.log.events)
    assert here.say("pins and needles") == "paused_warned"
    assert not any(isinstance(e, State) for e in _after(here, mark)), "no new state event"
    assert here.say("yes") == "ending"


# --- paused_checking ------------------------------------------------------------------------


def test_silence_in_a_pain_check_releases_then_asks_if_all_is_well(
    entered: dict[str, float],
) -> None:
    here = _at("paused_checking", entered)
    silences = [e for e in here.log.events if isinstance(e, NoAnswer)]
    assert [e.release for e in silences] == [True, None], "release first, then pause"
    said = [e.text for e in here.log.events if isinstance(e, Said)]
    assert said[-1] == here.session.prompts("no_answer")


def test_checking_yes_asks_for_the_number_again(entered: dict[str, float]) -> None:
    here = _at("paused_checking", entered)
    assert here.say("yes") == "asking"


def test_checking_no_stops(entered: dict[str, float]) -> None:
    here = _at("paused_checking", entered)
    assert here.say("no") == "stopped"


def test_checking_stop_stops_and_warning_turns_it_into_the_end_question(
    entered: dict[str, float],
) -> None:
    here = _at("paused_checking", entered)
    assert here.say("pins and needles") == "paused_warned"
    here = _at("paused_checking", entered)
    assert here.say("stop") == "stopped"


# --- ending ---------------------------------------------------------------------------------


def test_stop_cuts_the_closing_words_short(entered: dict[str, float]) -> None:
    here = _at("ending", entered)
    mark = len(here.log.events)
    assert here.say("stop", then=0.0) == "ended"
    after = _after(here, mark)
    assert any(isinstance(e, Cut) for e in after), "the voice is cut at once"
    assert [e.outcome for e in after if isinstance(e, End)] == ["stopped"]


@pytest.mark.parametrize("word", ["resume", "yes", "next", "help", "lighter"])
def test_in_the_closing_words_nothing_but_stop_acts(entered: dict[str, float], word: str) -> None:
    here = _at("ending", entered)
    assert here.say(word, then=0.0) == "ending"
    assert _outcome(here) == "stopped"


@pytest.mark.parametrize(
    ("said", "kind", "answer"),
    [
        ("eight", Pain, "pain_off"),
        ("two", Pain, "pain_noted"),
        ("ouch", Ouch, "pain_off"),
        ("pins and needles", Warning, "warning.hands_off"),
    ],
)
def test_pain_in_the_closing_words_is_recorded_and_answered_then_the_words_go_on(
    entered: dict[str, float], said: str, kind: type, answer: str
) -> None:
    here = _at("ending", entered)
    prompts = here.session.prompts
    mark = len(here.log.events)
    assert here.say(said, then=0.0) == "ending"
    assert _outcome(here) == "stopped"
    after = _after(here, mark)
    assert any(isinstance(e, kind) for e in after), "recorded in the journal's events"
    spoken = [e.text for e in after if isinstance(e, Said)]
    assert spoken[0] == prompts(answer), "answered before anything else"
    assert (prompts("pain_doctor") in spoken) == (said != "two")
    assert spoken[-3:] == [
        prompts("session_ended"),
        *(prompts(f"aftercare.{k}") for k in ("rest", "rise")),
    ]


def test_ouch_in_the_closing_stage_is_recorded(entered: dict[str, float]) -> None:
    here = _at("closing", entered)
    mark = len(here.log.events)
    here.say("ouch", then=1.0)
    after = _after(here, mark)
    assert any(isinstance(e, Ouch) for e in after), "the journal learns of it"
    said = [e.text for e in after if isinstance(e, Said)]
    assert said[:1] == [here.session.prompts("ouch_closing")]


@pytest.mark.parametrize(("said", "kind"), [("ouch", Ouch), ("pins and needles", Warning)])
def test_a_sign_while_a_safety_answer_is_declining_is_recorded_and_answered(
    entered: dict[str, float], said: str, kind: type
) -> None:
    here = _at("screening_heard", entered)
    assert here.say("yes", then=0.5) == "declining"
    mark = len(here.log.events)
    here.say(said, then=0.0)
    after = _after(here, mark)
    assert any(isinstance(e, kind) for e in after), "recorded, not dropped"
    spoken = [e.text for e in after if isinstance(e, Said)]
    answer = "warning.hands_off" if kind is Warning else "pain_off"
    assert spoken[:1] == [here.session.prompts(answer)]
    here.run(600.0)
    assert [e.outcome for e in here.log.events if isinstance(e, End)] == ["declined"]


def test_a_device_fault_in_the_closing_words_ends_now(entered: dict[str, float]) -> None:
    here = _at("ending", entered)
    here.session.fault("the speaker was unplugged")
    here.session.scheduler.run_due()
    assert here.session.state == "ended"


@pytest.mark.parametrize("state", [s for s in RESUMABLE if s in STATES])
def test_a_device_fault_pauses_whatever_was_going_on(entered: dict[str, float], state: str) -> None:
    """Nested questions included: hands stay still until someone says resume."""
    here = _at(state, entered)
    here.session.fault("the microphone was unplugged")
    here.session.scheduler.run_due()
    assert here.session.phase == "paused", here.session.state


# --- asking_comfort -------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["instruction", "stroking", "holding"])
def test_ouch_eases_off_and_asks_about_comfort(entered: dict[str, float], state: str) -> None:
    here = _at(state, entered)
    mark = len(here.log.events)
    assert here.say("ouch", then=0.0) == "asking_comfort"
    here.run(10.0)
    after = _after(here, mark)
    assert [e.state for e in after if isinstance(e, State)][:1] == ["asking"]
    assert here.session.prompts("ouch") in [e.text for e in after if isinstance(e, Said)]


def test_a_number_in_a_pain_check_answers_the_comfort_question_not_the_loop(
    entered: dict[str, float],
) -> None:
    """In a trigger-point stage, a number after "ouch" is about comfort: no hold follows."""
    here = _at("holding", entered)
    assert here.say("ouch", then=0.0) == "asking_comfort"
    mark = len(here.log.events)
    here.say("five", then=20.0)
    after = _after(here, mark)
    first_state = next((i for i, e in enumerate(after) if isinstance(e, State)), len(after))
    assert not any(isinstance(e, State) and e.state == "holding" for e in after[: first_state + 1])
    said = [e.text for e in after[:first_state] if isinstance(e, Said)]
    assert here.session.prompts("comfort_ok") in said, said


def test_a_pause_while_asking_about_comfort_comes_back_to_that_question(
    entered: dict[str, float],
) -> None:
    here = _at("asking_comfort", entered)
    assert here.say("pause") == "paused"
    assert here.say("resume", then=0.0) == "asking_comfort"
    assert here.say("stop") == "stopped"


# --- warm_up_skip (assistant/session/warmup_skip.py) ----------------------------------------


def test_the_skip_machine_allows_only_its_transitions() -> None:
    skip = WarmUpSkip()
    assert (skip.state, skip.asked) == ("unasked", False)
    skip.ask()
    skip.ask()  # "next" said twice: the question stays open
    assert (skip.state, skip.asked) == ("asked", True)
    skip.forget()
    assert not skip.asked
    assert set(skip_config()["states"]) == set(SKIP_STATES)


def test_next_in_a_warm_up_asks_and_only_a_yes_then_skips_it(entered: dict[str, float]) -> None:
    here = _at("stroking", entered)
    stage = here.session.stage
    assert stage is not None and stage.warm_up
    assert here.say("yes", then=0.0) == "stroking"  # not asked: a yes is only acknowledged
    assert not here.session.warm_up_skip.asked and here.session.stage == stage
    assert here.say("next", then=0.0) == "stroking"  # asked, not skipped
    assert here.session.warm_up_skip.asked and here.session.stage == stage
    assert here.say("yes", then=0.0) == "instruction"
    assert here.session.stage != stage and not here.session.warm_up_skip.asked


@pytest.mark.parametrize("between", [["pause"], ["stop", "resume"]])
def test_a_pause_or_stop_closes_the_skip_question(
    between: list[str], entered: dict[str, float]
) -> None:
    """After a pause or a stop the skip question is no longer open: a later yes (hands
    off, or the stage started again) must not skip the warm-up, nor move a paused session
    to the next stage behind its back."""
    here = _at("stroking", entered)
    stage = here.session.stage
    assert stage is not None and stage.warm_up
    here.say("next", then=0.0)
    assert here.session.warm_up_skip.asked
    for word in between:
        here.say(word, then=0.0)
    after = here.session.state
    assert not here.session.warm_up_skip.asked
    index = here.session.progress.index
    assert here.say("yes", then=0.0) == after
    assert here.session.progress.index == index
    assert not any(isinstance(e, WarmUp) and e.skipped for e in here.log.events)

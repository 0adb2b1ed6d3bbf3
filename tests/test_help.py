"""Help says what can be said in the state the session is in, from the machine and the
vocabulary: each word it offers is said there in a real session and is never answered
"not now"; a command added to the vocabulary is offered where hands are at work."""

from __future__ import annotations

import dataclasses

import pytest

from assistant.events.kinds import Said
from assistant.intents import load_vocabulary
from assistant.prompts import load_prompts
from assistant.session.sayable import help_line, offered, phrase
from assistant.subcommands.words import REACH, _entries, reach

#: the states where help is heard (in choosing, offering and stopped a word is an answer)
HELPED = [s for s in REACH if s not in ("stopped", "ending")]


@pytest.fixture(scope="module")
def entered() -> dict[str, float]:
    return _entries()


@pytest.mark.parametrize("state", HELPED)
def test_help_in_each_state_offers_only_words_that_act_there(
    entered: dict[str, float], state: str
) -> None:
    here = reach(state, entered)
    assert here is not None
    vocabulary, prompts = here.session.vocabulary, here.session.prompts
    mark = len(here.log.events)
    here.say("help", then=0.0)
    said = [e for e in here.log.events[mark:] if isinstance(e, Said)]
    assert said and said[0].kind == "help"
    assert said[0].text == help_line(state, vocabulary, prompts)
    giver, receiver = offered(state, vocabulary)
    assert giver[-1] == "stop", "stop is always offered, last"
    refusals = {prompts("not_now"), prompts("not_understood")}
    for intent in [*giver, *receiver]:
        here = reach(state, entered)
        assert here is not None
        word = "five" if intent == "pain" else phrase(intent, vocabulary)
        mark = len(here.log.events)
        here.say(word, then=1.0)
        replies = [e.text for e in here.log.events[mark:] if isinstance(e, Said)]
        assert not refusals & set(replies[:1]), f"help offers '{word}' in {state}: {replies[:1]}"


def test_the_questions_a_pause_asks_are_answered_yes_or_no() -> None:
    vocabulary, prompts = load_vocabulary("en"), load_prompts("en")
    for state in ("paused_warned", "paused_checking"):
        assert help_line(state, vocabulary, prompts) == "You can say yes, no, or stop."
    paused = help_line("paused", vocabulary, prompts)
    assert "resume" in paused and "lighter" not in paused


def test_a_new_command_in_the_vocabulary_is_offered_where_hands_are_at_work() -> None:
    vocabulary, prompts = load_vocabulary("en"), load_prompts("en")
    warmer = dataclasses.replace(
        vocabulary, templates=(*vocabulary.templates, ("warmer", "(warmer|more heat)"))
    )
    for state in ("instruction", "stroking", "holding", "waiting"):
        giver, _ = offered(state, warmer)
        assert giver[-2:] == ["warmer", "stop"], giver
        assert "warmer, or stop" in help_line(state, warmer, prompts)
    for state in ("screening", "paused", "paused_warned", "asking"):
        assert "warmer" not in offered(state, warmer)[0]


def test_help_speaks_the_sessions_language() -> None:
    line = help_line("paused", load_vocabulary("ko"), load_prompts("ko"))
    assert "'계속'" in line and "'그만'" in line and "resume" not in line

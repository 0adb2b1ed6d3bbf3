"""What can be said in each state: the help a person hears is the machine's, not a fixed list.

Each state names the intents it acts on (the giver's, then the receiver's), in the order
help offers them; a nested state without its own entry offers its outer state's. The words
come from the locale's vocabulary (the first phrase of each intent), so help speaks the
language of the session. A command added to the vocabulary that no state lists is offered
wherever hands are at work, where new commands (voice and pace settings) belong.
A test says each offered word in its state and checks it is not answered "not now".
"""

from __future__ import annotations

import re

from assistant.intents import Vocabulary
from assistant.prompts import Prompts
from assistant.session.machine import STAGE_STATES, phase

__all__ = ["GIVER", "RECEIVER", "help_line", "offered", "phrase"]

#: the voice's own settings (speak faster, louder...): before the massage and while it runs
_VOICE = ("speak_faster", "speak_slower", "louder", "quieter")
_WORK = (
    "next",
    "back",
    "repeat",
    "lighter",
    "firmer",
    "slower",
    "faster",
    "pause",
    "status",
    *_VOICE,
)

#: the giver's commands that act in each state, stop last (it acts everywhere)
GIVER: dict[str, tuple[str, ...]] = {
    "choosing": ("stop",),  # the question itself says how to answer (a number)
    "offering": ("yes", "no", "stop"),
    "screening": ("yes", "no", "repeat", "status", "pause", "stop"),
    "setup": ("next", "repeat", "status", "learn", *_VOICE, "pause", "stop"),
    # learner mode's practice round: the word asked for, or no to skip it
    "practising": ("next", "resume", "lighter", "no", "stop"),
    **{s: (*_WORK, "stop") for s in STAGE_STATES},
    "asking": ("next", "back", "repeat", "status", "pause", "stop"),
    "closing": ("repeat", "status", "pause", "stop"),
    "paused": ("resume", "status", "stop"),
    "paused_warned": ("yes", "no", "stop"),
    "paused_checking": ("yes", "no", "stop"),
    "stopped": ("resume", "stop"),
    "ending": ("stop",),
}
#: what the person lying down can say in each state ("pain": a number from zero to ten)
RECEIVER: dict[str, tuple[str, ...]] = {
    **{s: ("ouch", "pain") for s in STAGE_STATES},
    "asking": ("pain", "ouch"),
    "closing": ("ouch",),
}
#: intents never offered as commands: help itself, and answers or signs rather than commands
_NOT_OFFERED = frozenset({"help", "warning", "unsure", "pain"})
_OPTIONAL = re.compile(r"\[[^\]]*\]")
_CHOICE = re.compile(r"\(([^|)]*)[^)]*\)")


def offered(state: str, vocabulary: Vocabulary) -> tuple[list[str], list[str]]:
    """The intents help offers in ``state``: the giver's and the receiver's."""
    giver = list(GIVER.get(state, GIVER.get(phase(state), ("stop",))))
    receiver = list(RECEIVER.get(state, RECEIVER.get(phase(state), ())))
    if phase(state) in STAGE_STATES and state == phase(state) and state != "asking":
        listed = {i for names in GIVER.values() for i in names}
        new = [
            i
            for i in dict.fromkeys(name for name, _ in vocabulary.templates)
            if i not in listed and i not in _NOT_OFFERED and i not in receiver
        ]
        giver[-1:-1] = new  # before stop, which is said last
    known = {name for name, _ in vocabulary.templates}
    return [i for i in giver if i in known], [i for i in receiver if i in known or i == "pain"]


def phrase(intent: str, vocabulary: Vocabulary) -> str:
    """The first way the vocabulary says ``intent``: options dropped, first choices taken."""
    template = next(t for name, t in vocabulary.templates if name == intent)
    return " ".join(_CHOICE.sub(r"\1", _OPTIONAL.sub("", template)).split())


def help_line(state: str, vocabulary: Vocabulary, prompts: Prompts) -> str:
    """What help says in ``state``, in the session's language."""
    giver, receiver = offered(state, vocabulary)

    def words(intents: list[str]) -> str:
        said = [
            prompts("help.number")
            if i == "pain"
            else prompts("help.word", word=phrase(i, vocabulary))
            for i in intents
        ]
        if len(said) < 2:
            return "".join(said)
        return prompts("help.join").join(said[:-1]) + prompts("help.last") + said[-1]

    line = prompts("help.giver", words=words(giver))
    if receiver:
        line += " " + prompts("help.receiver", words=words(receiver))
    return line

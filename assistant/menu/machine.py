"""The spoken start menu as a small machine of its own: list, listen, choose or leave.

It introduces the assistant in one sentence, lists the routines by number with title
and length, and waits for a number or a title. Silence is met once with a shorter
question, then with a quiet wait; ``give_up`` (the kiosk sets it) ends a wait nobody
answers, so an unattended kiosk goes back to listening for its start phrase. The
chosen routine is handed back; the caller builds the session from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from transitions import Machine

from assistant.clock import Clock
from assistant.intents import Vocabulary, parse
from assistant.menu.words import WORD, MenuText, choice_number
from assistant.narration.voice import Voice
from assistant.routine.model import Routine

__all__ = ["MENU_STATES", "Menu", "MenuTimes"]

MENU_STATES = ("idle", "listening", "reprompted", "waiting", "chosen", "left")
_OPEN = ["listening", "reprompted", "waiting"]


@dataclass(frozen=True)
class MenuTimes:
    """Seconds of silence, after the menu stops speaking, before it speaks again.

    ``answer``: time to think before the shorter question; ``reprompt``: then before it
    says it will wait; ``give_up``: then before it leaves (None: it waits for ever).
    """

    answer: float = 8.0
    reprompt: float = 10.0
    give_up: float | None = None


class Menu:
    """Says the menu through ``voice`` and takes what is heard; ``chosen`` is the result."""

    # set by transitions: the state, and one method per trigger
    state: str
    begin: Callable[[], bool]
    quiet: Callable[[], bool]
    spoken_to: Callable[[], bool]
    pick: Callable[[], bool]
    leave: Callable[[], bool]

    def __init__(
        self,
        routines: Sequence[Routine],
        *,
        voice: Voice,
        clock: Clock,
        text: MenuText,
        vocabulary: Vocabulary,
        times: MenuTimes = MenuTimes(),
        pedal: bool = False,
        note: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.routines = list(routines)
        self.voice = voice
        self.clock = clock
        self.text = text
        self.vocabulary = vocabulary
        self.times = times
        self.pedal = pedal
        self.note = note  # one line per thing worth logging (no personal text)
        self.chosen: Routine | None = None
        self.said: list[str] = []
        self.deadline: float | None = None
        self._speaking_until = 0.0
        self.machine = Machine(
            model=self,
            states=list(MENU_STATES),
            initial="idle",
            auto_transitions=False,
            queued=True,
            transitions=[
                {"trigger": "begin", "source": "idle", "dest": "listening"},
                {"trigger": "quiet", "source": "listening", "dest": "reprompted"},
                {"trigger": "quiet", "source": "reprompted", "dest": "waiting"},
                {"trigger": "quiet", "source": "waiting", "dest": "left"},
                {"trigger": "spoken_to", "source": _OPEN, "dest": "listening"},
                {"trigger": "pick", "source": _OPEN, "dest": "chosen"},
                {"trigger": "leave", "source": ["idle", *_OPEN], "dest": "left"},
            ],
        )

    # -- what the caller drives ------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.state in ("chosen", "left")

    def start(self) -> None:
        """Introduce the assistant and list the routines (or say there are none); once."""
        if self.state != "idle":
            return
        if not self.routines:
            self._say("none")
            self.leave()
            return
        self._say("intro")
        self._list()
        self.begin()
        self._listen(self.times.answer)

    def hear(self, text: str) -> None:
        """Something was said or typed (or the pedal gave next/stop) while the menu is open."""
        if self.done:
            return
        intent = parse(text, self.vocabulary)
        if intent is not None and intent.name.startswith(WORD):  # "massage": which one?
            intent = None
        if intent is None:
            self.note("menu: not understood")
            self.spoken_to()
            self._say("not_understood", n=self._count())
            self._listen(self.times.answer)
            return
        number = choice_number(intent.name)
        if intent.name == "next" and self.routines:
            number = 1
        if number is not None and 1 <= number <= len(self.routines):
            self.chosen = self.routines[number - 1]
            self.pick()
            self._say("chosen", title=self.chosen.title)
            self.note(f"menu: chose {self.chosen.id}")
            self.deadline = None
            return
        if intent.name == "stop":
            self.voice.cut()
            self._say("leave")
            self.note("menu: left by stop")
            self.leave()
            self.deadline = None
            return
        self.spoken_to()
        if intent.name == "help":
            self.note("menu: help")
            self._say("help", n=self._count())
        elif intent.name == "status":  # "where are we" works at any time, here too
            self.note("menu: where are we")
            self._say("status", n=self._count())
        else:  # repeat, or the start phrase again
            self.note("menu: list repeated")
            self._list()
        self._listen(self.times.answer)

    def silence(self) -> None:
        """The deadline passed with nothing heard: ask again, then wait, then maybe leave."""
        if self.done:
            return
        if self.state == "listening":
            self.quiet()
            self._say("reprompt", n=self._count())
            self._listen(self.times.reprompt)
        elif self.state == "reprompted":
            self.quiet()
            self._say("waiting")
            self._listen(self.times.give_up)
        elif self.times.give_up is not None:
            self.note("menu: nobody answered, left")
            self.quiet()
            self.deadline = None

    def fault(self, message: str) -> None:
        """A device failed while the menu was open: logged; the menu keeps waiting."""
        self.note(f"menu: problem: {message}")

    # -- saying ------------------------------------------------------------------------------

    def _list(self) -> None:
        self._say("heading", n=len(self.routines))
        spoken = {v: w for w, v in self.vocabulary.numbers.items()}
        for i, r in enumerate(self.routines, start=1):
            minutes = max(1, round(r.planned_seconds() / 60))
            number = spoken.get(i, str(i)).capitalize()
            self._say("item", number=number, title=r.title, minutes=minutes)
        self._say("ask")
        if self.pedal:
            self._say("pedal")

    def _count(self) -> str:
        """How many routines, as a word when the locale has one ("from one to four")."""
        spoken = {v: w for w, v in self.vocabulary.numbers.items()}
        return spoken.get(len(self.routines), str(len(self.routines)))

    def _say(self, key: str, **values: object) -> None:
        line = self.text.line(key, **values)
        self.said.append(line)
        seconds = self.voice.say(line)
        start = max(self.clock.now(), self._speaking_until)
        self._speaking_until = start + seconds

    def _listen(self, patience: float | None) -> None:
        """The silence deadline: ``patience`` seconds after the menu has finished speaking."""
        self.deadline = None if patience is None else self._speaking_until + patience

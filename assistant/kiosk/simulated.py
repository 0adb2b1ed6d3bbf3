"""A simulated kiosk for the soak test: the real loop, menu, sessions and journal, on
virtual clocks, with a chaotic couple, a foot pedal and injected faults.

Everything between the edges is the real code: the kiosk loop and its supervisor, the
menu machine and its vocabulary, the session machine, the journal. At the edges: the
people (a cooperative couple who also says random commands), the pedal (random key
edges through the real press classifier), the microphone (unplugged now and then: a
fault, then someone says resume), the speech engine (a line it cannot render, which
the session must survive as :class:`~assistant.audio.speaker.AudioVoice` reports it),
and now and then a crash of a whole turn, which the kiosk's supervisor must absorb.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from contextlib import ExitStack

from assistant.app import AppConfig, NarrationConfig, build_session
from assistant.clock import VirtualClock
from assistant.errors import SpeechEngineError
from assistant.intents import parse
from assistant.kiosk.live import KIOSK_MENU, START_INTENTS
from assistant.kiosk.log import KioskEvents
from assistant.menu.drive import make_menu, run_menu
from assistant.menu.words import menu_vocabulary
from assistant.narration.voice import SilentVoice, estimate_seconds
from assistant.pedal.evdev_pedal import EV_KEY, replay
from assistant.routine.model import Routine
from assistant.run_log import open_event_log
from assistant.runner import END, Fault, ScriptInput, Utterance, _End, run_session
from assistant.simulation.partner import SimulatedPartner

__all__ = ["ChaoticPartner", "FlakyVoice", "SimulatedPorts", "pedal_presses"]

#: What the couple may say at random during a session.
COMMANDS = (
    "next", "repeat", "lighter", "firmer", "slower", "faster", "pause", "resume", "back",
    "help", "where are we", "how much longer", "stop", "banana", "three", "ouch",
)  # fmt: skip
MIC_FAULT = "the microphone stopped sending sound (unplugged?)"
ENGINE_FAULT = "the speech recognizer failed (simulated crash); restarting it in 1 s"


def pedal_presses(rng: random.Random, at: float) -> list[Utterance]:
    """A random burst of pedal presses from ``at``, as the words the classifier gives."""
    edges: list[tuple[float, int, int, int]] = []
    t = at
    for _ in range(rng.choice((1, 1, 1, 2))):
        held = rng.choice((0.12, 0.2, 0.3, 1.0))  # 1.0: a long press, stop
        edges += [(t, EV_KEY, 30, 1), (t + held, EV_KEY, 30, 0)]
        t += held + rng.choice((0.2, 0.3, 1.5))  # 0.2, 0.3: a double press, stop
    return [Utterance(when, intent.name) for when, intent in replay(edges)]


class ChaoticPartner(SimulatedPartner):
    """The cooperative couple, plus random commands, pedal presses and device faults."""

    def __init__(self, clock: VirtualClock, rng: random.Random, length: float) -> None:
        extra: list[Utterance] = []
        self.faults: list[Fault] = []
        for _ in range(rng.randint(0, 6)):
            extra.append(Utterance(rng.uniform(5.0, length), rng.choice(COMMANDS)))
        for _ in range(rng.randint(0, 3)):
            extra += pedal_presses(rng, rng.uniform(5.0, length))
        for _ in range(rng.randint(0, 2)):
            at = rng.uniform(5.0, length)
            self.faults.append(Fault(at, rng.choice((MIC_FAULT, ENGINE_FAULT))))
            extra.append(Utterance(at + rng.uniform(3.0, 40.0), "resume"))  # back, resumed
        self.faults.sort(key=lambda f: f.at)
        super().__init__(clock, pain_answers=(4, 3, 2), extra=extra)

    def next_before(  # type: ignore[override] # faults come too, as from a live queue
        self, deadline: float | None
    ) -> Utterance | Fault | _End | None:
        if self.faults:
            due = self.faults[0].at
            if deadline is None or due <= deadline:
                first = self._lines[0].at if self._lines else None
                if first is None or due <= first:
                    self.clock.advance_to(due)
                    return self.faults.pop(0)
        return super().next_before(deadline)


class FlakyVoice:
    """The speech engine's edge: lines take their time; now and then one cannot be
    rendered, which is reported once per streak, as AudioVoice does."""

    def __init__(self, rng: random.Random, on_fault: Callable[[str], None], rate: float) -> None:
        self.rng = rng
        self.on_fault = on_fault
        self.rate = rate
        self.failed = 0
        self._failing = False

    def say(self, text: str) -> float:
        if self.rng.random() < self.rate:
            if not self._failing:
                self.on_fault("the speech engine failed to render a line (simulated)")
            self._failing = True
            self.failed += 1
        else:
            self._failing = False
        return estimate_seconds(text)

    def cue(self, text: str) -> None:
        return None

    def cut(self) -> None:
        return None


class SimulatedPorts:
    """The kiosk's ports on virtual clocks, driven by ``rng``; sessions journal to
    ``journal``. ``crash_rate``: the chance a turn's waiting crashes outright."""

    def __init__(
        self,
        rng: random.Random,
        routines: Sequence[Routine],
        *,
        journal: str,
        log: Callable[[str], None],
        crash_rate: float = 0.05,
        engine_fault_rate: float = 0.002,
    ) -> None:
        self.rng = rng
        self.routines = list(routines)
        self.vocabulary = menu_vocabulary(self.routines)
        self.journal = journal
        self.log = log
        self.crash_rate = crash_rate
        self.engine_fault_rate = engine_fault_rate
        self.clock = VirtualClock()  # the kiosk's own time, between sessions
        self.faults = 0
        self.crashes = 0
        self.pedal_starts = 0
        self.sessions_done: list[tuple[str, bool]] = []  # routine, reached an end state

    def wait_for_start(self) -> bool:
        rng, now = self.rng, self.clock.now()
        if rng.random() < self.crash_rate:
            self.crashes += 1
            raise SpeechEngineError("the speech engine crashed while waiting (simulated)")
        lines = [Utterance(now + rng.uniform(1, 600), rng.choice(("hello", "stop", "two")))]
        at = now + rng.uniform(30.0, 3600.0)
        if rng.random() < 0.5:
            lines += pedal_presses(rng, at)  # a press: next starts; a stop press does not
            lines.append(Utterance(at + 5.0, "start massage"))
        else:
            lines.append(Utterance(at, "begin"))
        source = ScriptInput(self.clock, lines)
        if rng.random() < 0.2:  # the microphone was unplugged meanwhile: logged, no harm
            self.faults += 1
            self.log(f"problem: {MIC_FAULT}")
        while True:
            item = source.next_before(None)
            if item is END:
                return False
            if isinstance(item, Utterance):
                intent = parse(item.text, self.vocabulary)
                if intent is not None and intent.name in START_INTENTS:
                    self.pedal_starts += intent.name == "next"
                    return True

    def choose(self) -> Routine | None:
        rng, now = self.rng, self.clock.now()
        n = len(self.routines)
        pick = rng.randint(1, n)
        words = ["one", "two", "three", "four", "five", "six"]
        by_name = [r.id.replace("-", " ") for r in self.routines]
        answer = words[pick - 1] if rng.random() < 0.5 else by_name[pick - 1]
        lines = []
        first = now + rng.choice((20.0, 40.0, 70.0))  # 70: after the reprompt and the wait
        if rng.random() < 0.3:
            lines.append(Utterance(first, rng.choice(("help", "repeat", "banana"))))
            first += 25.0
        if rng.random() < 0.1:
            lines.append(Utterance(first, "stop"))  # changed their mind: back to waiting
        lines.append(Utterance(first + 5.0, answer))
        menu = make_menu(self.routines, voice=SilentVoice(), clock=self.clock, times=KIOSK_MENU)
        menu.note = self.log
        return run_menu(menu, ScriptInput(self.clock, lines))

    def session(self, routine: Routine) -> str:
        cfg = AppConfig(
            routine=routine.id,
            journal=self.journal,
            narration=NarrationConfig(durations="wpm"),
            quiet=True,
        )
        clock = VirtualClock()
        with ExitStack() as stack:
            log, memory = open_event_log(cfg, stack, None, routine)
            log.add_sink(KioskEvents(self.log))
            partner = ChaoticPartner(clock, self.rng, routine.planned_seconds())
            log.add_sink(partner)
            self.faults += len(partner.faults)
            voice = FlakyVoice(self.rng, self._fault_to(partner), self.engine_fault_rate)
            session = build_session(routine, clock=clock, voice=voice, log=log, memory=memory)
            outcome = run_session(session, partner)
            self.faults += voice.failed
            self.sessions_done.append((routine.id, session.done))
        self.clock.advance_to(self.clock.now() + clock.now())
        return outcome

    @staticmethod
    def _fault_to(partner: ChaoticPartner) -> Callable[[str], None]:
        def fault(message: str) -> None:  # reported now, as the live voice does
            partner.faults.insert(0, Fault(partner.clock.now(), message))

        return fault

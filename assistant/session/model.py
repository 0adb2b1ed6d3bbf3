"""The session state machine: walks a routine, paces strokes, obeys spoken commands.

Everything is driven from outside: :meth:`Session.handle` for what people say,
and timers on an injected :class:`~assistant.clock.Scheduler` for everything that
takes time. The session never sleeps and never touches hardware, so a whole
massage can be run on a virtual clock in milliseconds.

How timing works: each state plays an *agenda* (lines to say, stroke cues at
fixed offsets, waits) through an :class:`~assistant.narration.agenda.Player`. Any
interruption voids every step still scheduled and cuts the voice: that is how
``stop`` silences everything at once, whatever was going on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from transitions.extensions import HierarchicalMachine

from assistant.clock import Scheduler
from assistant.events import Event, EventLog
from assistant.events import kinds as ev
from assistant.intents import Intent, Vocabulary, load_vocabulary
from assistant.narration.agenda import Player, Say, Step
from assistant.narration.voice import Voice
from assistant.prompts import Prompts, load_prompts
from assistant.recognizers.listener import Heard
from assistant.routine.model import PRESSURE_LEVELS, Routine, Stage
from assistant.session.asides import AsidesMixin
from assistant.session.carryover import Carryover, Memory
from assistant.session.commands import CommandsMixin
from assistant.session.dialogue import PreSession, ScreeningTurn
from assistant.session.learning import LearningMixin
from assistant.session.machine import (
    AS_PARENT,
    QUIET,
    RESUMABLE,
    STAGE_STATES,
    STATES,
    TERMINAL,
    SessionSettings,
    StageProgress,
    machine_config,
    phase,
)
from assistant.session.pain import PainMixin
from assistant.session.presession import PreSessionMixin
from assistant.session.pressure import PressureMixin
from assistant.session.stages import StagesMixin
from assistant.session.state import SessionState
from assistant.session.stopping import StoppingMixin
from assistant.session.timers import TimersMixin
from assistant.session.voice_settings import VoiceSettingsMixin
from assistant.session.warmup_skip import WarmUpSkip

__all__ = ["Session"]


# --- the session ---------------------------------------------------------------------------------


class Session(
    PreSessionMixin,
    PainMixin,
    PressureMixin,
    CommandsMixin,
    VoiceSettingsMixin,
    LearningMixin,
    StagesMixin,
    StoppingMixin,
    AsidesMixin,
    TimersMixin,
    SessionState,
):
    """One massage session: a ``transitions`` model steered by intents and timers."""

    def __init__(
        self,
        routine: Routine,
        *,
        scheduler: Scheduler,
        voice: Voice,
        log: EventLog,
        settings: SessionSettings | None = None,
        vocabulary: Vocabulary | None = None,
        prompts: Prompts | None = None,
        memory: Memory | None = None,
        learn: bool = False,
    ) -> None:
        """``memory`` comes from the journal: pressures learned, a crash to resume, and
        the people it knows, to ask who is lying down (by number: any recognizer hears
        numbers, while names are outside its grammar). ``learn``: learner mode."""
        memory = memory or Memory()
        self.routine = routine
        self.carryover = memory.carryover
        self.people = list(memory.people)[:9]
        self._recall = memory.recall
        self.scheduler = scheduler
        self.clock = scheduler.clock
        self.voice = voice
        self.log = log
        self.settings = settings or SessionSettings()
        self.vocabulary = vocabulary or load_vocabulary(routine.locale)
        self.prompts = prompts or load_prompts(routine.locale)
        self.pace = 1.0
        self.progress = StageProgress(0)
        #: pressure steps per area, from each stage's own starting pressure
        self._area_offset = {}
        #: the firmest level each area may have, after a severe reading on its spot
        self._cap = {}
        self._take_carryover(self.carryover)
        #: the pre-session dialogue (its own machine, run while this one is in presession)
        self.dialogue = PreSession(entered=self._enter_presession)
        self.questions = ScreeningTurn()  # the pre-session dialogue's screening turn
        self._declined_for = (0, "yes")
        self._resume_to = None  # after a crash: the stage to carry on from
        self._warmed_up = False
        self.warm_up_skip = WarmUpSkip()  # "next" in a warm-up: asked to confirm with "yes"
        self._after_warmup = None  # the stage a forced warm-up leads to
        self._left_for_pain = 0  # spots left because of pain this session
        self._check_after_pain = False  # the next stage asks for a reading early on
        self._ended_for_pain = False
        self.player = Player(
            scheduler,
            voice,
            on_say=self._said,
            on_cue=self._cued,
            on_cut=lambda text: self._emit(ev.Cut(text=text)),
        )
        self._paused_from = "instruction"
        self._lead = []  # said first by the next state entered (acks, replies)
        self._comfort_key = None  # asking about comfort, not trigger-point work
        self._comfort_back_to_instruction = False
        self._final_stop = False
        self._limit_timer = None
        self._jumped_to_last = False  # the time limit already sent us to the last stage
        self._hard_limit_passed = False
        self._welcomed = False
        self._session_timers = []
        self._massage_start = None
        self._reminder_due = False
        self._time_limit_hit = False
        self._last_heard = 0.0
        self._init_learning(learn)
        self._closing_words = []  # what the ending state says
        self.machine = HierarchicalMachine(
            model=self,
            **machine_config(),
            queued=True,
            auto_transitions=False,
            model_attribute="machine_state",
        )
        for name in STATES:
            state = self.machine.get_state(name)
            entered_as = phase(name) if name in AS_PARENT else name
            # the state event first, so the log reads "state, then what is said in it";
            # a nested state's parent reports it, unless it is entered as its parent is
            callbacks = [] if name in QUIET or entered_as != phase(name) else [self._emit_state]
            handler = getattr(self, f"_enter_{entered_as}", None)
            callbacks += [handler] if handler is not None else []
            for callback in callbacks:
                if any(phase(child) == name for child in AS_PARENT):
                    callback = self._unless_entered_as_parent(callback)
                state.add_callback("enter", callback)

    # -- public surface -----------------------------------------------------------------------

    @property
    def state(self) -> str:
        """Where the session is, by the names state events and journals use: the pre-session
        dialogue's state while the massage machine is in ``presession``, else the machine's."""
        if self.machine_state == "presession":
            return self.dialogue.state
        return self.machine_state

    def in_screening(self) -> bool:
        """Condition: the dialogue asks the safety questions (pause and warnings act)."""
        return self.state == "screening"

    @property
    def done(self) -> bool:
        return self.state in TERMINAL

    @property
    def phase(self) -> str:
        """The state without its nested part: "paused_warned" is "paused"."""
        return phase(self.state)

    @property
    def stage(self) -> Stage | None:
        if self.phase in STAGE_STATES:
            return self.routine.stages[self.progress.index]
        return None

    def start(self) -> None:
        """Greet and begin with the screening questions (or the setup if there are none).

        After a crash, first offer to carry on where the last session stopped.
        """
        r = self.routine
        person = self.carryover.person or None
        self._emit(ev.Start(routine=r.id, title=r.title, stages=len(r.stages), person=person))
        if self.learning:
            self._emit(ev.Learning(on=True))
        self._arm_time_limit()
        self.open()  # the pre-session dialogue first; it hands over to the massage
        if self.people and self.carryover.person is None and self._recall is not None:
            self.dialogue.ask_person()
        else:
            self._begin()

    def _begin(self) -> None:
        """Once it is known who is lying down: offer to resume, or start from the top."""
        r = self.routine
        if self.carryover.ended_for_pain:  # said before anything else, resume offer included
            self._emit(ev.Reminder(kind="ended_for_pain"))
            self._lead.append(Say(self.prompts("after_pain_end"), "care"))
        delivery = self.carryover.delivery  # the voice as this person last set it
        if delivery is not None and self._tune(delivery, remembered=True):
            self._lead.append(Say(self.prompts("voice.remembered"), "prompt"))
        for area, step in self._area_offset.items():
            first = next(s for s in r.stages if s.area == area)
            self._emit(
                ev.Preference(area=area, step=step, level=PRESSURE_LEVELS[self._level(first)])
            )
        if self.carryover.resume is not None and self.carryover.resume.stage < len(r.stages):
            self.dialogue.offer_resume()
        elif r.screening:
            self.dialogue.begin_screening()
        else:
            self._hand_over()

    def _take_carryover(self, carry: Carryover) -> None:
        """Start lighter where the person settled lighter; firmer is only mentioned.

        Going lighter than designed is always safe. Starting firmer than designed is
        left to the giver to ask for again, because a learned step counts from another
        stage's pressure and could land on a level nobody chose for this one.
        """
        self.carryover = carry
        areas = {stage.area for stage in self.routine.stages}
        learned = {a: n for a, n in carry.steps.items() if a in areas and n}
        self._area_offset = {a: n for a, n in learned.items() if n < 0}
        self._firmer_asked = [a for a, n in learned.items() if n > 0]

    # -- who is lying down ----------------------------------------------------------------------

    def hear(self, heard: Heard) -> Intent | None:
        """Something was said or typed (and parsed by the listener or the keyboard adapter):
        act on it; what is no command is answered kindly."""
        intent = heard.intent
        if intent is not None and intent.name == "stop":
            self._interrupt()  # silence first: nothing, not even writing the journal, delays it
        confidence = None if heard.confidence is None else round(heard.confidence, 3)
        self._emit(ev.Heard(text=heard.text, confidence=confidence))
        if intent is None:
            if not self.done and self.state not in ("stopped", "declining", "ending"):
                self._aside([Say(self.prompts("not_understood"), "not_understood")])
            return None
        self.handle(intent)
        return intent

    def handle(self, intent: Intent) -> None:
        """Act on one intent, whatever the state; never raises for a valid intent name."""
        if intent.name == "stop":
            self._interrupt()  # silence first, then record
        self._emit(ev.IntentHeard(name=intent.name, value=intent.value))
        self._last_heard = self.clock.now()
        if self.done or self.state == "idle":
            return
        if self.state == "ending":  # the closing words of an early end: stop cuts them short
            if intent.name == "stop":
                self._interrupt()
                self.end()
            elif intent.name in ("pain", "ouch", "warning"):  # heard, never dismissed
                self._pain_while_ending(intent)
            return
        if self.state == "choosing":
            self._answer_person(intent)
            return
        if self.state == "offering":
            self._answer_offer(intent)
            return
        if self.state == "declining":  # a "yes" to a safety question cannot be taken back
            if intent.name == "stop":
                self._interrupt()
                self.conclude_decline()
            elif intent.name in ("pain", "ouch", "warning"):  # heard, never dismissed
                self._pain_while_off(intent)
            return
        if self.state == "stopped":  # resume restarts the stage; anything else (stop too) ends
            if intent.name == "resume":
                self._restart()
            elif intent.name in ("pain", "ouch", "warning"):  # heard, never dismissed
                self._pain_while_off(intent)
            else:
                self._end_gently()
            return
        if self.state == "practising" and self._practice_heard(intent):
            return  # learner mode's practice round: "stop" here may be practice
        if intent.name == "stop":
            self._stop()
            return
        handler = getattr(self, f"_on_{intent.name}", None)
        if handler is None:  # pragma: no cover - every intent name has a handler
            self._aside([Say(self.prompts("not_now"), "ack")])
            return
        handler(intent)

    def log_error(self, message: str) -> None:
        """Record an internal fault and fall back to the safest state there is: ended."""
        self._emit(ev.Error(message=message))
        self._interrupt()
        if not self.done:
            self.machine.set_state("ended")
            self._emit_state()
            self._finish_session()

    def fault(self, message: str) -> None:
        """A device or the speech engine failed: record it and pause, the safe state.

        Hands stay still until someone says (or types) resume; nothing is lost.
        """
        self._emit(ev.Fault(message=message))
        if self.state == "ending":  # the closing words cannot be said: end now
            self._interrupt()
            self.end()
        elif not self.done and self.state in RESUMABLE:  # nested questions too (asking_comfort)
            self._pause()

    def quit(self) -> None:
        """The input went away (keyboard closed, Ctrl-C): stop safely and end now."""
        if self.done:
            return
        if self.state == "declining":
            self._interrupt()
            self.conclude_decline()
            return
        if self.state != "stopped":
            self._final_stop = True
            self._stop()
        self.end()

    # -- state entry ----------------------------------------------------------------------------

    def _unless_entered_as_parent(self, callback: Callable[[], None]) -> Callable[[], None]:
        """A parent's entry, skipped when a child entered as the parent does it instead."""

        def enter() -> None:
            if self.state not in AS_PARENT:
                callback()

        return enter

    def _emit_state(self) -> None:
        self._emit(ev.State(state=self.phase, stage=self._stage_id()))

    # -- agenda machinery -----------------------------------------------------------------------

    def _play(self, steps: Sequence[Step], on_done: Callable[[], object]) -> None:
        """Play an agenda, preceded by any lead lines the last command left (its ack)."""
        lead, self._lead = self._lead, []
        self.player.play([*lead, *steps], on_done)

    def _ack(self, key: str) -> None:
        """Acknowledge a command: said first by the state that the command moves into."""
        self._lead.append(Say(self.prompts(key), "ack"))

    def _later(self, delay: float, fn: Callable[[], object]) -> None:
        self.player.later(delay, fn)

    def _interrupt(self, cut: bool = True) -> None:
        self.player.interrupt(cut)

    # -- helpers --------------------------------------------------------------------------------

    def _stage_id(self) -> str | None:
        if self.phase in STAGE_STATES:
            return self.routine.stages[self.progress.index].id
        return None

    def _emit(self, event: Event) -> None:
        """Stamp the event with the session's clock and log it."""
        self.log.emit(replace(event, t=self.clock.now()))


def _came_from(state: str) -> Callable[[Session], bool]:
    def check(self: Session) -> bool:
        return self._paused_from == state

    check.__doc__ = f"Condition: the pause or stop happened in '{state}'."
    return check


# transitions looks conditions up by name: paused_from_stroking, paused_from_setup, ...
for _state in RESUMABLE:
    setattr(Session, f"paused_from_{_state}", _came_from(_state))

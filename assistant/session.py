"""The session state machine: walks a routine, paces strokes, obeys spoken commands.

Everything is driven from outside: :meth:`Session.handle` for what people say,
and timers on an injected :class:`~assistant.clock.Scheduler` for everything that
takes time. The session never sleeps and never touches hardware, so a whole
massage can be run on a virtual clock in milliseconds.

How timing works: each state plays an *agenda* (lines to say, stroke cues at
fixed offsets, waits) through an :class:`~assistant.agenda.Player`. Any
interruption voids every step still scheduled and cuts the voice: that is how
``stop`` silences everything at once, whatever was going on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from transitions import Machine

from .agenda import Cue, Player, Run, Say, Step, Wait
from .care import (
    PainFacts,
    PainRules,
    ScreeningFacts,
    crash_resume_plan,
    decide_pain,
    needs_warmup,
    restart_level,
    screening_step,
    spot_of,
    warmup_index,
)
from .carryover import ENDED_FOR_PAIN, Carryover, Memory
from .clock import Scheduler, Timer
from .events import Event, EventLog
from .intents import Intent, Vocabulary, load_vocabulary, parse
from .pacing import set_count, stroke_steps
from .prompts import Prompts, load_prompts
from .routine import PRESSURE_LEVELS, Routine, Stage
from .voice import Voice, estimate_seconds

__all__ = ["STAGE_STATES", "STATES", "TERMINAL", "Session", "SessionSettings", "machine_config"]


# --- configuration -------------------------------------------------------------------------------

STAGE_STATES = ("instruction", "stroking", "asking", "holding", "waiting")
ACTIVE = ("screening", "setup", *STAGE_STATES, "closing")
TERMINAL = ("finished", "declined", "ended")
STATES = ("idle", "choosing", "offering", *ACTIVE, "declining", "paused", "stopped", *TERMINAL)
#: What each terminal state reports as the session's outcome.
OUTCOME = {"finished": "finished", "declined": "declined", "ended": "stopped"}


def machine_config() -> dict[str, Any]:
    """States and transitions, kept as data so the diagram and the session share them."""
    live = ["idle", "choosing", "offering", *ACTIVE, "paused"]
    before = ["idle", "choosing"]  # who is lying down is settled before anything else
    t: list[dict[str, Any]] = [
        {"trigger": "ask_person", "source": "idle", "dest": "choosing"},
        {"trigger": "offer_resume", "source": before, "dest": "offering"},
        {"trigger": "begin_screening", "source": [*before, "offering"], "dest": "screening"},
        {
            "trigger": "begin_setup",
            "source": [*before, "offering", "screening"],
            "dest": "setup",
        },
        {"trigger": "decline", "source": "screening", "dest": "declining"},
        {"trigger": "conclude_decline", "source": "declining", "dest": "declined"},
        {
            "trigger": "instruct",
            "source": ["offering", "screening", "setup", *STAGE_STATES],
            "dest": "instruction",
        },
        {"trigger": "stroke", "source": ["instruction", "asking"], "dest": "stroking"},
        {"trigger": "ask", "source": list(STAGE_STATES), "dest": "asking"},
        {"trigger": "hold", "source": ["asking", "holding"], "dest": "holding"},
        {"trigger": "wait_for_next", "source": list(STAGE_STATES), "dest": "waiting"},
        {"trigger": "close", "source": list(STAGE_STATES), "dest": "closing"},
        {"trigger": "finish", "source": "closing", "dest": "finished"},
        {"trigger": "pause", "source": list(ACTIVE), "dest": "paused"},
        {"trigger": "stop", "source": live, "dest": "stopped"},
        {"trigger": "end", "source": [*live, "stopped"], "dest": "ended"},
    ]
    # resume returns to wherever the pause came from
    t += [
        {"trigger": "resume", "source": "paused", "dest": s, "conditions": f"paused_from_{s}"}
        for s in ACTIVE
    ]
    # after a stop, resume restarts the current stage (or the phase before the stages)
    t += [
        {
            "trigger": "restart",
            "source": "stopped",
            "dest": "screening",
            "conditions": "paused_from_screening",
        },
        {
            "trigger": "restart",
            "source": "stopped",
            "dest": "setup",
            "conditions": "paused_from_setup",
        },
        {
            "trigger": "restart",
            "source": "stopped",
            "dest": "closing",
            "conditions": "paused_from_closing",
        },
        {
            "trigger": "restart",
            "source": "stopped",
            "dest": "instruction",
            "unless": ["paused_from_screening", "paused_from_setup", "paused_from_closing"],
        },
    ]
    return {"states": list(STATES), "transitions": t, "initial": "idle"}


@dataclass(frozen=True)
class SessionSettings:
    """Timings and safety limits of a session; defaults suit a home massage."""

    resume_window_s: float = 180.0  # after stop, how long "resume" still restarts the stage
    answer_timeout_s: float = 12.0  # wait for a pain number before asking once more
    reprompt_s: float = 90.0  # wait for next/yes/no before reminding
    idle_limit_s: float = 1800.0  # nobody answers a waiting state or pause: end the session
    settle_s: float = 4.0  # after "add a little pressure", before asking again
    severe_pain: int = 8  # at or above: ease off at once
    very_severe_pain: int = 9  # two of these in one stage end the stage
    comfort_limit: int = 7  # outside a pain check, at or above: go lighter
    stages_left_for_pain: int = 2  # this many spots left for pain end the session
    pace_step: float = 1.25  # slower multiplies stroke time by this, faster divides
    pace_limits: tuple[float, float] = (0.6, 2.0)
    words_per_minute: float = 165.0  # for time estimates in status lines


# --- progress -----------------------------------------------------------------------------------


@dataclass
class _StageProgress:
    """What has been done in the current stage; survives pauses and asides."""

    index: int
    stroke_pos: tuple[int, int] = (0, 0)  # next (set, stroke) to do
    holds: int = 0
    readings: list[int] = field(default_factory=list)
    very_severe: int = 0  # readings of 9-10; two end the stage
    severe: int = 0  # readings of 8 or more; three end the stage
    low_streak: int = 0  # readings in a row below the target: the knot has let go
    left_for_pain: bool = False  # ended because of pain: no "good" when it is over
    cued: bool = False  # a stroke cue has been given in this stage
    done: bool = False


# --- the session ---------------------------------------------------------------------------------


class Session:
    """One massage session: a ``transitions`` model steered by intents and timers."""

    state: str  # set by transitions
    # triggers that transitions adds from machine_config(), declared for type checkers
    offer_resume: Callable[[], bool]
    ask_person: Callable[[], bool]
    begin_screening: Callable[[], bool]
    begin_setup: Callable[[], bool]
    decline: Callable[[], bool]
    conclude_decline: Callable[[], bool]
    instruct: Callable[[], bool]
    stroke: Callable[[], bool]
    ask: Callable[[], bool]
    hold: Callable[[], bool]
    wait_for_next: Callable[[], bool]
    close: Callable[[], bool]
    finish: Callable[[], bool]
    pause: Callable[[], bool]
    resume: Callable[[], bool]
    stop: Callable[[], bool]
    restart: Callable[[], bool]
    end: Callable[[], bool]

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
    ) -> None:
        """``memory`` comes from the journal: pressures learned, a crash to resume, and
        the people it knows, to ask who is lying down (by number: any recognizer hears
        numbers, while names are outside its grammar)."""
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
        self.progress = _StageProgress(0)
        #: pressure steps per area, from each stage's own starting pressure
        self._area_offset: dict[str, int] = {}
        #: the firmest level each area may have, after a severe reading on its spot
        self._cap: dict[str, int] = {}
        self._take_carryover(self.carryover)
        self._question = 0
        self._question_heard = False  # the current safety question was said to its end
        self._early_answer = False  # an answer came before the question was heard
        self._declined_for: tuple[int, str] = (0, "yes")
        self._resume_to: int | None = None  # after a crash: the stage to carry on from
        self._warmed_up = False
        self._skip_offered = False  # "next" in a warm-up: asked to confirm with "yes"
        self._after_warmup: int | None = None  # the stage a forced warm-up leads to
        self._left_for_pain = 0  # spots left because of pain this session
        self._check_after_pain = False  # the next stage asks for a reading early on
        self._end_offered = False  # after a warning word: asked whether to end
        self._ending = False  # the closing words of an early end are being said
        self._ended_for_pain = False
        self.player = Player(
            scheduler,
            voice,
            on_say=self._said,
            on_cue=self._cued,
            on_cut=lambda text: self._emit("cut", text=text),
        )
        self._paused_from = "instruction"
        self._awaiting_ok = False
        self._lead: list[Step] = []  # said first by the next state entered (acks, replies)
        self._comfort_key: str | None = None  # asking about comfort, not trigger-point work
        self._comfort_back_to_instruction = False
        self._final_stop = False
        self._limit_timer: Timer | None = None
        self._jumped_to_last = False  # the time limit already sent us to the last stage
        self._hard_limit_passed = False
        self._welcomed = False
        self._session_timers: list[Timer] = []
        self._massage_start: float | None = None
        self._reminder_due = False
        self._time_limit_hit = False
        self._last_heard = 0.0
        self.machine = Machine(model=self, **machine_config(), queued=True, auto_transitions=False)
        for name in STATES:
            # the state event first, so the log reads "state, then what is said in it"
            self.machine.get_state(name).add_callback("enter", self._emit_state)
            handler = getattr(self, f"_enter_{name}", None)
            if handler is not None:
                self.machine.get_state(name).add_callback("enter", handler)

    # -- public surface -----------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.state in TERMINAL

    @property
    def stage(self) -> Stage | None:
        if self.state in STAGE_STATES:
            return self.routine.stages[self.progress.index]
        return None

    def start(self) -> None:
        """Greet and begin with the screening questions (or the setup if there are none).

        After a crash, first offer to carry on where the last session stopped.
        """
        r = self.routine
        self._emit(
            "start",
            routine=r.id,
            title=r.title,
            stages=len(r.stages),
            **({"person": self.carryover.person} if self.carryover.person else {}),
        )
        self._arm_time_limit()
        if self.people and self.carryover.person is None and self._recall is not None:
            self.ask_person()
        else:
            self._begin()

    def _begin(self) -> None:
        """Once it is known who is lying down: offer to resume, or start from the top."""
        r = self.routine
        if self.carryover.ended_for_pain:  # said before anything else, resume offer included
            self._emit("reminder", kind="ended_for_pain")
            self._lead.append(Say(self.prompts("after_pain_end"), "care"))
        for area, step in self._area_offset.items():
            first = next(s for s in r.stages if s.area == area)
            self._emit(
                "preference", area=area, step=step, level=PRESSURE_LEVELS[self._level(first)]
            )
        if self.carryover.resume is not None and self.carryover.resume.stage < len(r.stages):
            self.offer_resume()
        elif r.screening:
            self.begin_screening()
        else:
            self.begin_setup()

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

    def _enter_choosing(self) -> None:
        choices = self.prompts("person.join").join(
            self.prompts("person.choice", n=n, name=name) for n, name in enumerate(self.people, 1)
        )
        self._play(
            [Say(self.prompts("person.question", choices=choices), "question")],
            lambda: self._await_answer("person", self._enter_choosing),
        )

    def _answer_person(self, intent: Intent) -> None:
        if intent.name == "stop":
            self._stop()
            return
        n = intent.value if intent.name == "pain" else 0 if intent.name == "no" else None
        if n is None or n > len(self.people):
            self._aside([Say(self.prompts("person.reprompt", count=len(self.people)), "question")])
            return
        self._interrupt()
        name = self.people[n - 1] if n > 0 else None
        self._emit("person", name=name)
        assert self._recall is not None
        self._take_carryover(self._recall(name))
        self._lead.append(
            Say(self.prompts("person.hello", name=name) if name else self.prompts("ack.yes"), "ack")
        )
        self._begin()

    def hear(self, text: str) -> Intent | None:
        """Something was said or typed: parse it and act; unknown text is answered kindly."""
        intent = parse(text, self.vocabulary)
        if intent is not None and intent.name == "stop":
            self._interrupt()  # silence first: nothing, not even writing the journal, delays it
        self._emit("heard", text=text)
        if intent is None:
            if not self.done and not self._ending and self.state not in ("stopped", "declining"):
                self._aside([Say(self.prompts("not_understood"), "not_understood")])
            return None
        self.handle(intent)
        return intent

    def handle(self, intent: Intent) -> None:
        """Act on one intent, whatever the state; never raises for a valid intent name."""
        if intent.name == "stop":
            self._interrupt()  # silence first, then record
        self._emit(
            "intent",
            name=intent.name,
            **({"value": intent.value} if intent.value is not None else {}),
        )
        self._last_heard = self.clock.now()
        if self.done or self.state == "idle":
            return
        if self._ending:  # the closing words of an early end: stop cuts them short
            if intent.name == "stop":
                self._interrupt()
                self.end()
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
            return
        if self.state == "stopped":  # resume restarts the stage; anything else (stop too) ends
            if intent.name == "resume":
                self._restart()
            elif intent.name in ("pain", "ouch", "warning"):  # heard, never dismissed
                self._pain_while_off(intent)
            else:
                self._end_gently()
            return
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
        self._emit("error", message=message)
        self._interrupt()
        if not self.done:
            self.machine.set_state("ended")
            self._emit_state()
            self._finish_session()

    def fault(self, message: str) -> None:
        """A device or the speech engine failed: record it and pause, the safe state.

        Hands stay still until someone says (or types) resume; nothing is lost.
        """
        self._emit("fault", message=message)
        if self._ending and not self.done:  # the closing words cannot be said: end now
            self._interrupt()
            self.end()
        elif not self.done and self.state in ACTIVE:
            self._awaiting_ok = False
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

    # -- intent handlers ------------------------------------------------------------------------

    def _on_pause(self, _: Intent) -> None:
        if self.state == "paused":
            self._aside([Say(self.prompts("paused"), "paused")])
            return
        self._awaiting_ok = False
        self._pause()

    def _on_resume(self, intent: Intent) -> None:
        if self.state == "paused":
            self._resume()
        elif self.state in ("setup", "waiting"):
            self._on_next(intent)
        elif self.state == "screening":
            self._aside([Say(self.prompts("screening_reprompt"), "prompt")])
        elif self.state == "asking":  # "I'm fine" to "how strong is it?": ask for a number
            self._aside([Say(self.prompts("pain_reprompt"), "question")])
        else:
            self._aside([Say(self.prompts("not_now"), "ack")])

    def _on_next(self, _: Intent) -> None:
        stage = self.stage
        if stage is not None and stage.warm_up and not self.progress.done:
            # the warm-up protects the muscles: skipping it takes an explicit "yes"
            self._skip_offered = True
            self._emit("warm_up", asked="skip")
            self._aside([Say(self.prompts("warm_up.skip_question"), "care")])
            return
        if self.state == "setup":
            self._interrupt()
            self._ack("ack.next")
            self._goto_stage(0)
        elif self.state in STAGE_STATES:
            self._interrupt()
            self._ack("ack.next")
            self._goto_stage(self.progress.index + 1)
        elif self.state == "screening":
            self._aside([Say(self.prompts("screening_reprompt"), "prompt")])
        else:
            self._help()

    def _on_back(self, _: Intent) -> None:
        if self.state in STAGE_STATES:
            self._interrupt()
            self._ack("ack.back")
            self._goto_stage(max(0, self.progress.index - 1))
        else:
            self._aside([Say(self.prompts("not_now"), "ack")])

    def _on_repeat(self, _: Intent) -> None:
        if self.state in STAGE_STATES and self.state != "asking":
            self._interrupt()
            p = self.progress
            p.stroke_pos = (max(0, min(p.stroke_pos[0], self._set_count() - 1)), 0)
            p.done = False
            p.cued = False  # the set starts over, "begin with me" included
            self._ack("ack.repeat")
            self.instruct()
        else:
            self._interrupt()
            self._rewind_current()

    def _on_lighter(self, _: Intent) -> None:
        self._change_pressure(-1)

    def _on_firmer(self, _: Intent) -> None:
        self._change_pressure(+1)

    def _on_slower(self, _: Intent) -> None:
        self._change_pace(self.settings.pace_step)

    def _on_faster(self, _: Intent) -> None:
        self._change_pace(1 / self.settings.pace_step)

    def _on_help(self, _: Intent) -> None:
        self._help()

    def _on_status(self, _: Intent) -> None:
        self._aside([Say(self._status_line(), "status")])

    def _on_yes(self, intent: Intent) -> None:
        stage = self.stage
        if self.state == "screening":
            self._screening_answer(intent)
        elif self.state == "paused" and self._end_offered:
            self._end_for_pain([])
        elif stage is not None and stage.warm_up and self._skip_offered:
            self._interrupt()
            self._warmed_up = True  # skipped on purpose, after hearing why it matters
            self._emit("warm_up", skipped=stage.id)
            self._lead.append(Say(self.prompts("warm_up.skipped"), "care"))
            self._goto_stage(self.progress.index + 1)
        elif self.state == "paused" and self._awaiting_ok:
            self._resume()
        elif self.state in ("setup", "waiting"):
            self._on_next(intent)
        else:
            self._aside([Say(self.prompts("ack.yes"), "ack")])

    def _on_unsure(self, intent: Intent) -> None:
        if self.state == "screening":
            self._screening_answer(intent)
        elif self.state == "paused" and self._end_offered:
            self._end_for_pain([])  # not sure after a warning sign: the safe side
        else:
            self._aside([Say(self.prompts("ack.unsure"), "ack")])

    def _screening_answer(self, intent: Intent) -> None:
        """Count an answer only for a question heard to its end; yes or unsure declines."""
        step = screening_step(ScreeningFacts(intent.name, self._question_heard))
        if step == "wait_for_question":  # said over the welcome or the question: not counted
            # Not cut off either: a stray word must not restart the welcome, and the question
            # is heard to its end before the answer is asked for again.
            self._emit("screening", question=self._question, answer=intent.name, counted=False)
            self._early_answer = True
            return
        self._interrupt()
        self._emit("screening", question=self._question, answer=intent.name)
        if step == "next_question":
            self._question += 1
            self._question_heard = False
            self._ask_screening()
        else:
            self._declined_for = (self._question, intent.name)
            self.decline()

    def _on_no(self, intent: Intent) -> None:
        if self.state == "screening":
            self._screening_answer(intent)
        elif self.state == "paused" and self._end_offered:
            self._resume()
        elif self.state == "paused" and self._awaiting_ok:
            self._stop()
        else:
            self._aside([Say(self.prompts("ack.no"), "ack")])

    def _on_ouch(self, intent: Intent) -> None:
        if self.state == "closing":
            self._aside([Say(self.prompts("ouch_closing"), "pain")])
            return
        if self.state not in STAGE_STATES:
            self._pain_while_off(intent)
            return
        self._interrupt()
        self._step_pressure(-1)
        self._emit("ease", stage=self._stage_id())
        self._ask_comfort("ouch")

    def _on_pain(self, intent: Intent) -> None:
        value = intent.value if intent.value is not None else 0
        if self.state not in STAGE_STATES:
            self._pain_while_off(intent)
            return
        stage = self.routine.stages[self.progress.index]
        p = self.progress
        level = self._level(stage)
        floor = min(PRESSURE_LEVELS.index(stage.pressure_range[0]), level)
        self._emit(
            "pain", value=value, stage=stage.id, area=stage.area, level=PRESSURE_LEVELS[level]
        )
        ack = Say(self.prompts("ack.pain", value=value), "ack")
        p.very_severe += value >= self.settings.very_severe_pain
        p.severe += value >= self.settings.severe_pain
        check = stage.pain_check
        in_loop = self.state in ("asking", "holding") and self._comfort_key is None
        in_loop = in_loop and check is not None and not p.done
        decision = decide_pain(
            PainFacts(
                value=value,
                level=level,
                floor=floor,
                very_severe_in_stage=p.very_severe,
                severe_in_stage=p.severe,
                stages_left_for_pain=self._left_for_pain,
                target=check.target if in_loop and check is not None else None,
            ),
            self._pain_rules(),
        )
        eased = False
        if decision.action == "ease":
            eased = self._step_pressure(-1)
            if in_loop:
                p.readings.append(value)
                p.low_streak = 0
        if decision.cap is not None:
            self._cap_spot(stage, decision.cap)
        if decision.action == "release":
            self._interrupt()
            self._release(ack, session=decision.ends == "session")
        elif decision.action == "ease":  # ease off at once and ask again, wherever we are
            self._interrupt()
            self._lead = [ack, Say(self.prompts("pain_severe"), "pain"), self._pressure_say()]
            if not eased:
                self._lead.append(Say(self.prompts("capped"), "pain"))
            if in_loop:
                self.ask()
            else:
                self._ask_comfort("pain_again")
        elif in_loop:
            self._interrupt()
            self._pain_loop(value, decision.action, ack)
        elif self.state == "asking":  # the answer to a comfort question
            self._interrupt()
            lines = [ack, *self._comfort_lines(decision.action == "lighter")]
            self._comfort_key = "pain_again"  # asked again if this is cut short
            self._play(lines, self._after_comfort)
        else:
            self._aside([ack, *self._comfort_lines(decision.action == "lighter")])

    def _pain_rules(self) -> PainRules:
        s = self.settings
        return PainRules(
            severe=s.severe_pain,
            very_severe=s.very_severe_pain,
            comfort_limit=s.comfort_limit,
            stages_per_session=s.stages_left_for_pain,
        )

    def _pain_while_off(self, intent: Intent) -> None:
        """Pain outside hands-on work (setup, a pause, a stop, the questions): heard, recorded,
        and the spot worked last goes lighter; never "not now"."""
        if intent.name == "warning" and self.state not in ("stopped", "paused"):
            self._warning(intent)
            return
        stage = self.routine.stages[self.progress.index] if self._massage_start else None
        lines: list[Step] = []
        if intent.name == "pain":
            value = intent.value if intent.value is not None else 0
            where: dict[str, object] = {}
            if stage is not None:
                level = self._level(stage)
                where = {"stage": stage.id, "area": stage.area, "level": PRESSURE_LEVELS[level]}
            self._emit("pain", value=value, **where)
            lines.append(Say(self.prompts("ack.pain", value=value), "ack"))
            high = value >= self.settings.comfort_limit
        else:
            self._emit(intent.name, stage=stage.id if stage is not None else None)
            high = True
        if intent.name == "warning":
            lines.append(Say(self.prompts("warning.hands_off"), "care"))
            if self.state == "paused":  # work could resume: ask whether to end instead
                lines.append(Say(self.prompts("warning.ask"), "care"))
        elif high and stage is not None:
            level = self._level(stage)
            eased = self._step_pressure(-1)
            if intent.name == "pain" and (intent.value or 0) >= self.settings.very_severe_pain:
                self._cap_spot(stage, max(0, level - 1))  # as firm as this never again today
            if eased:
                lines.append(Say(self.prompts("pain_off_lighter"), "pain"))
                if self.state == "paused":  # said for the resume; after a stop, nothing to press
                    lines.append(self._pressure_say())
            else:
                lines.append(Say(self.prompts("pain_off"), "pain"))
        else:
            lines.append(Say(self.prompts("pain_off" if high else "pain_noted"), "pain"))
        if self.state == "screening":
            lines.append(Say(self.prompts("screening_reprompt"), "prompt"))
        self._aside(lines)

    def _on_warning(self, intent: Intent) -> None:
        if self.state == "paused":
            self._end_offered = True
        self._pain_while_off(intent)

    def _warning(self, _: Intent) -> None:
        """Tingling, numbness, sharp pain, dizziness...: hands off now, then ask whether to end."""
        self._interrupt()
        stage = self.stage
        self._emit("warning", stage=stage.id if stage is not None else None)
        if stage is not None:
            self._cap_spot(stage, max(0, self._level(stage) - 1))
        self._end_offered = True
        self._awaiting_ok = False
        self._paused_from = "asking" if self.state == "holding" else self.state
        self.pause()

    def _release(self, ack: Say, *, session: bool) -> None:
        """Lift the hands away and leave this spot; the second time, end the session."""
        stage = self.routine.stages[self.progress.index]
        self.progress.done = True  # decided now: an aside or a pause cannot undo it
        self.progress.left_for_pain = True
        self._left_for_pain += 1
        self._emit("left_for_pain", stage=stage.id, area=stage.area, count=self._left_for_pain)
        lines: list[Step] = [ack, Say(self.prompts("pain_release"), "pain")]
        if session:
            self._end_for_pain(lines)
            return
        self._check_after_pain = True
        lines.append(Say(self.prompts("pain_too_much"), "pain"))
        self._play(lines, lambda: self._stage_done(ack=False))

    def _end_for_pain(self, lines: list[Step]) -> None:
        """End the whole session gently: release, a doctor if it persists, aftercare."""
        self._interrupt()
        self._ended_for_pain = True
        self._emit("ended_for_pain", stage=self._stage_id(), left=self._left_for_pain)
        ending = [
            *lines,
            Say(self.prompts("pain_end_session"), "care"),
            Say(self.prompts("pain_doctor"), "care"),
        ]
        self._say_ending(ending)

    def _cap_spot(self, stage: Stage, cap: int) -> None:
        """After severe pain, no stage on this spot goes firmer than ``cap`` this session."""
        for area in spot_of(stage.area, self.routine.same_spot):
            self._cap[area] = min(self._level_cap(area), cap)
        self._emit("cap", area=stage.area, level=PRESSURE_LEVELS[cap])

    def _level_cap(self, area: str) -> int:
        return self._cap.get(area, len(PRESSURE_LEVELS) - 1)

    # -- pain and comfort -----------------------------------------------------------------------

    def _pain_loop(self, value: int, action: str, ack: Say) -> None:
        """Trigger-point work: hold in the target range, ease off above it, press below it."""
        s = self.settings
        check = self.routine.stages[self.progress.index].pain_check
        assert check is not None
        p = self.progress
        p.readings.append(value)
        p.low_streak = p.low_streak + 1 if value < check.target[0] else 0
        if p.low_streak >= 2 or len(p.readings) >= 3 * check.rounds:
            p.done = True
            self._play(
                [ack, Say(self.prompts("pain_enough"), "pain")], lambda: self._stage_done(ack=False)
            )
        elif action == "lighter":
            self._step_pressure(-1)
            self._lead = [ack, Say(self.prompts("pain_high"), "pain"), Wait(s.settle_s)]
            self.ask()
        elif action == "hold":
            self._lead = [ack]
            self.hold()
        elif self._step_pressure(+1):
            self._lead = [ack, Say(self.prompts("pain_low"), "pain"), Wait(s.settle_s)]
            self.ask()
        else:  # as firm as this spot may go: hold there
            self._lead = [ack]
            self.hold()

    def _ease_lines(self, key: str) -> list[Step]:
        """Ease off one level: the warning, then the new pressure (or 'already lightest')."""
        lines: list[Step] = [Say(self.prompts(key), "pain")]
        if self._step_pressure(-1):
            lines.append(self._pressure_say())
        else:  # already as light as this step goes: suggest moving on
            lines.append(Say(self.prompts("lightest"), "pain"))
        return lines

    def _comfort_lines(self, lighter: bool) -> list[Step]:
        """A reading below 8 outside the trigger-point loop: lighter if high, else carry on."""
        if lighter:
            return self._ease_lines("comfort_high")
        return [Say(self.prompts("comfort_ok"), "pain")]

    def _after_comfort(self) -> None:
        self._comfort_key = None
        if self._comfort_back_to_instruction:
            self.instruct()
        else:
            self._continue_stage()

    def _ask_comfort(self, key: str) -> None:
        """Ask how strong it is (after an ouch or a high reading), then carry on the stage."""
        if self._comfort_key is None:
            self._comfort_back_to_instruction = self.state == "instruction"
        self._comfort_key = key
        self.ask()

    # -- state entry ----------------------------------------------------------------------------

    def _emit_state(self) -> None:
        self._emit("state", state=self.state, stage=self._stage_id())

    def _welcome(self) -> list[Step]:
        if self._welcomed:
            return []
        self._welcomed = True
        r = self.routine
        return [
            Say(self.prompts("welcome", title=r.title, summary=r.summary), "welcome"),
            Say(self.prompts("briefing"), "briefing"),
            *self._preference_lines(),
        ]

    def _preference_lines(self) -> list[Step]:
        """Say which areas start lighter because of earlier sessions, and where firmer
        pressure was asked for last time."""
        lines: list[Step] = []
        join = self.prompts("preference.join")
        if self._firmer_asked:
            areas = join.join(self.prompts(f"areas.{a}") for a in self._firmer_asked)
            lines.append(Say(self.prompts("preference.firmer_asked", areas=areas), "preference"))
        if not self._area_offset:
            return lines
        changes = [
            self.prompts(
                "preference.lighter",
                area=self.prompts(f"areas.{area}"),
                steps=self.prompts(
                    "preference.one_step" if abs(step) == 1 else "preference.steps", n=abs(step)
                ),
            )
            for area, step in self._area_offset.items()
        ]
        person = self.carryover.person
        key = "preference.intro_named" if person else "preference.intro"
        text = self.prompts(key, person=person, changes=join.join(changes))
        return [Say(text, "preference"), *lines]

    # -- resuming after a crash -----------------------------------------------------------------

    def _enter_offering(self) -> None:
        resume = self.carryover.resume
        assert resume is not None
        stage = self.routine.stages[resume.stage]
        minutes = max(1, resume.minutes_ago)
        if minutes == 1:
            when = self.prompts("ago.minute")
        elif minutes < 90:
            when = self.prompts("ago.minutes", n=minutes)
        else:
            when = self.prompts("ago.hours", n=round(minutes / 60))
        text = self.prompts(
            "resume_offer",
            when=when,
            index=resume.stage + 1,
            count=len(self.routine.stages),
            title=stage.title,
        )
        self._play([Say(text, "question")], lambda: self._await_answer("yes_no", self._reoffer))

    def _reoffer(self) -> None:
        self._play(
            [Say(self.prompts("resume_reprompt"), "question")],
            lambda: self._await_answer("yes_no", self._reoffer),
        )

    def _answer_offer(self, intent: Intent) -> None:
        resume = self.carryover.resume
        assert resume is not None
        if intent.name == "stop":
            self._stop()
        elif intent.name in ("yes", "resume"):
            self._interrupt()
            stage = self.routine.stages[resume.stage]
            plan = crash_resume_plan(self.routine.stages, resume.stage, resume.minutes_ago)
            self._emit(
                "resumed", session=resume.session, stage=stage.id, screening=plan.screen_again
            )
            self._ack("ack.resume")
            self._lead += [Say(self.prompts("briefing"), "briefing"), *self._preference_lines()]
            self._welcomed = True
            if plan.screen_again and self.routine.screening:  # things change in an hour
                self._resume_to = resume.stage
                self.begin_screening()
            else:
                self._goto_stage(resume.stage)
        elif intent.name == "no":
            self._interrupt()
            self._emit("resume_declined", session=resume.session)
            self._ack("ack.fresh_start")
            if self.routine.screening:
                self.begin_screening()
            else:
                self.begin_setup()
        else:
            self._aside([Say(self.prompts("resume_reprompt"), "question")])

    def _enter_screening(self) -> None:
        if self._question > 0:  # back after a pause or stop: carry on with the questions
            self._ask_screening()
            return
        lines = [*self._welcome(), Say(self.prompts("screening_intro"), "prompt")]
        self._play(lines, self._ask_screening)

    def _ask_screening(self) -> None:
        if self._question >= len(self.routine.screening):
            if self._resume_to is not None:  # after a crash: back to the stage, setup done
                index, self._resume_to = self._resume_to, None
                self._goto_stage(index)
            else:
                self.begin_setup()
            return
        question = self.routine.screening[self._question]

        def heard() -> None:
            self._question_heard = True
            if self._early_answer:  # an answer came too soon: ask for it now
                self._early_answer = False
                self._play([Say(self.prompts("screening_wait"), "question")], heard)
                return
            self._await_answer("yes_no", self._ask_screening)

        self._play([Say(question, "question")], heard)

    def _enter_declining(self) -> None:
        r = self.routine
        index, answer = self._declined_for
        lines: list[Step] = []
        if answer == "unsure":
            lines.append(Say(self.prompts("decline_unsure"), "decline"))
        elif r.screening_why and index < len(r.screening_why):
            lines.append(Say(r.screening_why[index], "decline"))
        lines += [
            Say(r.decline or self.prompts("decline"), "decline"),
            Say(self.prompts("session_ended"), "ending"),
        ]
        self._play(lines, self.conclude_decline)

    def _enter_setup(self) -> None:
        lines = [*self._welcome(), Say(self.prompts("setup_intro"), "prompt")]
        lines += [Say(item, "setup") for item in self.routine.setup]
        lines.append(Say(self.prompts("setup_ready"), "prompt"))
        self._play(lines, lambda: self._await_answer("next", self._remind_ready))

    def _remind_ready(self) -> None:
        self._play(
            [Say(self.prompts("setup_ready"), "prompt")],
            lambda: self._await_answer("next", self._remind_ready),
        )

    def _enter_instruction(self) -> None:
        if self._enforce_limits():
            return
        stage = self.routine.stages[self.progress.index]
        if self._massage_start is None:
            self._massage_start = self.clock.now()
            self._arm_session_timers()
        level = self._level(stage)
        self._emit(
            "stage",
            stage=stage.id,
            index=self.progress.index,
            area=stage.area,
            level=PRESSURE_LEVELS[level],
            step=level - PRESSURE_LEVELS.index(stage.pressure),
        )
        lines: list[Step] = []
        if self._reminder_due:
            lines.append(self._reminder_say())
        lines += [
            Say(
                self.prompts(
                    "step_intro",
                    index=self.progress.index + 1,
                    count=len(self.routine.stages),
                    title=stage.title,
                ),
                "title",
            ),
            Say(stage.instruction, "instruction"),
            Say(stage.landmark, "landmark"),
            self._pressure_say(),
        ]
        lines += [Say(c, "caution") for c in stage.cautions]
        if not any(self.prompts("mole_word") in c.lower() for c in stage.cautions):
            lines.append(Say(self.prompts("mole_caution"), "caution"))
        self._play(lines, self._continue_stage)

    def _enter_stroking(self) -> None:
        if self._enforce_limits():
            return
        if self.progress.done:  # back from a pause after the stage was ended: move on
            self._continue_stage()
            return
        lead = [self._reminder_say()] if self._reminder_due else []
        self._play([*lead, *self._stroke_steps()], self._strokes_done)

    def _enter_asking(self) -> None:
        if self._enforce_limits():
            return
        key = self._comfort_key
        if key is None:
            key = "pain_again" if self.progress.readings else "pain_question"
        self._play([Say(self.prompts(key), "question")], self._await_pain)

    def _enter_holding(self) -> None:
        if self._enforce_limits():
            return
        check = self.routine.stages[self.progress.index].pain_check
        assert check is not None
        lines: list[Step] = [
            Say(self.prompts("pain_hold", seconds=f"{check.hold_seconds:g}"), "pain"),
            Wait(check.hold_seconds),
        ]
        self._play(lines, self._hold_done)

    def _enter_waiting(self) -> None:
        if self._enforce_limits():
            return
        lines: list[Step] = []
        if self._reminder_due:
            lines.append(self._reminder_say())
        lines.append(Say(self.prompts("stage_done_wait"), "prompt"))
        self._play(lines, lambda: self._await_answer("next", self._enter_waiting))

    def _enter_paused(self) -> None:
        if self._end_offered:  # a warning word: hands off, what to do, end or carry on?
            lines = [Say(self.prompts(f"warning.{k}"), "care") for k in ("release", "ask")]
            self._play(lines, self._paused_idle)
            return
        key = "no_answer" if self._awaiting_ok else "paused"
        self._play([Say(self.prompts(key), "paused")], self._paused_idle)

    def _paused_idle(self) -> None:
        self._later(self.settings.reprompt_s * 3, self._pause_reminder)

    def _pause_reminder(self) -> None:
        if self.clock.now() - self._last_heard >= self.settings.idle_limit_s:
            self._idle_end()
            return
        self._play([Say(self.prompts("pause_reminder"), "paused")], self._paused_idle)

    def _enter_stopped(self) -> None:
        if self._final_stop:  # the input has gone: nobody can say resume
            self._play([Say(self.prompts("stopped_final"), "stop")], lambda: None)
            return
        minutes = max(1, round(self.settings.resume_window_s / 60))
        self._play(
            [Say(self.prompts("stopped", minutes=minutes), "stop")],
            lambda: self._later(self.settings.resume_window_s, self._end_gently),
        )

    def _enter_closing(self) -> None:
        lines = [Say(line, "closing") for line in self.routine.closing]
        lines.append(Say(self.prompts("closing_done"), "closing"))
        self._play(lines, self.finish)

    def _enter_finished(self) -> None:
        self._finish_session()

    def _enter_declined(self) -> None:
        self._finish_session()

    def _enter_ended(self) -> None:
        self._finish_session()

    def _finish_session(self) -> None:
        self._interrupt(cut=False)
        for timer in self._session_timers:
            timer.cancel()
        self._emit("end", outcome=ENDED_FOR_PAIN if self._ended_for_pain else OUTCOME[self.state])

    # -- stage flow -----------------------------------------------------------------------------

    def _goto_stage(self, index: int) -> None:
        if index >= len(self.routine.stages):
            self.close()
            return
        stages = self.routine.stages
        warm = warmup_index(stages, index)
        if needs_warmup(stages[index]) and not self._warmed_up and warm is not None:
            # firm or knot work needs warm muscles: the warm-up first, then this stage
            self._after_warmup = index
            self._emit("warm_up", before=stages[index].id)
            self._lead.append(Say(self.prompts("warm_up.first"), "care"))
            index = warm
        self.progress = _StageProgress(index)
        self._comfort_key = None
        self._skip_offered = False
        self.instruct()

    def _continue_stage(self) -> None:
        """After the instruction or an aside: strokes left, then the pain loop, then done."""
        stage = self.routine.stages[self.progress.index]
        if self.progress.done:
            self._stage_done()
        elif self._check_after_pain and self.state == "instruction":
            # the first stage after a spot was left for pain: a gentle check before strokes
            self._check_after_pain = False
            self._comfort_back_to_instruction = False
            self._comfort_key = "pain_check_after"
            self.ask()
        elif self.progress.stroke_pos[0] < self._set_count():
            self.stroke()
        elif stage.pain_check is not None and self.progress.holds < stage.pain_check.rounds:
            self.ask()
        else:
            self._stage_done()

    def _strokes_done(self) -> None:
        self.progress.stroke_pos = (self._set_count(), 0)
        self._continue_stage()

    def _hold_done(self) -> None:
        p = self.progress
        p.holds += 1
        check = self.routine.stages[p.index].pain_check
        assert check is not None
        if p.holds >= check.rounds:
            p.done = True
            self._play(
                [Say(self.prompts("pain_enough"), "pain")], lambda: self._stage_done(ack=False)
            )
        else:
            self.ask()

    def _stage_done(self, ack: bool = True) -> None:
        """The stage is over: move on by itself, or wait for "next", as the routine says.

        ``ack`` is False when the stage ended on a line of its own ("enough for this spot").
        """
        stage = self.routine.stages[self.progress.index]
        self.progress.done = True
        self._comfort_key = None
        if stage.warm_up:
            self._warmed_up = True
            if self._after_warmup is not None:  # a warm-up put in before firm work
                index, self._after_warmup = self._after_warmup, None
                self._goto_stage(index)
                return
        last = self.progress.index == len(self.routine.stages) - 1
        if self._time_limit_hit and not last and not self._jumped_to_last:
            self._jump_to_last(announce=False)
        elif stage.advance == "auto":
            if ack and not self.progress.left_for_pain:
                self._ack("stage_done_auto")
            self._goto_stage(self.progress.index + 1)
        else:
            self.wait_for_next()

    def _set_count(self) -> int:
        return set_count(self.routine.stages[self.progress.index])

    def _stroke_steps(self) -> list[Step]:
        """Cues from the current stroke position to the end of the stage, at the current pace."""
        return stroke_steps(
            self.routine.stages[self.progress.index],
            self.prompts,
            pace=self.pace,
            start=self.progress.stroke_pos,
            announce_start=not self.progress.cued,
        )

    # -- commands that change how the work is done ----------------------------------------------

    def _level(self, stage: Stage) -> int:
        """The stage's pressure now: its own, moved by the steps taken on its area, within
        its range, and never above the limit a severe reading put on its spot."""
        base = PRESSURE_LEVELS.index(stage.pressure)
        lo, hi = (PRESSURE_LEVELS.index(x) for x in stage.pressure_range)
        level = min(hi, max(lo, base + self._area_offset.get(stage.area, 0)))
        return min(level, self._level_cap(stage.area))

    def _step_pressure(self, delta: int) -> bool:
        """Move pressure one level within the stage's range; carry it on to the same area."""
        if self.progress.index >= len(self.routine.stages):  # pragma: no cover - defensive
            return False
        stage = self.routine.stages[self.progress.index]
        lo, hi = (PRESSURE_LEVELS.index(x) for x in stage.pressure_range)
        now = self._level(stage)
        new = min(hi, max(lo, now + delta), self._level_cap(stage.area))
        if new == now or (delta < 0 and new > now):
            return False
        step = new - PRESSURE_LEVELS.index(stage.pressure)
        self._area_offset[stage.area] = step
        if delta < 0:  # easing off carries to every area declared as the same spot
            for area in spot_of(stage.area, self.routine.same_spot) - {stage.area}:
                self._area_offset[area] = min(self._area_offset.get(area, 0), delta)
        self._emit(
            "pressure", stage=stage.id, area=stage.area, level=PRESSURE_LEVELS[new], step=step
        )
        return True

    def _pressure_say(self) -> Say:
        stage = self.routine.stages[self.progress.index]
        return Say(self.prompts(f"pressure.{PRESSURE_LEVELS[self._level(stage)]}"), "pressure")

    def _change_pressure(self, delta: int) -> None:
        if self.state not in STAGE_STATES:
            self._aside([Say(self.prompts("not_now"), "ack")])
            return
        stage = self.routine.stages[self.progress.index]
        if self._step_pressure(delta):
            key = "ack.lighter" if delta < 0 else "ack.firmer"
            self._aside([Say(self.prompts(key), "ack"), self._pressure_say()])
        elif delta > 0 and self._level(stage) >= self._level_cap(stage.area):
            self._aside([Say(self.prompts("capped"), "ack")])
        else:
            self._aside([Say(self.prompts("lightest" if delta < 0 else "firmest"), "ack")])

    def _change_pace(self, factor: float) -> None:
        lo, hi = self.settings.pace_limits
        new = min(hi, max(lo, self.pace * factor))
        key = "ack.slower" if factor > 1 else "ack.faster"
        if math.isclose(new, self.pace):
            self._aside([Say(self.prompts("slowest" if factor > 1 else "fastest"), "ack")])
            return
        self.pace = new
        self._emit("pace", factor=round(new, 3))
        if not self._time_limit_hit:  # a new pace changes when the last stage must start
            self._arm_time_limit()
        lines: list[Step] = [Say(self.prompts(key), "ack")]
        stage = self.stage
        if stage is not None and stage.pacing is not None:
            seconds = f"{stage.pacing.seconds_per_stroke * new:.0f}"
            lines.append(Say(self.prompts("pace_changed", seconds=seconds), "ack"))
        self._aside(lines)

    # -- pause, stop, resume --------------------------------------------------------------------

    def _pause(self) -> None:
        self._interrupt()
        self._paused_from = self.state
        self.pause()

    def _resume(self) -> None:
        """Back to the paused state; its entry carries on from the stage's progress."""
        self._interrupt()
        self._awaiting_ok = False
        if self._end_offered:  # carrying on after a warning sign: lighter than before
            self._end_offered = False
            if self.state == "paused" and self._paused_from in STAGE_STATES:
                self._step_pressure(-1)
        if self._paused_from == "holding":  # a hold is not resumed blind: ask first
            self._paused_from = "asking"
        self._ack("ack.resume")
        self.resume()

    def _stop(self) -> None:
        """Silence everything now, tell the giver to lift the hands away, wait for resume."""
        self._interrupt()
        if self.state in ("idle", "choosing", "offering"):  # resume then starts afresh
            self._paused_from = "screening" if self.routine.screening else "setup"
        elif self.state != "paused":
            self._paused_from = self.state
        self.stop()

    def _restart(self) -> None:
        """Resume after a stop: from the start of the current stage, one step lighter, with
        the stage's pain readings kept (a stop is often a pain signal)."""
        self._interrupt()
        self._end_offered = False
        if self._paused_from not in ("screening", "setup", "closing"):
            old = self.progress
            self.progress = _StageProgress(
                old.index, very_severe=old.very_severe, severe=old.severe
            )
            self._comfort_key = None
            stage = self.routine.stages[old.index]
            target = restart_level(self._level(stage))
            if not self._step_pressure(-1) and target < self._level(stage):
                self._cap_spot(stage, target)
            self._emit(
                "restart",
                stage=stage.id,
                level=PRESSURE_LEVELS[self._level(stage)],
                severe=old.severe,
                very_severe=old.very_severe,
            )
        self._ack("ack.resume")
        self.restart()

    def _end(self) -> None:
        self._interrupt()
        self.end()

    def _end_gently(self) -> None:
        """End early with words: that it has ended, and aftercare if hands were on."""
        self._interrupt()
        self._say_ending([])

    def _say_ending(self, lines: Sequence[Step]) -> None:
        self._ending = True
        ending = [*lines, Say(self.prompts("session_ended"), "ending")]
        if self._massage_start is not None:
            ending += [Say(self.prompts(f"aftercare.{k}"), "aftercare") for k in ("rest", "rise")]
        self._play(ending, self.end)

    def _idle_end(self) -> None:
        self._interrupt()
        self._say_ending([Say(self.prompts("idle_end"), "prompt")])

    # -- asides: say something, then carry on exactly where we were ---------------------------

    def _aside(self, lines: Sequence[Step]) -> None:
        if self.done:
            return
        interrupted = self.player.interrupt()
        # an aside over an aside carries on with what the first one broke into
        base = interrupted
        if interrupted is not None and interrupted.aside:
            base = interrupted.aside_of
        self.player.play(lines, lambda: self._after_aside(base), aside=True, aside_of=base)

    def _after_aside(self, saved: Run | None) -> None:
        """Carry on exactly where the aside broke in."""
        if self.state == "stroking" and not self.progress.done:
            # strokes restart from the stroke under way
            self.player.play(self._stroke_steps(), self._strokes_done)
        elif saved is not None:
            if self.state in STAGE_STATES:  # "lighter" mid-instruction: no stale pressure line
                saved.steps[saved.cursor :] = [
                    self._pressure_say() if isinstance(st, Say) and st.kind == "pressure" else st
                    for st in saved.steps[saved.cursor :]
                ]
            self.player.resume(saved)
        else:
            self._rewind_current()

    def _help(self) -> None:
        if self.state in ("screening", "setup", "paused", "asking"):
            key = f"help.{self.state}"
        else:
            key = "help.stage"
        self._aside([Say(self.prompts(key), "help")])

    def _status_line(self) -> str:
        if self.state not in STAGE_STATES:
            minutes = math.ceil(self.routine.planned_seconds(self.settings.words_per_minute) / 60)
            return self.prompts("status_before", minutes=minutes)
        stage = self.routine.stages[self.progress.index]
        later = sum(s.hands_on_seconds() for s in self.routine.stages[self.progress.index + 1 :])
        sets = max(1, self._set_count())
        done_frac = min(1.0, self.progress.stroke_pos[0] / sets)
        left = later + stage.hands_on_seconds() * (1 - done_frac)
        return self.prompts(
            "status",
            index=self.progress.index + 1,
            count=len(self.routine.stages),
            title=stage.title,
            minutes=max(1, math.ceil(left / 60)),
        )

    def _reminder_say(self) -> Say:
        self._reminder_due = False
        minutes = round(self.routine.position_reminder_minutes)
        self._emit("reminder", kind="position")
        return Say(self.prompts("position_reminder", minutes=minutes), "reminder")

    # -- session-wide timers --------------------------------------------------------------------

    def _arm_session_timers(self) -> None:
        self._session_timers.append(
            self.scheduler.call_later(
                self.routine.position_reminder_minutes * 60, self._position_due
            )
        )

    def _last_stage_seconds(self) -> float:
        """What the last stage and the closing need, at the current pace, with a margin."""
        r = self.routine
        last = r.stages[-1]
        words = f"{last.instruction} {last.landmark} {' '.join(r.closing)}"
        spoken = estimate_seconds(words, self.settings.words_per_minute)
        return (last.hands_on_seconds() * self.pace + spoken) * 1.2

    def _arm_time_limit(self) -> None:
        """Check, when it is nearly time, that the last stage still fits the routine's limit."""
        if self._limit_timer is not None:
            self._limit_timer.cancel()
        due = self.routine.max_minutes * 60 - self._last_stage_seconds()
        self._limit_timer = self.scheduler.call_at(max(self.clock.now(), due), self._time_limit)
        self._session_timers.append(self._limit_timer)

    def _position_due(self) -> None:
        if self.done or self._ending:
            return
        self._reminder_due = True  # said at the next stage or wait, or now if stroking
        if self.state == "stroking":
            self._aside([self._reminder_say()])
        self._session_timers.append(
            self.scheduler.call_later(
                self.routine.position_reminder_minutes * 60, self._position_due
            )
        )

    def _time_limit(self) -> None:
        """Near the routine's maximum length go to its last stage; at the limit, close."""
        if self.done or self._ending:
            return
        limit = self.routine.max_minutes * 60
        if not self._time_limit_hit:
            self._time_limit_hit = True
            self._emit("reminder", kind="time_limit")
            if self.state in STAGE_STATES:
                self._enforce_limits(now=True)
            spoken = [*self.routine.closing, self.prompts("time_up"), self.prompts("closing_done")]
            closing = estimate_seconds(" ".join(spoken), self.settings.words_per_minute) + 2
            self._session_timers.append(
                self.scheduler.call_at(max(self.clock.now(), limit - closing), self._time_limit)
            )
        else:
            self._hard_limit_passed = True
            if self.state in STAGE_STATES:
                self._enforce_limits(now=True)

    def _enforce_limits(self, now: bool = False) -> bool:
        """Apply a time limit that has passed; True when it moved the session elsewhere.

        Called as each stage state is entered, so a limit that passed during a pause or a
        stop takes effect as soon as work resumes; ``now`` applies it mid-state.
        """
        last = len(self.routine.stages) - 1
        if self._hard_limit_passed:
            if now:
                self._interrupt()
            self._lead.append(Say(self.prompts("time_up"), "reminder"))
            self.close()
            return True
        if self._time_limit_hit and not self._jumped_to_last and self.progress.index < last:
            if now:
                self._interrupt()
            self._jump_to_last(announce=True)
            return True
        return False

    def _jump_to_last(self, announce: bool) -> None:
        self._jumped_to_last = True
        if self.state in ("asking", "holding"):  # never leave a trigger point pressed
            self._lead.append(Say(self.prompts("pain_enough"), "pain"))
        if announce:
            self._lead.append(Say(self.prompts("time_limit"), "reminder"))
        self._goto_stage(len(self.routine.stages) - 1)

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

    def _said(self, step: Say) -> None:
        self._emit("say", text=step.text, kind=step.kind, stage=self._stage_id())

    def _cued(self, cue: Cue) -> None:
        self.progress.stroke_pos = cue.position
        if cue.text is not None:
            self.progress.cued = True
            self._emit(
                "cue",
                text=cue.text,
                stage=self._stage_id(),
                set=cue.position[0],
                stroke=cue.position[1],
            )

    def _rewind_current(self) -> None:
        """Re-enter the current state from its last resume point (used after asides)."""
        if self.state == "screening":
            self._ask_screening()
        elif self.state == "setup":
            self._remind_ready()
        else:
            entry = getattr(self, f"_enter_{self.state}", None)
            if entry is not None:
                entry()

    def _await_answer(self, want: str, reprompt: Callable[[], None]) -> None:
        """Wait for the user; remind now and then; end the session if nobody answers."""
        self._emit("await", want=want)

        def timeout() -> None:
            if self.clock.now() - self._last_heard >= self.settings.idle_limit_s:
                self._idle_end()
            else:
                reprompt()

        self._later(self.settings.reprompt_s, timeout)

    def _await_pain(self) -> None:
        """Wait for a number; ask once more; then pause and ask whether all is well."""
        self._emit("await", want="pain")

        def second_chance() -> None:
            # silence while a thumb may be pressing: release first, then ask
            self._emit("no_answer", stage=self._stage_id(), release=True)
            self._play(
                [
                    Say(self.prompts("silence_release"), "care"),
                    Say(self.prompts("silence_check"), "question"),
                ],
                lambda: self._later(self.settings.answer_timeout_s, no_answer),
            )

        def no_answer() -> None:
            self._awaiting_ok = True
            self._paused_from = "asking"
            self._emit("no_answer", stage=self._stage_id())
            self.pause()

        self._later(self.settings.answer_timeout_s, second_chance)

    # -- helpers --------------------------------------------------------------------------------

    def _stage_id(self) -> str | None:
        if self.state in STAGE_STATES:
            return self.routine.stages[self.progress.index].id
        return None

    def _emit(self, type_: str, **data: Any) -> None:
        self.log.emit(Event(self.clock.now(), type_, data))


def _came_from(state: str) -> Callable[[Session], bool]:
    def check(self: Session) -> bool:
        return self._paused_from == state

    check.__doc__ = f"Condition: the pause or stop happened in '{state}'."
    return check


# transitions looks conditions up by name: paused_from_stroking, paused_from_setup, ...
for _state in ACTIVE:
    setattr(Session, f"paused_from_{_state}", _came_from(_state))

"""What a session holds between events, declared once so every part of the model sees the
same names and types (the values are set in :class:`~assistant.session.Session`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from transitions.extensions import HierarchicalMachine

from assistant.clock import Clock, Scheduler, Timer
from assistant.events import Event, EventLog
from assistant.intents import Intent, Vocabulary
from assistant.narration.agenda import Cue, Player, Say, Step
from assistant.narration.delivery import Delivery
from assistant.narration.voice import Voice
from assistant.prompts import Prompts
from assistant.routine.model import Routine, Stage
from assistant.session.carryover import Carryover
from assistant.session.dialogue import PreSession, ScreeningTurn
from assistant.session.machine import SessionSettings, StageProgress
from assistant.session.warmup_skip import WarmUpSkip

__all__ = ["SessionState"]


class SessionState:
    """Attribute declarations shared by the session's parts; no behaviour."""

    machine_state: str  # the massage machine's state, set by transitions
    # triggers that transitions adds from machine_config(), declared for type checkers
    open: Callable[[], bool]
    begin_setup: Callable[[], bool]
    practise: Callable[[], bool]
    check_hands: Callable[[], bool]
    conclude_decline: Callable[[], bool]
    instruct: Callable[[], bool]
    stroke: Callable[[], bool]
    ask: Callable[[], bool]
    ask_comfort: Callable[[], bool]
    hold: Callable[[], bool]
    wait_for_next: Callable[[], bool]
    close: Callable[[], bool]
    finish: Callable[[], bool]
    pause: Callable[[], bool]
    resume: Callable[[], bool]
    stop: Callable[[], bool]
    warn: Callable[[], bool]
    check_on: Callable[[], bool]
    end_early: Callable[[], bool]
    restart: Callable[[], bool]
    end: Callable[[], bool]
    machine: HierarchicalMachine
    _closing_words: list[Step]  # what the ending state says
    routine: Routine
    carryover: Carryover
    people: list[str]
    _recall: Callable[[str | None], Carryover] | None
    scheduler: Scheduler
    clock: Clock
    voice: Voice
    log: EventLog
    settings: SessionSettings
    vocabulary: Vocabulary
    prompts: Prompts
    player: Player
    pace: float
    learning: bool  # learner mode (assistant/session/learning.py)
    _practice: list[str] | None  # commands still to practise; None: no practice due
    progress: StageProgress
    _area_offset: dict[str, int]  # pressure steps per area, from each stage's own pressure
    _cap: dict[str, int]  # the firmest level an area may have after a severe reading
    _firmer_asked: list[str]
    dialogue: PreSession  # the pre-session dialogue's machine (who, resume, screening)
    questions: ScreeningTurn  # which safety question, and whether an answer counts yet
    _declined_for: tuple[int, str]
    _resume_to: int | None  # after a crash: the stage to carry on from
    _warmed_up: bool
    warm_up_skip: WarmUpSkip  # "next" in a warm-up: asked to confirm with "yes"
    _after_warmup: int | None  # the stage a forced warm-up leads to
    _left_for_pain: int  # spots left because of pain this session
    _check_after_pain: bool  # the next stage asks for a reading early on
    _ended_for_pain: bool
    _paused_from: str
    _lead: list[Step]  # said first by the next state entered (acks, replies)
    _comfort_key: str | None  # which comfort question asking_comfort asks
    _comfort_back_to_instruction: bool
    _final_stop: bool
    _limit_timer: Timer | None
    _jumped_to_last: bool  # the time limit already sent us to the last stage
    _hard_limit_passed: bool
    _welcomed: bool
    _session_timers: list[Timer]
    _massage_start: float | None
    _reminder_due: bool
    _time_limit_hit: bool
    _last_heard: float

    # The parts call each other through the session: what one part calls of another (or of
    # the model) is declared here for type checkers, and nothing else; a method used only
    # in its own part needs no declaration (tests/test_presession_machine.py checks each
    # one named here is defined).
    if TYPE_CHECKING:

        @property
        def state(self) -> str: ...

        def _hand_over(self, stage: int | None = None) -> None: ...

        @property
        def done(self) -> bool: ...

        @property
        def phase(self) -> str: ...

        @property
        def stage(self) -> Stage | None: ...

        def _begin(self) -> None: ...

        def _emit_state(self) -> None: ...

        def _take_carryover(self, carry: Carryover) -> None: ...

        def _play(self, steps: Sequence[Step], on_done: Callable[[], object]) -> None: ...

        def _ack(self, key: str) -> None: ...

        def _later(self, delay: float, fn: Callable[[], object]) -> None: ...

        def _interrupt(self, cut: bool = True) -> None: ...

        def _stage_id(self) -> str | None: ...

        def _emit(self, event: Event) -> None: ...

        def _answer_person(self, intent: Intent) -> None: ...

        def _screening_answer(self, intent: Intent) -> None: ...

        def _welcome(self) -> list[Step]: ...

        def _answer_offer(self, intent: Intent) -> None: ...

        def _ask_screening(self) -> None: ...

        def _remind_ready(self) -> None: ...

        def _pain_while_off(self, intent: Intent) -> None: ...

        def _end_for_pain(self, lines: list[Step]) -> None: ...

        def _cap_spot(self, stage: Stage, cap: int) -> None: ...

        def _level_cap(self, area: str) -> int: ...

        def _level(self, stage: Stage) -> int: ...

        def _step_pressure(self, delta: int) -> bool: ...

        def _pressure_say(self) -> Say: ...

        def _change_pressure(self, delta: int) -> None: ...

        def _change_pace(self, factor: float) -> None: ...

        def _tune(self, delivery: Delivery, *, remembered: bool) -> bool: ...

        def _init_learning(self, on: bool) -> None: ...

        def _set_learning(self, on: bool) -> None: ...

        def _teach(self, stage: Stage, lines: list[Step]) -> list[Step]: ...

        def _hands_check_due(self) -> bool: ...

        def _hands_placed(self) -> None: ...

        def _practice_due(self) -> bool: ...

        def _practice_heard(self, intent: Intent) -> bool: ...

        def _enter_waiting(self) -> None: ...

        def _goto_stage(self, index: int) -> None: ...

        def _continue_stage(self) -> None: ...

        def _strokes_done(self) -> None: ...

        def _stage_done(self, ack: bool = True) -> None: ...

        def _set_count(self) -> int: ...

        def _stroke_steps(self) -> list[Step]: ...

        def _finish_session(self) -> None: ...

        def _pause(self) -> None: ...

        def _resume(self) -> None: ...

        def _stop(self) -> None: ...

        def _restart(self) -> None: ...

        def _end_gently(self) -> None: ...

        def _say_ending(self, lines: Sequence[Step]) -> None: ...

        def _record_pain_off(self, intent: Intent) -> bool: ...

        def _idle_end(self) -> None: ...

        def _aside(self, lines: Sequence[Step]) -> None: ...

        def _said(self, step: Say) -> None: ...

        def _cued(self, cue: Cue) -> None: ...

        def _rewind_current(self) -> None: ...

        def _reminder_say(self) -> Say: ...

        def _arm_session_timers(self) -> None: ...

        def _arm_time_limit(self) -> None: ...

        def _enforce_limits(self, now: bool = False) -> bool: ...

        def _jump_to_last(self, announce: bool) -> None: ...

        def _await_answer(self, want: str, reprompt: Callable[[], None]) -> None: ...

        def _await_pain(self) -> None: ...

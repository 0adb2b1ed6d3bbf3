"""Session-wide timers: position reminders, the routine's time limit, waiting for answers."""

from __future__ import annotations

from collections.abc import Callable

from assistant.care.limits import last_stage_budget, limit_action
from assistant.events import kinds as ev
from assistant.narration.agenda import Say
from assistant.narration.voice import estimate_seconds
from assistant.session.machine import STAGE_STATES
from assistant.session.state import SessionState


class TimersMixin(SessionState):
    """Methods of :class:`~assistant.session.Session` (``self`` is the session)."""

    def _reminder_say(self) -> Say:
        self._reminder_due = False
        minutes = round(self.routine.position_reminder_minutes)
        self._emit(ev.Reminder(kind="position"))
        return Say(self.prompts("position_reminder", minutes=minutes), "reminder")

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
        return last_stage_budget(last.hands_on_seconds(), spoken, self.pace)

    def _arm_time_limit(self) -> None:
        """Check, when it is nearly time, that the last stage still fits the routine's limit."""
        if self._limit_timer is not None:
            self._limit_timer.cancel()
        due = self.routine.max_minutes * 60 - self._last_stage_seconds()
        self._limit_timer = self.scheduler.call_at(max(self.clock.now(), due), self._time_limit)
        self._session_timers.append(self._limit_timer)

    def _position_due(self) -> None:
        if self.done or self.state == "ending":
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
        if self.done or self.state == "ending":
            return
        limit = self.routine.max_minutes * 60
        if not self._time_limit_hit:
            self._time_limit_hit = True
            self._emit(ev.Reminder(kind="time_limit"))
            if self.phase in STAGE_STATES:
                self._enforce_limits(now=True)
            spoken = [*self.routine.closing, self.prompts("time_up"), self.prompts("closing_done")]
            closing = estimate_seconds(" ".join(spoken), self.settings.words_per_minute) + 2
            self._session_timers.append(
                self.scheduler.call_at(max(self.clock.now(), limit - closing), self._time_limit)
            )
        else:
            self._hard_limit_passed = True
            if self.phase in STAGE_STATES:
                self._enforce_limits(now=True)

    def _enforce_limits(self, now: bool = False) -> bool:
        """Apply a time limit that has passed; True when it moved the session elsewhere.

        Called as each stage state is entered, so a limit that passed during a pause or a
        stop takes effect as soon as work resumes; ``now`` applies it mid-state.
        """
        action = limit_action(
            hard_limit_passed=self._hard_limit_passed,
            limit_hit=self._time_limit_hit,
            jumped=self._jumped_to_last,
            index=self.progress.index,
            last=len(self.routine.stages) - 1,
        )
        if action is None:
            return False
        if now:
            self._interrupt()
        if action == "close":
            self._lead.append(Say(self.prompts("time_up"), "reminder"))
            self.close()
        else:
            self._jump_to_last(announce=True)
        return True

    def _jump_to_last(self, announce: bool) -> None:
        self._jumped_to_last = True
        if self.phase in ("asking", "holding"):  # never leave a trigger point pressed
            self._lead.append(Say(self.prompts("pain_enough"), "pain"))
        if announce:
            self._lead.append(Say(self.prompts("time_limit"), "reminder"))
        self._goto_stage(len(self.routine.stages) - 1)

    def _await_answer(self, want: str, reprompt: Callable[[], None]) -> None:
        """Wait for the user; remind now and then; end the session if nobody answers."""
        self._emit(ev.Await(want=want))

        def timeout() -> None:
            if self.clock.now() - self._last_heard >= self.settings.idle_limit_s:
                self._idle_end()
            else:
                reprompt()

        self._later(self.settings.reprompt_s, timeout)

    def _await_pain(self) -> None:
        """Wait for a number; ask once more; then pause and ask whether all is well."""
        self._emit(ev.Await(want="pain"))

        def second_chance() -> None:
            # silence while a thumb may be pressing: release first, then ask
            self._emit(ev.NoAnswer(stage=self._stage_id(), release=True))
            self._play(
                [
                    Say(self.prompts("silence_release"), "care"),
                    Say(self.prompts("silence_check"), "question"),
                ],
                lambda: self._later(self.settings.answer_timeout_s, no_answer),
            )

        def no_answer() -> None:
            self._paused_from = self.state  # asking, or asking about comfort
            self._emit(ev.NoAnswer(stage=self._stage_id()))
            self.check_on()

        self._later(self.settings.answer_timeout_s, second_chance)

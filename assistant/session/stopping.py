"""Pause, stop, resume, restart and every way a session ends."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.care import (
    restart_level,
)
from assistant.events import kinds as ev
from assistant.narration.agenda import Say, Step
from assistant.routine.model import PRESSURE_LEVELS
from assistant.session.carryover import ENDED_FOR_PAIN
from assistant.session.machine import OUTCOME, STAGE_STATES, StageProgress
from assistant.session.state import SessionState


class StoppingMixin(SessionState):
    """Methods of :class:`~assistant.session.Session` (``self`` is the session)."""

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
        self._emit(ev.End(outcome=ENDED_FOR_PAIN if self._ended_for_pain else OUTCOME[self.state]))

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
        if self._paused_from not in ("screening", "setup", "practising", "closing"):
            old = self.progress
            self.progress = StageProgress(old.index, very_severe=old.very_severe, severe=old.severe)
            self._comfort_key = None
            stage = self.routine.stages[old.index]
            target = restart_level(self._level(stage))
            if not self._step_pressure(-1) and target < self._level(stage):
                self._cap_spot(stage, target)
            self._emit(
                ev.Restart(
                    stage=stage.id,
                    level=PRESSURE_LEVELS[self._level(stage)],
                    severe=old.severe,
                    very_severe=old.very_severe,
                )
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

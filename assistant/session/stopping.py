"""Pause, stop, resume, restart and every way a session ends."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.care import (
    restart_level,
)
from assistant.events import kinds as ev
from assistant.intents import Intent
from assistant.narration.agenda import Say, Step
from assistant.routine.model import PRESSURE_LEVELS
from assistant.session.carryover import ENDED_FOR_PAIN
from assistant.session.machine import OUTCOME, STAGE_STATES, StageProgress, phase
from assistant.session.state import SessionState


class StoppingMixin(SessionState):
    """Methods of :class:`~assistant.session.Session` (``self`` is the session)."""

    def _enter_paused(self) -> None:
        if self.state == "paused_warned":  # a warning sign: hands off, what to do, end?
            lines = [Say(self.prompts(f"warning.{k}"), "care") for k in ("release", "ask")]
            self._play(lines, self._paused_idle)
            return
        key = "no_answer" if self.state == "paused_checking" else "paused"
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
        self.warm_up_skip.forget()  # a yes after a pause answers something else
        self._paused_from = self.state
        self.pause()

    def _resume(self) -> None:
        """Back to the paused state; its entry carries on from the stage's progress."""
        self._interrupt()
        if self.state == "paused_warned" and phase(self._paused_from) in STAGE_STATES:
            self._step_pressure(-1)  # carrying on after a warning sign: lighter than before
        if self._paused_from == "holding":  # a hold is not resumed blind: ask first
            self._paused_from = "asking"
        self._ack("ack.resume")
        self.resume()

    def _stop(self) -> None:
        """Silence everything now, tell the giver to lift the hands away, wait for resume."""
        self._interrupt()
        self.warm_up_skip.forget()  # the stage starts again: skipping it is asked afresh
        if self.state == "choosing":  # nobody named yet: resume asks who again
            self._paused_from = "screening"  # restart's way back into the dialogue
        elif self.state in ("idle", "offering"):  # resume then starts afresh
            self._paused_from = "screening" if self.routine.screening else "setup"
        elif self.phase != "paused":
            self._paused_from = self.state
        self.stop()

    def _restart(self) -> None:
        """Resume after a stop: from the start of the current stage, one step lighter, with
        the stage's pain readings kept (a stop is often a pain signal)."""
        self._interrupt()
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
        if self.dialogue.state in ("opening", "offering"):  # before the questions
            if self._paused_from == "screening":
                self.dialogue.begin_screening()  # stopped before the questions: they come next
            else:
                self.dialogue.hand_over()  # a routine without questions: the setup comes next
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
        """Into the ending state, whose closing words are ``lines``, then "it has ended"."""
        ending = [*lines, Say(self.prompts("session_ended"), "ending")]
        if self._massage_start is not None:
            ending += [Say(self.prompts(f"aftercare.{k}"), "aftercare") for k in ("rest", "rise")]
        self._closing_words = ending
        self.end_early()

    def _enter_ending(self) -> None:
        self._play(self._closing_words, self.end)

    def _pain_while_ending(self, intent: Intent) -> None:
        """Pain, ouch or a warning sign over the closing words: recorded and answered (hands
        stay off; a doctor if it stays), then the closing words again from their start."""
        self._interrupt()
        high = self._record_pain_off(intent)
        lines: list[Step]
        if intent.name == "warning":
            lines = [Say(self.prompts("warning.hands_off"), "care")]
        elif high:
            lines = [Say(self.prompts("pain_off"), "pain")]
        else:
            lines = [Say(self.prompts("pain_noted"), "pain")]
        if high:
            lines.append(Say(self.prompts("pain_doctor"), "care"))
        self._play([*lines, *self._closing_words], self.end)

    def _idle_end(self) -> None:
        self._interrupt()
        self._say_ending([Say(self.prompts("idle_end"), "prompt")])

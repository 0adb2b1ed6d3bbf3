"""The stage flow: instruction, strokes, the pain-check loop, waiting, closing."""

from __future__ import annotations

from assistant.care import (
    needs_warmup,
    warmup_index,
)
from assistant.events import kinds as ev
from assistant.narration.agenda import Say, Step, Wait
from assistant.narration.pacing import set_count, stroke_steps
from assistant.routine.model import PRESSURE_LEVELS
from assistant.session.machine import StageProgress
from assistant.session.state import SessionState


class StagesMixin(SessionState):
    """Methods of :class:`~assistant.session.Session` (``self`` is the session)."""

    def _enter_instruction(self) -> None:
        if self._enforce_limits():
            return
        stage = self.routine.stages[self.progress.index]
        if self._massage_start is None:
            self._massage_start = self.clock.now()
            self._arm_session_timers()
        level = self._level(stage)
        self._emit(
            ev.Stage(
                stage=stage.id,
                index=self.progress.index,
                area=stage.area,
                level=PRESSURE_LEVELS[level],
                step=level - PRESSURE_LEVELS.index(stage.pressure),
            )
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
        self._play(self._teach(stage, lines), self._continue_stage)

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

    def _enter_closing(self) -> None:
        lines = [Say(line, "closing") for line in self.routine.closing]
        lines.append(Say(self.prompts("closing_done"), "closing"))
        self._play(lines, self.finish)

    def _goto_stage(self, index: int) -> None:
        if index >= len(self.routine.stages):
            self.close()
            return
        stages = self.routine.stages
        warm = warmup_index(stages, index)
        if needs_warmup(stages[index]) and not self._warmed_up and warm is not None:
            # firm or knot work needs warm muscles: the warm-up first, then this stage
            self._after_warmup = index
            self._emit(ev.WarmUp(before=stages[index].id))
            self._lead.append(Say(self.prompts("warm_up.first"), "care"))
            index = warm
        self.progress = StageProgress(index)
        self._comfort_key = None
        self.warm_up_skip.forget()
        self.instruct()

    def _continue_stage(self) -> None:
        """After the instruction or an aside: strokes left, then the pain loop, then done."""
        stage = self.routine.stages[self.progress.index]
        if self.progress.done:
            self._stage_done()
        elif self._hands_check_due():  # learner mode, before pressure work
            self.check_hands()
        elif self._check_after_pain and self.state in ("instruction", "placing"):
            # the first stage after a spot was left for pain: a gentle check before strokes
            self._check_after_pain = False
            self._comfort_back_to_instruction = False
            self._comfort_key = "pain_check_after"
            self.ask_comfort()
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

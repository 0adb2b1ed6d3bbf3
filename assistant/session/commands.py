"""What each spoken command does (pause, resume, next, back, repeat, yes, no, help...)."""

from __future__ import annotations

import math

from assistant.events import kinds as ev
from assistant.intents import Intent
from assistant.narration.agenda import Say
from assistant.session.machine import (
    STAGE_STATES,
)
from assistant.session.sayable import help_line
from assistant.session.state import SessionState


class CommandsMixin(SessionState):
    """Methods of :class:`~assistant.session.Session` (``self`` is the session)."""

    def _on_pause(self, _: Intent) -> None:
        if self.phase == "paused":
            self._aside([Say(self.prompts("paused"), "paused")])
            return
        self._pause()

    def _on_resume(self, intent: Intent) -> None:
        if self.phase == "paused":
            self._resume()
        elif self.state in ("setup", "waiting", "placing"):
            self._on_next(intent)
        elif self.state == "screening":
            self._aside([Say(self.prompts("screening_reprompt"), "prompt")])
        elif self.phase == "asking":  # "I'm fine" to "how strong is it?": ask for a number
            self._aside([Say(self.prompts("pain_reprompt"), "question")])
        else:
            self._aside([Say(self.prompts("not_now"), "ack")])

    def _on_next(self, _: Intent) -> None:
        if self.state == "placing":  # learner mode: the hands are in place, begin
            self._hands_placed()
            return
        stage = self.stage
        if stage is not None and stage.warm_up and not self.progress.done:
            # the warm-up protects the muscles: skipping it takes an explicit "yes"
            self.warm_up_skip.ask()
            self._emit(ev.WarmUp(asked="skip"))
            self._aside([Say(self.prompts("warm_up.skip_question"), "care")])
            return
        if self.state == "setup":
            self._interrupt()
            self._ack("ack.next")
            self._goto_stage(0)
        elif self.phase in STAGE_STATES:
            self._interrupt()
            self._ack("ack.next")
            self._goto_stage(self.progress.index + 1)
        elif self.state == "screening":
            self._aside([Say(self.prompts("screening_reprompt"), "prompt")])
        else:
            self._help()

    def _on_back(self, _: Intent) -> None:
        if self.phase in STAGE_STATES:
            self._interrupt()
            self._ack("ack.back")
            self._goto_stage(max(0, self.progress.index - 1))
        else:
            self._aside([Say(self.prompts("not_now"), "ack")])

    def _on_repeat(self, _: Intent) -> None:
        if self.phase in STAGE_STATES and self.phase != "asking":
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
        elif self.state == "paused_warned":
            self._end_for_pain([])
        elif stage is not None and self.warm_up_skip.asked and self.state in STAGE_STATES:
            # asked only in a warm-up; paused or checking, a yes answers something else
            self._interrupt()
            self._warmed_up = True  # skipped on purpose, after hearing why it matters
            self._emit(ev.WarmUp(skipped=stage.id))
            self._lead.append(Say(self.prompts("warm_up.skipped"), "care"))
            self._goto_stage(self.progress.index + 1)
        elif self.state == "paused_checking":
            self._resume()
        elif self.state in ("setup", "waiting", "placing"):
            self._on_next(intent)
        else:
            self._aside([Say(self.prompts("ack.yes"), "ack")])

    def _on_unsure(self, intent: Intent) -> None:
        if self.state == "screening":
            self._screening_answer(intent)
        elif self.state == "paused_warned":
            self._end_for_pain([])  # not sure after a warning sign: the safe side
        else:
            self._aside([Say(self.prompts("ack.unsure"), "ack")])

    def _on_no(self, intent: Intent) -> None:
        if self.state == "screening":
            self._screening_answer(intent)
        elif self.state == "paused_warned":
            self._resume()
        elif self.state == "paused_checking":
            self._stop()
        else:
            self._aside([Say(self.prompts("ack.no"), "ack")])

    def _help(self) -> None:
        """What can be said here, as the machine's state says (session/sayable.py)."""
        self._aside([Say(help_line(self.state, self.vocabulary, self.prompts), "help")])

    def _status_line(self) -> str:
        if self.phase not in STAGE_STATES:
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

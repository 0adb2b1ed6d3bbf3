"""Learner mode: for someone giving a massage for the first time, or without sight.

Switched on by ``--learn`` or by saying "learner mode" / "teach me" before the massage or
between steps. It slows the strokes (:data:`~assistant.care.learner.LEARNER_PACE`), says
before each step where to find the place by touch and why the technique is used, waits
before pressure work until the giver says the hands are in place (the ``placing`` state),
and starts with a short practice of the commands (the ``practising`` state), which "no"
skips. Stop is never only practised out of turn: said when another word is asked for, it
stops for real.
"""

from __future__ import annotations

from assistant.care.learner import PRACTICE, learner_pace, needs_hands_check
from assistant.events import kinds as ev
from assistant.intents import Intent
from assistant.narration.agenda import Say, Step
from assistant.routine.model import Stage
from assistant.session.state import SessionState

__all__ = ["LearningMixin"]

#: intents that answer "say next when your hands are in place"
_PLACED = ("next", "yes", "resume")


class LearningMixin(SessionState):
    """Methods of :class:`~assistant.session.Session` (``self`` is the session)."""

    learning: bool
    _practice: list[str] | None  # commands still to practise; None: no practice due

    def _init_learning(self, on: bool) -> None:
        """Learner mode from the start (``--learn``): nothing said or recorded yet."""
        self.learning = on
        self._practice = list(PRACTICE) if on else None
        self.pace = learner_pace(self.pace, True, self.settings.pace_limits) if on else self.pace

    def _set_learning(self, on: bool) -> None:
        """Switch learner mode; the practice round is due if the massage has not begun."""
        self.learning = on
        self._emit(ev.Learning(on=on))
        self._practice = list(PRACTICE) if on and self._massage_start is None else None
        new = learner_pace(self.pace, on, self.settings.pace_limits)
        if new != self.pace:
            self.pace = new
            self._emit(ev.Pace(factor=round(new, 3)))
            if not self._time_limit_hit and self._limit_timer is not None:
                self._arm_time_limit()  # slower strokes move when the last stage must start

    # -- the voice command ----------------------------------------------------------------------

    def _on_learn(self, _: Intent) -> None:
        if self.state not in ("setup", "waiting"):
            self._aside([Say(self.prompts("learn.not_now"), "ack")])
            return
        self._interrupt()
        self._set_learning(not self.learning)
        self._ack("learn.on" if self.learning else "learn.off")
        if self.state == "setup" and self._practice is not None:
            self.practise()
        elif self.state == "setup":
            self._remind_ready()
        else:
            self._enter_waiting()

    # -- what a stage says first --------------------------------------------------------------

    def _teach(self, stage: Stage, lines: list[Step]) -> list[Step]:
        """In learner mode the place comes first, and why the technique is used, then what
        to do; otherwise the lines as they are."""
        if not self.learning:
            return lines
        out = [s for s in lines if not (isinstance(s, Say) and s.kind == "landmark")]
        at = next(i for i, s in enumerate(out) if isinstance(s, Say) and s.kind == "title") + 1
        first: list[Step] = [Say(stage.landmark, "landmark")]
        if stage.reason:
            first.append(Say(stage.reason, "reason"))
        out[at:at] = first
        return out

    # -- hands in place before pressure work --------------------------------------------------

    def _hands_check_due(self) -> bool:
        stage = self.routine.stages[self.progress.index]
        return (
            self.learning
            and self.state == "instruction"
            and not self.progress.placed
            and not self.progress.done
            and needs_hands_check(stage)
        )

    def _enter_placing(self) -> None:
        if self._enforce_limits():
            return
        self._play(
            [Say(self.prompts("learn.hands_in_place"), "prompt")],
            lambda: self._await_answer("next", self._enter_placing),
        )

    def _hands_placed(self) -> None:
        self._interrupt()
        self.progress.placed = True
        self._ack("learn.placed")
        self._continue_stage()

    # -- the practice round -------------------------------------------------------------------

    def _practice_due(self) -> bool:
        return self._practice is not None and self.state == "setup"

    def _enter_practising(self) -> None:
        assert self._practice is not None
        lines: list[Step] = [*self._welcome()]
        if self._practice == list(PRACTICE):
            lines.append(Say(self.prompts("learn.practice_intro"), "prompt"))
        lines.append(Say(self.prompts(f"learn.say.{self._practice[0]}"), "prompt"))
        self._play(lines, self._await_practice)

    def _await_practice(self) -> None:
        """Wait for the word asked for (the await names it, so a simulated couple says it)."""
        assert self._practice is not None
        self._await_answer(self._practice[0], self._enter_practising)

    def _practice_heard(self, intent: Intent) -> bool:
        """A word said in the practice round; False hands it on to the session as usual
        (pain, warning signs, help, pause...)."""
        words = self._practice
        if words is None:
            return False
        want = words[0]
        if intent.name == want:
            self._interrupt()
            words.pop(0)
            lines: list[Step] = [Say(self.prompts(f"learn.heard.{want}"), "ack")]
            if words:
                lines.append(Say(self.prompts(f"learn.say.{words[0]}"), "prompt"))
                self._play(lines, self._await_practice)
            else:
                lines.append(Say(self.prompts("learn.practice_done"), "prompt"))
                self._play(lines, self._end_practice)
            return True
        if intent.name == "stop":  # stop out of turn is a real stop
            self._practice = None
            self._stop()
            return True
        if intent.name == "no":  # "no" skips the practice
            self._interrupt()
            self._practice = None
            self._ack("learn.practice_skipped")
            self.begin_setup()
            return True
        if intent.name in (*PRACTICE, "yes", "back", "repeat", "firmer", "slower", "faster"):
            self._interrupt()
            self._play(
                [Say(self.prompts(f"learn.say.{want}"), "prompt")],
                self._await_practice,
            )
            return True
        return False

    def _end_practice(self) -> None:
        self._practice = None
        self.begin_setup()

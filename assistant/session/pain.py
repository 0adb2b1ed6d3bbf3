"""Pain, ouch and warning words: ease off, release, leave a spot, end for pain.

The decisions themselves are pure functions in :mod:`assistant.care`; these methods apply
them and say what the decision means.
"""

from __future__ import annotations

from assistant.care import (
    PainFacts,
    PainRules,
    decide_pain,
    spot_of,
)
from assistant.events import kinds as ev
from assistant.intents import Intent
from assistant.narration.agenda import Say, Step, Wait
from assistant.routine.model import PRESSURE_LEVELS, Stage
from assistant.session.machine import STAGE_STATES
from assistant.session.state import SessionState

#: before any massage (who is lying down, the resume offer, a decline): a sign is recorded
#: and answered, and the question stays; there are no hands on to lift, nothing to pause
BEFORE_HANDS = ("choosing", "offering", "declining")


class PainMixin(SessionState):
    """Methods of :class:`~assistant.session.Session` (``self`` is the session)."""

    def _on_ouch(self, intent: Intent) -> None:
        if self.state == "closing":  # recorded against the last stage, as anywhere else
            self._emit(ev.Ouch(stage=self._stage_id()))
            self._aside([Say(self.prompts("ouch_closing"), "pain")])
            return
        if self.phase not in STAGE_STATES:
            self._pain_while_off(intent)
            return
        self._interrupt()
        self._step_pressure(-1)
        self._emit(ev.Ease(stage=self._stage_id()))
        self._ask_comfort("ouch")

    def _on_pain(self, intent: Intent) -> None:
        value = intent.value if intent.value is not None else 0
        if self.phase not in STAGE_STATES:
            self._pain_while_off(intent)
            return
        stage = self.routine.stages[self.progress.index]
        p = self.progress
        level = self._level(stage)
        floor = min(PRESSURE_LEVELS.index(stage.pressure_range[0]), level)
        self._emit(
            ev.Pain(value=value, stage=stage.id, area=stage.area, level=PRESSURE_LEVELS[level])
        )
        ack = Say(self.prompts("ack.pain", value=value), "ack")
        p.very_severe += value >= self.settings.very_severe_pain
        p.severe += value >= self.settings.severe_pain
        check = stage.pain_check
        in_loop = self.state in ("asking", "holding")  # not asking_comfort
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
        elif self.phase == "asking":  # the answer to a comfort question
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
        if intent.name == "warning" and self.phase not in ("stopped", "paused", *BEFORE_HANDS):
            self._warning(intent)
            return
        stage = self.routine.stages[self.progress.index] if self._massage_start else None
        lines: list[Step] = []
        high = self._record_pain_off(intent)
        if intent.name == "pain":
            lines.append(Say(self.prompts("ack.pain", value=intent.value or 0), "ack"))
        if intent.name == "warning":
            lines.append(Say(self.prompts("warning.hands_off"), "care"))
            if self.phase == "paused":  # work could resume: ask whether to end instead
                lines.append(Say(self.prompts("warning.ask"), "care"))
        elif high and stage is not None:
            level = self._level(stage)
            eased = self._step_pressure(-1)
            if intent.name == "pain" and (intent.value or 0) >= self.settings.very_severe_pain:
                self._cap_spot(stage, max(0, level - 1))  # as firm as this never again today
            if eased:
                lines.append(Say(self.prompts("pain_off_lighter"), "pain"))
                if self.phase == "paused":  # said for the resume; after a stop, nothing to press
                    lines.append(self._pressure_say())
            else:
                lines.append(Say(self.prompts("pain_off"), "pain"))
        else:
            lines.append(Say(self.prompts("pain_off" if high else "pain_noted"), "pain"))
        if self.state == "screening":
            lines.append(Say(self.prompts("screening_reprompt"), "prompt"))
        self._aside(lines)

    def _record_pain_off(self, intent: Intent) -> bool:
        """Record pain, ouch or a warning sign heard away from hands-on work, against the
        stage worked last; True when it calls for hands off (ouch, a warning, a high number)."""
        stage = self.routine.stages[self.progress.index] if self._massage_start else None
        if intent.name != "pain":
            kind = ev.Warning if intent.name == "warning" else ev.Ouch
            self._emit(kind(stage=stage.id if stage is not None else None))
            return True
        value = intent.value if intent.value is not None else 0
        if stage is not None:
            named = PRESSURE_LEVELS[self._level(stage)]
            self._emit(ev.Pain(value=value, stage=stage.id, area=stage.area, level=named))
        else:
            self._emit(ev.Pain(value=value))
        return value >= self.settings.comfort_limit

    def _on_warning(self, intent: Intent) -> None:
        if self.phase == "paused":
            self.warn()  # work could resume: the pause now asks whether to end
        self._pain_while_off(intent)

    def _warning(self, _: Intent) -> None:
        """Tingling, numbness, sharp pain, dizziness...: hands off now, then ask whether to end."""
        self._interrupt()
        stage = self.stage
        self._emit(ev.Warning(stage=stage.id if stage is not None else None))
        if stage is not None:
            self._cap_spot(stage, max(0, self._level(stage) - 1))
        self._paused_from = "asking" if self.state == "holding" else self.state
        self.warn()

    def _release(self, ack: Say, *, session: bool) -> None:
        """Lift the hands away and leave this spot; the second time, end the session."""
        stage = self.routine.stages[self.progress.index]
        self.progress.done = True  # decided now: an aside or a pause cannot undo it
        self.progress.left_for_pain = True
        self._left_for_pain += 1
        self._emit(ev.LeftForPain(stage=stage.id, area=stage.area, count=self._left_for_pain))
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
        self._emit(ev.EndedForPain(stage=self._stage_id(), left=self._left_for_pain))
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
        self._emit(ev.Cap(area=stage.area, level=PRESSURE_LEVELS[cap]))

    def _level_cap(self, area: str) -> int:
        return self._cap.get(area, len(PRESSURE_LEVELS) - 1)

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
        if self.state != "asking_comfort":
            # before the strokes (learner mode: also while placing the hands): back to the
            # instruction, which checks the hands are in place again
            self._comfort_back_to_instruction = self.state in ("instruction", "placing")
        self._comfort_key = key
        self.ask_comfort()

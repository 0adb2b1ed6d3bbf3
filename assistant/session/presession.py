"""Before the massage: who is lying down, the crash-resume offer, the screening questions
(what the pre-session dialogue's states say; its machine is in dialogue.py), the hand-over
to the massage machine, and the setup.
"""

from __future__ import annotations

from assistant.care import (
    ScreeningFacts,
    crash_resume_plan,
    screening_step,
)
from assistant.events import kinds as ev
from assistant.intents import Intent
from assistant.narration.agenda import Say, Step
from assistant.session.dialogue import SPEAKING
from assistant.session.state import SessionState


class PreSessionMixin(SessionState):
    """Methods of :class:`~assistant.session.Session` (``self`` is the session)."""

    def _enter_presession(self) -> None:
        """The dialogue's state, entered or (back from a pause or stop) entered again: its
        state event, then what it says; nothing while the massage machine is elsewhere."""
        if self.machine_state != "presession" or self.dialogue.state not in SPEAKING:
            return
        self._emit_state()
        getattr(self, f"_enter_{self.dialogue.state}")()

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
        if intent.name in ("ouch", "warning"):  # heard and recorded, never just re-asked
            self._pain_while_off(intent)
            return
        n = intent.value if intent.name == "pain" else 0 if intent.name == "no" else None
        if n is None or n > len(self.people):
            self._aside([Say(self.prompts("person.reprompt", count=len(self.people)), "question")])
            return
        self._interrupt()
        name = self.people[n - 1] if n > 0 else None
        self._emit(ev.Person(name=name))
        assert self._recall is not None
        self._take_carryover(self._recall(name))
        self._lead.append(
            Say(self.prompts("person.hello", name=name) if name else self.prompts("ack.yes"), "ack")
        )
        self._begin()

    def _screening_answer(self, intent: Intent) -> None:
        """Count an answer only for a question heard to its end; yes or unsure declines."""
        turn = self.questions
        step = screening_step(ScreeningFacts(intent.name, turn.heard))
        if step == "wait_for_question":  # said over the welcome or the question: not counted
            # Not cut off either: a stray word must not restart the welcome, and the question
            # is heard to its end before the answer is asked for again.
            self._emit(ev.Screening(question=turn.index, answer=intent.name, counted=False))
            turn.answer_early()
            return
        self._interrupt()
        self._emit(ev.Screening(question=turn.index, answer=intent.name))
        if step == "next_question":
            turn.advance()
            self._ask_screening()
        else:
            self._declined_for = (turn.index, intent.name)
            self.dialogue.decline()

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
        elif intent.name in ("pain", "ouch", "warning"):  # heard and recorded; the offer stays
            self._pain_while_off(intent)
        elif intent.name in ("yes", "resume"):
            self._interrupt()
            stage = self.routine.stages[resume.stage]
            plan = crash_resume_plan(self.routine.stages, resume.stage, resume.minutes_ago)
            self._emit(
                ev.Resumed(session=resume.session, stage=stage.id, screening=plan.screen_again)
            )
            self._ack("ack.resume")
            if resume.learning and not self.learning:  # it was teaching: it teaches on
                self._set_learning(True)
                self._lead.append(Say(self.prompts("learn.on"), "ack"))
            self._lead += [Say(self.prompts("briefing"), "briefing"), *self._preference_lines()]
            self._welcomed = True
            if plan.screen_again and self.routine.screening:  # things change in an hour
                self._resume_to = resume.stage
                self.dialogue.begin_screening()
            else:
                self._hand_over(resume.stage)
        elif intent.name == "no":
            self._interrupt()
            self._emit(ev.ResumeDeclined(session=resume.session))
            self._ack("ack.fresh_start")
            if self.routine.screening:
                self.dialogue.begin_screening()
            else:
                self._hand_over()
        else:
            self._aside([Say(self.prompts("resume_reprompt"), "question")])

    def _enter_screening(self) -> None:
        if self.questions.index > 0:  # back after a pause or stop: carry on with the questions
            self._ask_screening()
            return
        lines = [*self._welcome(), Say(self.prompts("screening_intro"), "prompt")]
        self._play(lines, self._ask_screening)

    def _ask_screening(self) -> None:
        turn = self.questions
        if turn.index >= len(self.routine.screening):
            index, self._resume_to = self._resume_to, None
            self._hand_over(index)  # to the setup (after a crash: back to its stage)
            return
        question = self.routine.screening[turn.index]

        def heard() -> None:
            early = turn.early
            turn.question_said()
            if early:  # an answer came too soon: ask for it now
                self._play([Say(self.prompts("screening_wait"), "question")], heard)
                return
            self._await_answer("yes_no", self._ask_screening)

        self._play([Say(question, "question")], heard)

    def _hand_over(self, stage: int | None = None) -> None:
        """The dialogue is over: the massage machine takes the session on, to the setup, or
        after a crash straight back to ``stage``."""
        self.dialogue.hand_over()
        if stage is None:
            self.begin_setup()
        else:
            self._goto_stage(stage)

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
        if self._practice_due():  # learner mode: practise the commands first
            self.practise()
            return
        lines = [*self._welcome(), Say(self.prompts("setup_intro"), "prompt")]
        lines += [Say(item, "setup") for item in self.routine.setup]
        lines.append(Say(self.prompts("setup_ready"), "prompt"))
        self._play(lines, lambda: self._await_answer("next", self._remind_ready))

    def _remind_ready(self) -> None:
        self._play(
            [Say(self.prompts("setup_ready"), "prompt")],
            lambda: self._await_answer("next", self._remind_ready),
        )

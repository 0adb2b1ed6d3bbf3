"""One frozen dataclass per kind of session event.

The field order is the order the fields are stored in (the ``--events`` lines and the
journal), so a new field goes at the end. Fields marked ``_omit()`` are left out of the
stored record when they are None, as they always were.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

__all__ = [
    "Await",
    "Cap",
    "Cue",
    "Cut",
    "Ease",
    "End",
    "EndedForPain",
    "Error",
    "Event",
    "Fault",
    "Heard",
    "IntentHeard",
    "LeftForPain",
    "NoAnswer",
    "Ouch",
    "Pace",
    "Pain",
    "Person",
    "Preference",
    "Pressure",
    "RawEvent",
    "Reminder",
    "Restart",
    "ResumeDeclined",
    "Resumed",
    "Said",
    "Screening",
    "Stage",
    "Start",
    "State",
    "VoiceSet",
    "WarmUp",
    "Warning",
]


def _omit() -> Any:
    """A field stored only when it has a value."""
    return field(default=None, metadata={"omit_none": True})


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something said, cued, heard or changed; ``t`` is seconds since the session started."""

    TYPE: ClassVar[str] = ""
    t: float = 0.0

    @property
    def type(self) -> str:
        return self.TYPE

    @property
    def data(self) -> dict[str, Any]:
        """The stored fields, in their stored order (all but ``t``)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "t" or (value is None and f.metadata.get("omit_none")):
                continue
            out[f.name] = value
        return out

    def to_json(self) -> dict[str, Any]:
        return {"t": round(self.t, 3), "type": self.type, **self.data}


@dataclass(frozen=True, kw_only=True)
class RawEvent(Event):
    """A record no event class fits (unknown type or fields): kept as it was, never lost."""

    kind: str
    fields_: dict[str, Any]

    @property
    def type(self) -> str:
        return self.kind

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.fields_)


# --- the session's course -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Start(Event):
    TYPE = "start"
    routine: str
    title: str
    stages: int
    person: str | None = _omit()


@dataclass(frozen=True, kw_only=True)
class State(Event):
    TYPE = "state"
    state: str
    stage: str | None


@dataclass(frozen=True, kw_only=True)
class Stage(Event):
    TYPE = "stage"
    stage: str
    index: int
    area: str
    level: str
    step: int


@dataclass(frozen=True, kw_only=True)
class End(Event):
    TYPE = "end"
    outcome: str


@dataclass(frozen=True, kw_only=True)
class Await(Event):
    TYPE = "await"
    want: str


@dataclass(frozen=True, kw_only=True)
class Reminder(Event):
    TYPE = "reminder"
    kind: str  # position, time_limit, ended_for_pain


@dataclass(frozen=True, kw_only=True)
class WarmUp(Event):
    """One of: ``before`` (a warm-up put in first), ``asked`` (skip?) or ``skipped``."""

    TYPE = "warm_up"
    before: str | None = _omit()
    asked: str | None = _omit()
    skipped: str | None = _omit()


@dataclass(frozen=True, kw_only=True)
class Screening(Event):
    TYPE = "screening"
    question: int
    answer: str
    counted: bool | None = _omit()  # False: said over the question, asked again


@dataclass(frozen=True, kw_only=True)
class Error(Event):
    TYPE = "error"
    message: str


@dataclass(frozen=True, kw_only=True)
class Fault(Event):
    TYPE = "fault"
    message: str


# --- what was said and heard --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Said(Event):
    TYPE = "say"
    text: str
    kind: str
    stage: str | None


@dataclass(frozen=True, kw_only=True)
class Cue(Event):
    TYPE = "cue"
    text: str
    stage: str | None
    set: int
    stroke: int


@dataclass(frozen=True, kw_only=True)
class Cut(Event):
    TYPE = "cut"
    text: str


@dataclass(frozen=True, kw_only=True)
class Heard(Event):
    """What reached the session; ``confidence`` is the recognizer's (0-1), typed text has none."""

    TYPE = "heard"
    text: str
    confidence: float | None = _omit()


@dataclass(frozen=True, kw_only=True)
class IntentHeard(Event):
    TYPE = "intent"
    name: str
    value: int | None = _omit()


@dataclass(frozen=True, kw_only=True)
class NoAnswer(Event):
    TYPE = "no_answer"
    stage: str | None
    release: bool | None = _omit()  # True: the hands were told to release first


# --- pain and pressure --------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Pain(Event):
    """A reading; ``stage``, ``area`` and ``level`` are absent before any hands-on work."""

    TYPE = "pain"
    value: int
    stage: str | None = _omit()
    area: str | None = _omit()
    level: str | None = _omit()


@dataclass(frozen=True, kw_only=True)
class Ouch(Event):
    TYPE = "ouch"
    stage: str | None


@dataclass(frozen=True, kw_only=True)
class Warning(Event):
    TYPE = "warning"
    stage: str | None


@dataclass(frozen=True, kw_only=True)
class Ease(Event):
    TYPE = "ease"
    stage: str | None


@dataclass(frozen=True, kw_only=True)
class Cap(Event):
    TYPE = "cap"
    area: str
    level: str


@dataclass(frozen=True, kw_only=True)
class LeftForPain(Event):
    TYPE = "left_for_pain"
    stage: str
    area: str
    count: int


@dataclass(frozen=True, kw_only=True)
class EndedForPain(Event):
    TYPE = "ended_for_pain"
    stage: str | None
    left: int


@dataclass(frozen=True, kw_only=True)
class Pressure(Event):
    TYPE = "pressure"
    stage: str
    area: str
    level: str
    step: int


@dataclass(frozen=True, kw_only=True)
class Pace(Event):
    TYPE = "pace"
    factor: float


@dataclass(frozen=True, kw_only=True)
class Learning(Event):
    """Learner mode went on or off: at the start (``--learn``) or by voice. Kept so a
    session resumed after a crash teaches as the interrupted one did."""

    TYPE = "learning"
    on: bool


@dataclass(frozen=True, kw_only=True)
class VoiceSet(Event):
    """The narration's speed or loudness changed: by a spoken command, or at the start of a
    session from what the journal remembers of this person (``remembered``)."""

    TYPE = "voice_setting"
    rate: int  # words per minute
    volume: float  # share of full volume
    remembered: bool | None = _omit()


@dataclass(frozen=True, kw_only=True)
class Restart(Event):
    TYPE = "restart"
    stage: str
    level: str
    severe: int
    very_severe: int


# --- what came from the journal -----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Person(Event):
    TYPE = "person"
    name: str | None


@dataclass(frozen=True, kw_only=True)
class Preference(Event):
    TYPE = "preference"
    area: str
    step: int
    level: str


@dataclass(frozen=True, kw_only=True)
class Resumed(Event):
    TYPE = "resumed"
    session: int
    stage: str
    screening: bool


@dataclass(frozen=True, kw_only=True)
class ResumeDeclined(Event):
    TYPE = "resume_declined"
    session: int

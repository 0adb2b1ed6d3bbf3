"""Routine data: what a massage routine file holds, field by field.

These dataclasses *are* the schema: :mod:`assistant.routine.schema` reads YAML into them
and :mod:`assistant.routine.loader` adds the checks that span several fields.
The ``doc`` metadata feeds ``massage-assistant schema`` for routine authors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from assistant.routine.schema import INTERNAL

__all__ = [
    "AREAS",
    "PRESSURE_LEVELS",
    "TECHNIQUES",
    "Pacing",
    "PainCheck",
    "Routine",
    "Stage",
]

PressureName = Literal["feather", "light", "medium", "firm", "deep"]
#: Pressure levels from lightest to deepest; ``lighter``/``firmer`` step along this list.
PRESSURE_LEVELS: tuple[str, ...] = ("feather", "light", "medium", "firm", "deep")

Technique = Literal[
    "stroking",
    "effleurage",
    "gliding",
    "squeezing",
    "rubbing",
    "friction",
    "kneading",
    "trigger-point",
    "compression-broadening",
    "tapping",
    "vibration",
]
TECHNIQUES: tuple[str, ...] = Technique.__args__  # type: ignore[attr-defined]

Area = Literal[
    "whole-back",
    "neck",
    "shoulders",
    "shoulder-blades",
    "upper-back",
    "collar-zone",
    "spine-sides",
    "mid-back",
    "lower-thoracic",
    "lower-back",
    "lumbar",
    "hips-sacrum",
]
AREAS: tuple[str, ...] = Area.__args__  # type: ignore[attr-defined]


#: Seconds each stage adds beyond its own text: step number, pressure sentence, replies.
STAGE_OVERHEAD_S = 8.0


def _doc(text: str, **more: object) -> dict[str, object]:
    return {"doc": text, **more}


@dataclass(frozen=True)
class Pacing:
    """How fast strokes go and what is said on the beat."""

    seconds_per_stroke: float = field(
        metadata=_doc("Seconds for one whole stroke, out and back.", range=(1, 30))
    )
    cues: tuple[str, ...] = field(
        default=(),
        metadata=_doc(
            "Short phrases spoken in turn within each stroke, evenly spaced "
            "(for example 'up along the spine', 'and back down the sides')."
        ),
    )


@dataclass(frozen=True)
class PainCheck:
    """Ask the receiver for a 0-10 reading and steer pressure by it (trigger-point work)."""

    target: tuple[int, int] = field(
        default=(4, 6),
        metadata=_doc("The reading to hold at, low and high, on the 0-10 scale.", range=(0, 10)),
    )
    hold_seconds: float = field(
        default=8.0,
        metadata=_doc(
            "How long to hold once the reading is in the target range.",
            unit="duration",
            range=(3, 60),
        ),
    )
    rounds: int = field(
        default=6, metadata=_doc("At most this many holds before moving on.", range=(1, 10))
    )


@dataclass(frozen=True)
class Stage:
    """One step of a routine: one technique on one body area."""

    id: str = field(metadata=_doc("Short unique name: lowercase letters, digits and dashes."))
    title: str = field(metadata=_doc("What the step is called when announced."))
    area: Area = field(metadata=_doc("Body area; pressure changes carry over within an area."))
    technique: Technique = field(metadata=_doc("The massage technique used."))
    pressure: PressureName = field(metadata=_doc("Starting pressure."))
    pressure_range: tuple[PressureName, PressureName] = field(
        metadata=_doc("Lightest and firmest pressure allowed in this step.")
    )
    instruction: str = field(metadata=_doc("What the giver is told to do, spoken aloud."))
    landmark: str = field(
        metadata=_doc("How to find the place by touch alone, for a learner who cannot see.")
    )
    reason: str = field(
        default="",
        metadata=_doc(
            "Why this technique is used here, in a sentence or two; said with the landmark "
            "before the step in learner mode."
        ),
    )
    strokes: int | None = field(
        default=None,
        metadata=_doc(
            "Number of strokes per side and repetition (give this or duration).", range=(1, 200)
        ),
    )
    duration: float | None = field(
        default=None,
        metadata=_doc(
            "How long per side and repetition, e.g. 90, '90 s' or '2 min' (or give strokes).",
            unit="duration",
            range=(5, 1200),
        ),
    )
    pacing: Pacing | None = field(
        default=None,
        metadata=_doc("Stroke rhythm and spoken cues; required with strokes or duration."),
    )
    repetitions: int = field(
        default=1, metadata=_doc("How many times the whole set is done.", range=(1, 10))
    )
    sides: Literal["both", "each"] = field(
        default="both",
        metadata=_doc("'both': both sides at once; 'each': left side, then right side."),
    )
    cautions: tuple[str, ...] = field(
        default=(), metadata=_doc("Safety reminders spoken with the instruction.")
    )
    advance: Literal["auto", "on-next"] = field(
        default="on-next",
        metadata=_doc("'auto': move on by itself when done; 'on-next': wait for 'next'."),
    )
    pain_check: PainCheck | None = field(
        default=None, metadata=_doc("Ask for pain readings and steer pressure by them.")
    )
    warm_up: bool = field(
        default=False,
        metadata=_doc(
            "This stage warms the muscles up (light or feather); firm and trigger-point "
            "stages need one before them, and 'next' does not skip it without a 'yes'."
        ),
    )
    line: int = field(default=0, compare=False, metadata=INTERNAL)
    field_lines: dict[str, int] = field(
        default_factory=dict, compare=False, repr=False, metadata=INTERNAL
    )

    @property
    def side_names(self) -> tuple[str, ...]:
        return ("left", "right") if self.sides == "each" else ("both",)

    def strokes_per_set(self, pace: float = 1.0) -> int:
        """Strokes in one set (one side, one repetition) at a pace factor (>1 is slower)."""
        if self.pacing is None:
            return 0
        if self.strokes is not None:
            return self.strokes
        if self.duration is not None:
            return max(1, round(self.duration / (self.pacing.seconds_per_stroke * pace)))
        return 0

    def hands_on_seconds(self) -> float:
        """Planned time of strokes and holds, without narration."""
        sets = self.repetitions * len(self.side_names)
        total = 0.0
        if self.pacing is not None:
            total += sets * self.strokes_per_set() * self.pacing.seconds_per_stroke
        if self.pain_check is not None:
            # each round: a question, an answer and a hold
            total += self.pain_check.rounds * (self.pain_check.hold_seconds + 6.0)
        return total

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)


@dataclass(frozen=True)
class Routine:
    """A whole session plan: safety questions, set-up, stages and closing words."""

    title: str = field(metadata=_doc("Name of the routine, as announced."))
    summary: str = field(metadata=_doc("One or two sentences: what it is for and for whom."))
    max_minutes: float = field(
        metadata=_doc(
            "The session never runs longer than this; near it, the routine skips to its last "
            "stage.",
            range=(1, 120),
        )
    )
    setup: tuple[str, ...] = field(
        metadata=_doc(
            "Checklist read before starting (oil, towels, warm room, firm surface, short nails)."
        )
    )
    screening: tuple[str, ...] = field(
        metadata=_doc(
            "Yes/no questions; a 'yes' to any of them ends the session with advice to see a "
            "doctor first."
        )
    )
    stages: tuple[Stage, ...] = field(metadata=_doc("The steps, in order."))
    locale: str = field(default="en", metadata=_doc("Language of the routine (shipped: en, ko)."))
    position_reminder_minutes: float = field(
        default=17.0,
        metadata=_doc("Offer a change of position after this long lying still.", range=(15, 20)),
    )
    closing: tuple[str, ...] = field(
        default=(), metadata=_doc("Lines spoken after the last stage.")
    )
    decline: str | None = field(
        default=None,
        metadata=_doc(
            "What to say when a screening answer rules the massage out (a default is used)."
        ),
    )
    screening_why: tuple[str, ...] = field(
        default=(),
        metadata=_doc(
            "For each screening question, in order, why a yes rules the massage out today, "
            "said before the decline (give one per question, or none)."
        ),
    )
    same_spot: tuple[tuple[Area, ...], ...] = field(
        default=(),
        metadata=_doc(
            "Groups of areas that overlap on the body: easing off, and the limit after a "
            "severe pain reading, carry to every stage working an area of the group."
        ),
    )
    doctor_approved: bool = field(
        default=False,
        metadata=_doc(
            "Set only for a routine a doctor approved for this person: it allows 'deep' "
            "pressure and 'tapping', which home routines may not use."
        ),
    )
    id: str = field(default="", metadata=INTERNAL)
    path: str = field(default="", compare=False, metadata=INTERNAL)
    line: int = field(default=0, compare=False, metadata=INTERNAL)
    field_lines: dict[str, int] = field(
        default_factory=dict, compare=False, repr=False, metadata=INTERNAL
    )

    def planned_seconds(self, words_per_minute: float = 165.0) -> float:
        """The routine's length: hands-on time plus everything read out, at a speaking rate.

        Counts the welcome, the safety questions, the set-up checklist, each stage's
        instruction, landmark and cautions, and the closing; not the answers.
        """
        spoken = [self.title, self.summary, *self.screening, *self.setup, *self.closing]
        for s in self.stages:
            spoken += [s.title, s.instruction, s.landmark, *s.cautions]
        words = sum(len(text.split()) for text in spoken)
        overhead = STAGE_OVERHEAD_S * len(self.stages)
        return (
            sum(s.hands_on_seconds() for s in self.stages)
            + words / words_per_minute * 60
            + (overhead)
        )

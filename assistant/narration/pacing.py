"""Stroke pacing: the cues of a stage as an agenda, from any stroke onward, at any pace.

Pure: stage, pace and position in, steps out. Cue offsets are measured from the start
of each run of cues (a spoken line such as "Now the right side" starts a new run), so
the player can keep them on the beat however long the stage.
"""

from __future__ import annotations

from assistant.narration.agenda import Cue, Say, Step
from assistant.prompts import Prompts
from assistant.routine.model import Stage

__all__ = ["set_count", "stroke_steps"]


def set_count(stage: Stage) -> int:
    """How many sets of strokes a stage has: repetitions times sides (0 without pacing)."""
    return stage.repetitions * len(stage.side_names) if stage.pacing else 0


def stroke_steps(
    stage: Stage,
    prompts: Prompts,
    *,
    pace: float = 1.0,
    start: tuple[int, int] = (0, 0),
    announce_start: bool = True,
) -> list[Step]:
    """Cues from stroke ``start`` = (set, stroke) to the end of the stage.

    ``pace`` stretches each stroke (above 1 is slower); ``announce_start`` says "begin
    with me" before the very first stroke. The last stroke of a set of three or more is
    announced, and each set of a two-sided stage names its side.
    """
    if stage.pacing is None:
        return []
    sides = stage.side_names
    seconds = stage.pacing.seconds_per_stroke * pace
    strokes = stage.strokes_per_set(pace)
    cues = stage.pacing.cues
    first_set, first_stroke = start
    steps: list[Step] = []
    for set_i in range(first_set, set_count(stage)):
        side = sides[set_i % len(sides)]
        begin = first_stroke if set_i == first_set else 0
        if begin == 0:
            if set_i == 0 and announce_start:
                steps.append(Say(prompts("begin_strokes"), "prompt"))
            if side != "both":
                steps.append(Say(prompts(f"sides.{side}"), "side"))
        offset = 0.0
        for stroke in range(begin, strokes):
            for k, cue in enumerate(cues):
                text = cue
                if k == 0 and stroke == strokes - 1 and strokes > 2:
                    text = f"{prompts('last_stroke')} {cue}"
                steps.append(Cue(offset + k * seconds / len(cues), text, (set_i, stroke)))
            offset += seconds
        steps.append(Cue(offset, None, (set_i + 1, 0)))  # the set ends when its last stroke does
    return steps

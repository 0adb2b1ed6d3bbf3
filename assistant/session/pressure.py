"""Pressure per area (steps, caps, limits) and pace: what lighter, firmer, slower and
faster change.
"""

from __future__ import annotations

import math

from assistant.care import (
    spot_of,
)
from assistant.care.pressure import PressureRange, pressure_level, pressure_step
from assistant.events import kinds as ev
from assistant.narration.agenda import Say, Step
from assistant.routine.model import PRESSURE_LEVELS, Stage
from assistant.session.machine import (
    STAGE_STATES,
)
from assistant.session.state import SessionState


class PressureMixin(SessionState):
    """Methods of :class:`~assistant.session.Session` (``self`` is the session)."""

    def _level(self, stage: Stage) -> int:
        """The stage's pressure now: its own, moved by the steps taken on its area, within
        its range, and never above the limit a severe reading put on its spot."""
        offset = self._area_offset.get(stage.area, 0)
        return pressure_level(_range(stage), offset, self._level_cap(stage.area))

    def _step_pressure(self, delta: int) -> bool:
        """Move pressure one level within the stage's range; carry it on to the same area."""
        if self.progress.index >= len(self.routine.stages):  # pragma: no cover - defensive
            return False
        stage = self.routine.stages[self.progress.index]
        new = pressure_step(_range(stage), self._level(stage), delta, self._level_cap(stage.area))
        if new is None:
            return False
        step = new - PRESSURE_LEVELS.index(stage.pressure)
        self._area_offset[stage.area] = step
        if delta < 0:  # easing off carries to every area declared as the same spot
            for area in spot_of(stage.area, self.routine.same_spot) - {stage.area}:
                self._area_offset[area] = min(self._area_offset.get(area, 0), delta)
        self._emit(
            ev.Pressure(stage=stage.id, area=stage.area, level=PRESSURE_LEVELS[new], step=step)
        )
        return True

    def _pressure_say(self) -> Say:
        stage = self.routine.stages[self.progress.index]
        return Say(self.prompts(f"pressure.{PRESSURE_LEVELS[self._level(stage)]}"), "pressure")

    def _change_pressure(self, delta: int) -> None:
        if self.phase not in STAGE_STATES:
            self._aside([Say(self.prompts("not_now"), "ack")])
            return
        stage = self.routine.stages[self.progress.index]
        if self._step_pressure(delta):
            key = "ack.lighter" if delta < 0 else "ack.firmer"
            self._aside([Say(self.prompts(key), "ack"), self._pressure_say()])
        elif delta > 0 and self._level(stage) >= self._level_cap(stage.area):
            self._aside([Say(self.prompts("capped"), "ack")])
        else:
            self._aside([Say(self.prompts("lightest" if delta < 0 else "firmest"), "ack")])

    def _change_pace(self, factor: float) -> None:
        lo, hi = self.settings.pace_limits
        new = min(hi, max(lo, self.pace * factor))
        key = "ack.slower" if factor > 1 else "ack.faster"
        if math.isclose(new, self.pace):
            self._aside([Say(self.prompts("slowest" if factor > 1 else "fastest"), "ack")])
            return
        self.pace = new
        self._emit(ev.Pace(factor=round(new, 3)))
        if not self._time_limit_hit:  # a new pace changes when the last stage must start
            self._arm_time_limit()
        lines: list[Step] = [Say(self.prompts(key), "ack")]
        stage = self.stage
        if stage is not None and stage.pacing is not None:
            seconds = f"{stage.pacing.seconds_per_stroke * new:.0f}"
            lines.append(Say(self.prompts("pace_changed", seconds=seconds), "ack"))
        self._aside(lines)


def _range(stage: Stage) -> PressureRange:
    lo, hi = (PRESSURE_LEVELS.index(x) for x in stage.pressure_range)
    return PressureRange(PRESSURE_LEVELS.index(stage.pressure), lo, hi)

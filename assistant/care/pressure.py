"""Pressure per area: where a stage's pressure stands, and where one step moves it.

Levels index the pressure scale (0 = feather). A stage has its own level and a range;
steps taken on its body area move it within that range; after severe pain a cap keeps
the spot below the level that hurt.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PressureRange", "pressure_level", "pressure_step"]


@dataclass(frozen=True)
class PressureRange:
    """A stage's own level and the range it may be moved in."""

    base: int
    lo: int
    hi: int


def pressure_level(r: PressureRange, offset: int, cap: int) -> int:
    """The level now: the stage's own, moved by ``offset`` steps, within its range, never
    above ``cap``."""
    return min(min(r.hi, max(r.lo, r.base + offset)), cap)


def pressure_step(r: PressureRange, now: int, delta: int, cap: int) -> int | None:
    """The level after one step of ``delta`` from ``now``; None when it cannot move that way
    (already at the end of the range, or firmer than the cap allows)."""
    new = min(r.hi, max(r.lo, now + delta), cap)
    if new == now or (delta < 0 and new > now):
        return None
    return new

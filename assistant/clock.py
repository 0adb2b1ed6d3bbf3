"""Time for the session, injected so that tests and simulations never sleep.

The session only ever asks a :class:`Clock` for ``now()`` and schedules work on a
:class:`Scheduler`; who waits, and how, is decided by the input source that drives
the loop (see :mod:`assistant.runner`).
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Clock", "Scheduler", "Timer", "VirtualClock", "WallClock"]


class Clock(Protocol):
    """Seconds since the session started."""

    def now(self) -> float: ...


class WallClock:
    """Real time, from a monotonic source so that clock changes cannot skew a session."""

    def __init__(self) -> None:
        self._start = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self._start


class VirtualClock:
    """Time that moves only when told to; simulations run as fast as the CPU allows."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance_to(self, t: float) -> None:
        """Move time forward to ``t``; never backwards."""
        self._now = max(self._now, t)


@dataclass(order=True)
class Timer:
    """A call scheduled at ``due`` seconds; cancel() makes it a no-op."""

    due: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    """Timers on an injected clock, run in due order by whoever drives the loop."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._heap: list[Timer] = []
        self._seq = itertools.count()

    def call_at(self, due: float, callback: Callable[[], None]) -> Timer:
        timer = Timer(due, next(self._seq), callback)
        heapq.heappush(self._heap, timer)
        return timer

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        return self.call_at(self.clock.now() + max(0.0, delay), callback)

    def next_due(self) -> float | None:
        """When the earliest live timer is due, or None when nothing is scheduled."""
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0].due if self._heap else None

    def run_due(self) -> int:
        """Run every live timer due by now, including ones those timers add; return the count."""
        ran = 0
        while True:
            due = self.next_due()
            if due is None or due > self.clock.now():
                return ran
            timer = heapq.heappop(self._heap)
            timer.callback()
            ran += 1

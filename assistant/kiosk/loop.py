"""The kiosk's loop and its supervisor, apart from any device: the same code runs live and
in the 50-session soak test on a virtual clock.

Each turn: wait for the start phrase (or a pedal press), run the menu, run the chosen
session. Any error in a turn is logged and the turn is tried again after a back-off
that doubles (1 s up to a minute) while errors keep coming, and drops back after a turn
that worked: a broken microphone or speech engine must neither stop the kiosk nor spin
the CPU.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from assistant.routine.model import Routine

__all__ = ["Kiosk", "KioskPorts"]


class KioskPorts(Protocol):
    """What the loop needs from the world (live devices, or a simulation)."""

    def wait_for_start(self) -> bool:
        """Block until someone asks to start; False when no input will ever come again."""
        ...

    def choose(self) -> Routine | None:
        """The start menu; the chosen routine, or None when it was left."""
        ...

    def session(self, routine: Routine) -> str:
        """Run and journal one session; its outcome."""
        ...


class Kiosk:
    """Runs turns until ``sessions`` sessions have run (None: for ever) or input ends."""

    def __init__(
        self,
        ports: KioskPorts,
        *,
        log: Callable[[str], None],
        wait: Callable[[float], None],
        first_backoff: float = 1.0,
        max_backoff: float = 60.0,
    ) -> None:
        self.ports = ports
        self.log = log
        self.wait = wait
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.sessions = 0
        self.errors = 0
        self.stopping = False  # set on SIGTERM: end after the current turn (ended safely)
        self.outcomes: list[str] = []

    def run(self, sessions: int | None = None) -> int:
        """The loop; returns 0 (a clean end: input closed, or the count reached)."""
        backoff = self.first_backoff
        self.log("waiting for 'start' (or 'start massage') or a pedal press")
        while sessions is None or self.sessions < sessions:
            if self.stopping:
                self.log("asked to stop; the kiosk ends")
                return 0
            try:
                if not self._turn():
                    self.log("input closed; the kiosk ends")
                    return 0
            except KeyboardInterrupt:
                self.log("asked to stop; the kiosk ends" if self.stopping else "interrupted; ends")
                return 0
            except Exception as exc:  # anything at all: log it, wait, try again
                self.errors += 1
                self.log(f"error: {type(exc).__name__}: {exc}; trying again in {backoff:.0f} s")
                try:
                    self.wait(backoff)
                except KeyboardInterrupt:  # SIGTERM or Ctrl-C while waiting: end quietly
                    self.log("asked to stop; the kiosk ends")
                    return 0
                backoff = min(self.max_backoff, backoff * 2)
                continue
            backoff = self.first_backoff
        return 0

    def _turn(self) -> bool:
        if not self.ports.wait_for_start():
            return False
        self.log("start asked for; the menu is open")
        routine = self.ports.choose()
        if routine is None:
            self.log("nothing chosen; waiting again")
            return True
        outcome = self.ports.session(routine)
        self.sessions += 1
        self.outcomes.append(outcome)
        self.log(f"session {self.sessions} done ({outcome}); waiting again")
        return True

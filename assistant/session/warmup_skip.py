"""Skipping a warm-up, as its own small machine.

Warm muscles protect against firm work, so *next* in a warm-up stage does not skip it: the
session explains why it matters and asks to confirm with *yes*. Whether that question is
open was a flag on the session; here it is two states of a ``transitions`` machine with its
configuration as data and its own model, :class:`WarmUpSkip`, which the session holds as
``warm_up_skip``:

- ``unasked``: *yes* means what it means elsewhere in a stage (an acknowledgement).
- ``asked``: *next* was said in this warm-up and the question asked; *yes* skips it.

Any move to a stage (the next one, back, a restart, the skip itself) forgets the question.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from transitions import Machine

__all__ = ["SKIP_STATES", "WarmUpSkip", "skip_config"]

SKIP_STATES = ("unasked", "asked")


def skip_config() -> dict[str, Any]:
    """States and transitions of the skip question, kept as data."""
    return {
        "states": list(SKIP_STATES),
        "transitions": [
            {"trigger": "ask", "source": "unasked", "dest": "asked"},
            {"trigger": "ask", "source": "asked", "dest": None},  # asked again: still open
            {"trigger": "forget", "source": list(SKIP_STATES), "dest": "unasked"},
        ],
        "initial": "unasked",
    }


class WarmUpSkip:
    """Whether skipping the current warm-up was asked for and awaits a *yes*."""

    state: str  # set by transitions
    ask: Callable[[], bool]
    forget: Callable[[], bool]

    def __init__(self) -> None:
        self.machine = Machine(model=self, **skip_config(), auto_transitions=False)

    @property
    def asked(self) -> bool:
        """*next* was said in this warm-up: a *yes* now skips it."""
        return self.state == "asked"

"""The massage session: a ``transitions`` machine (``machine``) steered by spoken commands
and timers, handed over to by the pre-session dialogue's own machine (``dialogue``), with
its behaviour grouped by concern in mixins of :class:`Session` (``model``).
"""

from assistant.session.machine import (
    STAGE_STATES,
    STATES,
    TERMINAL,
    SessionSettings,
    machine_config,
)
from assistant.session.model import Session

__all__ = ["STAGE_STATES", "STATES", "TERMINAL", "Session", "SessionSettings", "machine_config"]

"""Non-speech input for oily hands and loud rooms: a key or foot pedal gives next and stop.

One short press is *next*; a long press or a double press is *stop*. The rule is pure
(:mod:`.presses`); the terminal (:mod:`.terminal`) and Linux evdev (:mod:`.evdev_pedal`)
readers feed it and hand out the same :class:`~assistant.intents.Intent` objects the
spoken-command parser gives.
"""

from assistant.pedal.evdev_pedal import EvdevPedal, KeyEdges, PedalError, open_pedal, replay
from assistant.pedal.presses import (
    NEXT,
    PEDAL_SETTINGS,
    STOP,
    TERMINAL_SETTINGS,
    PressClassifier,
    PressSettings,
)
from assistant.pedal.terminal import TerminalPedal, count_keys

__all__ = [
    "NEXT",
    "PEDAL_SETTINGS",
    "STOP",
    "TERMINAL_SETTINGS",
    "EvdevPedal",
    "KeyEdges",
    "PedalError",
    "PressClassifier",
    "PressSettings",
    "TerminalPedal",
    "count_keys",
    "open_pedal",
    "replay",
]

"""``massage-assistant`` and ``run`` without a routine: the start menu, then the session.

The menu runs the way the session will: heard and spoken when there is a microphone,
typed when there is a keyboard, and played by a simulated person (who picks the gentle
first massage by name) when there is neither, as ``run`` itself does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TextIO

from assistant.audio.devices import DeviceReport, probe_devices
from assistant.clock import VirtualClock, WallClock
from assistant.events import EventSink
from assistant.menu.drive import make_menu, menu_routines, run_menu
from assistant.menu.machine import MenuTimes
from assistant.narration.voice import estimate_seconds
from assistant.pedal.wire import TERMINAL, pedal_input
from assistant.routine.model import Routine
from assistant.runner import END, QueueInput, ScriptInput, Utterance, _End

if TYPE_CHECKING:
    from assistant.app import AppConfig
    from assistant.audio.live import StreamFactory

__all__ = ["PrintedVoice", "TypedLines", "choose_and_run"]


class PrintedVoice:
    """The menu's lines on a screen (typed and simulated menus); timed as if spoken."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def say(self, text: str) -> float:
        print(text, file=self.stream, flush=True)
        return estimate_seconds(text)

    def cue(self, text: str) -> None:
        return None

    def cut(self) -> None:
        return None


class TypedLines:
    """Typed menu answers, a line at a time from the main thread (no reader thread is
    left behind to take the session's lines). A typed menu does not nag: the list is
    on the screen, so the silence deadline is not kept."""

    def __init__(self, stream: TextIO, clock: WallClock) -> None:
        self.stream = stream
        self.clock = clock

    def next_before(self, deadline: float | None) -> Utterance | _End | None:
        line = self.stream.readline()
        if not line:
            return END
        return Utterance(self.clock.now(), line.strip())


def choose_and_run(
    cfg: AppConfig,
    *,
    probe: Callable[[], DeviceReport] = probe_devices,
    stdin_is_tty: Callable[[], bool] = sys.stdin.isatty,
    card: StreamFactory | None = None,
    sinks: Sequence[EventSink] = (),
) -> int:
    """The start menu in the mode ``run`` would pick, then the chosen routine's session."""
    from assistant import app

    routines = menu_routines("en")
    devices = probe()
    interactive = cfg.keyboard or stdin_is_tty()
    live = cfg.audio.listen or (devices.microphone is not None and not cfg.keyboard)
    try:
        chosen = _menu(cfg, routines, devices, card, live=live, interactive=interactive)
    except KeyboardInterrupt:  # Ctrl-C in the menu: nothing has started, leave quietly
        print("\nLeft the menu.", file=sys.stderr)
        return 0
    if chosen is None:
        return 0
    cfg = replace(cfg, routine=chosen.id)
    return app.run(
        cfg, probe=probe, stdin_is_tty=stdin_is_tty, card=card, sinks=sinks,
        routine=chosen, devices=devices,
    )  # fmt: skip


def _menu(
    cfg: AppConfig,
    routines: Sequence[Routine],
    devices: DeviceReport,
    card: StreamFactory | None,
    *,
    live: bool,
    interactive: bool,
) -> Routine | None:
    if live:
        return _live_menu(cfg, routines, devices, card)
    if interactive:
        return _typed_menu(cfg, routines)
    print("No microphone and no keyboard: a simulated person answers the menu.\n", file=sys.stderr)
    return simulated_menu(routines, ["gentle first"])


def simulated_menu(routines: Sequence[Routine], answers: Sequence[str]) -> Routine | None:
    """The menu on a virtual clock, printed, each answer said after the menu asks."""
    clock = VirtualClock()
    menu = make_menu(routines, voice=PrintedVoice(), clock=clock)
    source = ScriptInput(clock)
    menu.start()  # run_menu does not start it again
    at = menu.deadline or 0.0
    for i, text in enumerate(answers):
        source.add(Utterance(at - 6.0 + i * 20.0, text))
    return run_menu(menu, source)


def _typed_menu(cfg: AppConfig, routines: Sequence[Routine]) -> Routine | None:
    clock = WallClock()
    menu = make_menu(routines, voice=PrintedVoice(), clock=clock, pedal=cfg.pedal is not None)
    if cfg.pedal == TERMINAL:  # keys are the pedal: a press starts number one
        source = QueueInput(clock)
        with pedal_input(cfg.pedal, source.put):
            return run_menu(menu, source)
    print("Type a number or a name and press Enter.", file=sys.stderr)
    return run_menu(menu, TypedLines(sys.stdin, clock))


def _live_menu(
    cfg: AppConfig, routines: Sequence[Routine], devices: DeviceReport, card: StreamFactory | None
) -> Routine | None:
    from assistant.menu.live import LiveFront

    front = LiveFront.for_config(cfg, routines, devices, card)
    with front:
        menu = make_menu(
            routines,
            voice=front.voice,
            clock=front.clock,
            times=MenuTimes(),
            pedal=cfg.pedal is not None,
            note=lambda line: print(line, file=sys.stderr, flush=True),
        )
        return run_menu(menu, front.source)

"""``massage-assistant kiosk``: the kiosk loop on the real microphone, speaker and pedal.

While waiting and in the menu one :class:`~assistant.menu.live.LiveFront` holds the
sound card (its supervisor finds a microphone that was unplugged and plugged back, its
recognizer is restarted if it fails); a session then opens the card for itself, as
``run`` does, with the journal and the kiosk's log as event sinks.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from assistant.audio.devices import DeviceReport, probe_devices
from assistant.intents import parse
from assistant.kiosk.log import KioskEvents, KioskLog
from assistant.kiosk.loop import Kiosk
from assistant.menu.drive import make_menu, menu_routines, run_menu
from assistant.menu.live import LiveFront
from assistant.menu.machine import MenuTimes
from assistant.pedal.evdev_pedal import PedalError
from assistant.routine.model import Routine
from assistant.runner import END, Fault, Utterance

if TYPE_CHECKING:
    from assistant.app import AppConfig
    from assistant.audio.live import StreamFactory

__all__ = ["START_INTENTS", "LivePorts", "run_kiosk"]

#: What starts the menu while the kiosk waits: the start phrase, or a pedal press (next).
START_INTENTS = ("start", "next")
#: An unattended menu gives up and the kiosk waits again.
KIOSK_MENU = MenuTimes(answer=8.0, reprompt=10.0, give_up=60.0)


@dataclass
class LivePorts:
    """The kiosk's ports on real devices (``card`` replaces PortAudio in tests)."""

    cfg: AppConfig
    log: Callable[[str], None]
    probe: Callable[[], DeviceReport] = probe_devices
    card: StreamFactory | None = None
    routines: list[Routine] = field(default_factory=lambda: menu_routines("en"))
    _front: LiveFront | None = None

    def _open_front(self) -> LiveFront:
        front = LiveFront.for_config(self.cfg, self.routines, self.probe(), self.card, self.log)
        front.__enter__()
        return front

    def wait_for_start(self) -> bool:
        front = self._front = self._front or self._open_front()
        try:
            while True:
                item = front.source.next_before(None)
                if item is END:
                    return False
                if isinstance(item, Fault):
                    self.log(f"problem: {item.message}")
                elif isinstance(item, Utterance):
                    intent = parse(item.text, front.vocabulary)
                    if intent is not None and intent.name in START_INTENTS:
                        return True
        except BaseException:
            self._close()
            raise

    def choose(self) -> Routine | None:
        front = self._front = self._front or self._open_front()
        try:
            menu = make_menu(
                self.routines,
                voice=front.voice,
                clock=front.clock,
                times=KIOSK_MENU,
                pedal=self.cfg.pedal is not None,
                note=self.log,
            )
            return run_menu(menu, front.source)
        finally:
            self._close()  # the session opens the card for itself

    def session(self, routine: Routine) -> str:
        from assistant import app

        sink = KioskEvents(self.log)
        cfg = replace(self.cfg, routine=routine.id)
        try:
            self._run(app.run, cfg, sink, routine)
        except PedalError as exc:  # raised before the session starts: run it by voice only
            self.log(f"no pedal: {exc}; voice commands only")
            self._run(app.run, replace(cfg, pedal=None), sink, routine)
        return sink.outcome or "ended"

    def _run(self, run: Callable[..., int], cfg: AppConfig, sink: KioskEvents, r: Routine) -> None:
        run(cfg, probe=self.probe, stdin_is_tty=lambda: False, card=self.card, sinks=[sink],
            routine=r)  # fmt: skip

    def _close(self) -> None:
        front, self._front = self._front, None
        if front is not None:
            front.__exit__(None, None, None)


def run_kiosk(
    cfg: AppConfig,
    *,
    probe: Callable[[], DeviceReport] = probe_devices,
    card: StreamFactory | None = None,
    sessions: int | None = None,
    log: Callable[[str], None] | None = None,
) -> int:
    """Run the kiosk (for ever unless ``sessions`` is given); 0 on a clean end."""
    log = log or KioskLog(sys.stderr)
    # a kiosk listens even before a microphone appears, keeps the journal by default,
    # and prints no session text: its log has one line per event that matters
    cfg = replace(cfg, audio=replace(cfg.audio, listen=True), keyboard=False, quiet=True)
    ports = LivePorts(cfg, log, probe=probe, card=card)
    if not ports.routines:
        log("no routines found; nothing to offer")
        return 2
    from assistant.journal import journal_path

    where = "none" if cfg.journal is None else journal_path(cfg.journal or None)
    log(f"{len(ports.routines)} routines on offer; journal: {where}")
    kiosk = Kiosk(ports, log=log, wait=time.sleep)
    _stop_on_sigterm(kiosk)
    try:
        return kiosk.run(sessions)
    finally:  # the sound card, listener and pedal of the waiting front go with the kiosk
        ports._close()


def _stop_on_sigterm(kiosk: Kiosk) -> None:
    """``systemctl stop``: a session under way is stopped safely (hands away, journal
    written) as on Ctrl-C, and the kiosk ends instead of waiting again."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return  # signals reach the main thread only (a test runs the kiosk in a thread)

    def handler(signum: int, frame: object) -> None:
        kiosk.stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)

"""A foot pedal (or any key device) read straight from Linux evdev, as on a headless kiosk.

A USB foot pedal presents itself as a keyboard. Reading its evdev device sees every key's
down and up, so a long press is known while the foot is still down, and no terminal is
needed. ``python-evdev`` is an optional dependency (``pip install 'massage-assistant[pedal]'``),
imported only when a pedal is opened, and every way opening fails is said plainly.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from assistant.errors import AssistantError
from assistant.intents import Intent
from assistant.pedal.presses import PEDAL_SETTINGS, PressClassifier, PressSettings

__all__ = ["EvdevPedal", "KeyEdges", "PedalError", "open_pedal", "replay"]

EV_KEY = 1  # the kernel's event type for keys and buttons (linux/input-event-codes.h)
_INSTALL = "pip install 'massage-assistant[pedal]' (scripts/setup.sh --pedal does it)"


class PedalError(AssistantError):
    """The pedal device is missing, cannot be read, or python-evdev is not installed."""


class KeyEdges:
    """Raw evdev key events -> one key's edges: down when any key goes down, up when all are.

    A pedal with two or three treadles acts as one; autorepeat (value 2) and every other
    event type are ignored.
    """

    def __init__(self) -> None:
        self.held: set[int] = set()

    def feed(self, type_: int, code: int, value: int) -> str | None:
        """``"down"``, ``"up"`` or None for one event."""
        if type_ != EV_KEY or value not in (0, 1):
            return None
        was_held = bool(self.held)
        if value == 1:
            self.held.add(code)
            return None if was_held else "down"
        self.held.discard(code)
        return "up" if was_held and not self.held else None


def replay(
    events: Iterable[tuple[float, int, int, int]], settings: PressSettings = PEDAL_SETTINGS
) -> list[tuple[float, Intent]]:
    """Recorded ``(seconds, type, code, value)`` events -> intents with the time each is decided.

    Deadlines between events are polled as the live reader's ``select`` timeout does, so a
    recording gives exactly what the pedal would have given live.
    """
    classifier, edges, out = PressClassifier(settings), KeyEdges(), []

    def due(until: float) -> None:
        while (d := classifier.deadline()) is not None and d <= until:
            got = classifier.poll(d)
            if got is None and classifier.deadline() == d:
                return
            if got is not None:
                out.append((d, got))

    last = 0.0
    for t, type_, code, value in events:
        due(t)
        edge = edges.feed(type_, code, value)
        got = None if edge is None else (classifier.down(t) if edge == "down" else classifier.up(t))
        if got is not None:
            out.append((t, got))
        last = t
    due(last + settings.long_press + settings.double_gap)
    return out


def open_pedal(spec: str) -> Any:
    """The evdev device at path ``spec``, or the one whose name contains ``spec``.

    Raises :class:`PedalError` naming the fix: install python-evdev, join the ``input``
    group, or pick one of the devices listed.
    """
    try:
        import evdev
    except ImportError:
        raise PedalError(
            f"--pedal needs python-evdev, which is not installed: {_INSTALL}"
        ) from None
    if spec.startswith("/") or Path(spec).exists():
        return _open(evdev, spec)
    found, names = [], []
    for path in evdev.list_devices():
        with contextlib.suppress(OSError):
            device = evdev.InputDevice(path)
            names.append(f"{path} ({device.name})")
            if spec.lower() in device.name.lower():
                found.append(device)
                continue
            device.close()
    if len(found) == 1:
        return _check_keys(found[0])
    for device in found:
        device.close()
    listed = "; ".join(names) if names else "none readable (are you in the 'input' group?)"
    what = "more than one input device" if found else "no input device"
    raise PedalError(f"--pedal {spec}: {what} has that in its name. Devices: {listed}")


def _open(evdev: Any, path: str) -> Any:
    try:
        device = evdev.InputDevice(path)
    except FileNotFoundError:
        raise PedalError(
            f"--pedal {path}: no such device (is the pedal plugged in? "
            "ls /dev/input/by-id/ lists keyboards and pedals)"
        ) from None
    except PermissionError:
        raise PedalError(
            f"--pedal {path}: permission denied. Add the user to the 'input' group "
            "(sudo usermod -aG input $USER) and log in again; the kiosk service has it already"
        ) from None
    except OSError as exc:
        raise PedalError(f"--pedal {path}: not an input device ({exc.strerror or exc})") from None
    return _check_keys(device)


def _check_keys(device: Any) -> Any:
    if EV_KEY not in device.capabilities():
        device.close()
        raise PedalError(f"--pedal {device.path} ({device.name}) has no keys or buttons")
    return device


class EvdevPedal:
    """Reads one opened evdev device in a thread of its own and hands out intents.

    ``emit`` gets each :class:`Intent`; ``on_fault`` gets a sentence when the device goes
    away (unplugged), after which the reader ends and the session goes on by voice. With
    ``grab`` the pedal's keys reach no other program (a console login, a terminal).

    Edges are timed by the kernel's own stamps (``wall`` is their clock), moved onto
    ``clock``'s scale: a reader held up by a busy machine gets a double press in one batch
    and must still see its gaps, or it would read two presses as one.
    """

    def __init__(
        self,
        device: Any,
        emit: Callable[[Intent], None],
        on_fault: Callable[[str], None] = lambda _: None,
        settings: PressSettings = PEDAL_SETTINGS,
        clock: Callable[[], float] = time.monotonic,
        grab: bool = True,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.device = device
        self.emit = emit
        self.on_fault = on_fault
        self.clock = clock
        self.wall = wall
        self.grab = grab
        self.classifier = PressClassifier(settings)
        self.edges = KeyEdges()
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> EvdevPedal:
        if self.grab:
            with contextlib.suppress(OSError):  # another program holds it: share instead
                self.device.grab()
        self._thread = threading.Thread(target=self._run, name="evdev-pedal", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        with contextlib.suppress(OSError):
            self.device.ungrab()
        with contextlib.suppress(OSError):
            self.device.close()
        self.close()

    def close(self) -> None:
        """Release the wake-up pipe (the device is closed on leaving the ``with`` block)."""
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def pump(self, timeout: float | None) -> bool:
        """Wait up to ``timeout`` seconds for events, then emit what is due; False to end."""
        deadline = self.classifier.deadline()
        if deadline is not None:
            wait = max(0.0, deadline - self.clock())
            timeout = wait if timeout is None else min(timeout, wait)
        readable, _, _ = select.select([self.device.fd, self._wake_r], [], [], timeout)
        if self._wake_r in readable:
            return False
        if self.device.fd in readable:
            try:
                events = list(self.device.read())
            except BlockingIOError:
                events = []
            except OSError as exc:
                gone = exc.errno in (errno.ENODEV, errno.EIO, errno.EBADF)
                why = "was unplugged" if gone else f"failed ({exc.strerror or exc})"
                self.on_fault(f"The pedal {why}; voice commands still work.")
                return False
            now = self.clock()
            offset = now - self.wall()
            for event in events:
                edge = self.edges.feed(event.type, event.code, event.value)
                if edge is not None:
                    at = min(now, event.sec + event.usec / 1e6 + offset)
                    self._give(
                        self.classifier.down(at) if edge == "down" else self.classifier.up(at)
                    )
        self._give(self.classifier.poll(self.clock()))
        return True

    def _give(self, intent: Intent | None) -> None:
        if intent is not None:
            self.emit(intent)

    def _run(self) -> None:  # the only job of this thread
        while self.pump(None):
            pass

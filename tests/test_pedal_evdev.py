"""The evdev pedal: recorded kernel events, the reading thread, every way opening fails."""

from __future__ import annotations

import os
import queue
import sys
import time
from pathlib import Path

import pytest

from assistant.intents import Intent
from assistant.pedal import (
    NEXT,
    STOP,
    EvdevPedal,
    KeyEdges,
    PedalError,
    open_pedal,
    replay,
)

EV_SYN, EV_KEY, EV_MSC = 0, 1, 4
MSC_SCAN, KEY_B = 4, 48

# What a common USB foot pedal (it reports itself as a keyboard sending "b") gives the kernel,
# as `python -m evdev.evtest` prints it: scan code, key, sync. Times are the event stamps.
TAP = [
    (10.000, EV_MSC, MSC_SCAN, 458757),
    (10.000, EV_KEY, KEY_B, 1),
    (10.000, EV_SYN, 0, 0),
    (10.180, EV_MSC, MSC_SCAN, 458757),
    (10.180, EV_KEY, KEY_B, 0),
    (10.180, EV_SYN, 0, 0),
]
HOLD = [
    (20.000, EV_KEY, KEY_B, 1),
    (20.000, EV_SYN, 0, 0),
    (20.500, EV_KEY, KEY_B, 2),  # the kernel's autorepeat while held
    (20.533, EV_KEY, KEY_B, 2),
    (20.566, EV_KEY, KEY_B, 2),
    (21.900, EV_KEY, KEY_B, 0),
]
DOUBLE = [
    (30.000, EV_KEY, KEY_B, 1),
    (30.150, EV_KEY, KEY_B, 0),
    (30.400, EV_KEY, KEY_B, 1),
    (30.550, EV_KEY, KEY_B, 0),
]


def test_a_recorded_tap_hold_and_double_press() -> None:
    got = replay(TAP + HOLD + DOUBLE)
    assert [(round(t, 3), i) for t, i in got] == [
        (10.63, NEXT),  # 0.45 s after the release
        (20.8, STOP),  # held 0.8 s: stop while the foot is still down
        (30.4, STOP),  # the second press of a double
    ]


def test_a_three_treadle_pedal_acts_as_one_key() -> None:
    edges = KeyEdges()
    seq = [(EV_KEY, 30, 1), (EV_KEY, 48, 1), (EV_KEY, 30, 0), (EV_KEY, 48, 2), (EV_KEY, 48, 0)]
    assert [edges.feed(*e) for e in seq] == ["down", None, None, None, "up"]
    assert edges.feed(EV_MSC, MSC_SCAN, 1) is None


class RecordedDevice:
    """The hardware edge: a device whose descriptor is a pipe; each read gives one batch."""

    def __init__(
        self, batches: list[list[tuple[float, int, int, int]]], error: OSError | None = None
    ) -> None:
        evdev = pytest.importorskip("evdev", reason="python-evdev is not installed")
        self.fd, self._w = os.pipe()
        self.batches = [
            [evdev.InputEvent(int(t), round(t % 1 * 1e6), ty, c, v) for t, ty, c, v in batch]
            for batch in batches
        ]
        self.error = error
        self.grabbed = self.closed = False

    def send(self) -> None:
        os.write(self._w, b"!")

    def read(self) -> list:
        os.read(self.fd, 1)
        if self.error is not None:
            raise self.error
        return self.batches.pop(0)

    def grab(self) -> None:
        self.grabbed = True

    def ungrab(self) -> None:
        self.grabbed = False

    def close(self) -> None:
        self.closed = True
        for fd in (self.fd, self._w):
            os.close(fd)


def stamped(events: list[tuple[float, int, int, int]], start: float) -> list:
    """Recorded events moved to start at ``start`` (kernel stamps are wall-clock seconds)."""
    first = events[0][0]
    return [(start + t - first, ty, c, v) for t, ty, c, v in events]


def test_a_double_press_read_late_in_one_batch_is_still_stop() -> None:
    # the machine was busy: both presses arrive together, a second after they happened
    device = RecordedDevice([stamped(DOUBLE, time.time() - 1.0)])
    got: queue.Queue[Intent] = queue.Queue()
    with EvdevPedal(device, got.put) as pedal:
        assert device.grabbed
        device.send()
        assert got.get(timeout=5) == STOP
        assert pedal.classifier.deadline() is None
    assert device.closed and not device.grabbed


def test_the_reading_thread_gives_next_for_one_press() -> None:
    now = time.time()
    press = stamped(TAP, now)
    device = RecordedDevice([press[:3], press[3:]])
    got: queue.Queue[Intent] = queue.Queue()
    with EvdevPedal(device, got.put):
        device.send()
        device.send()
        assert got.get(timeout=5) == NEXT


def test_a_long_press_is_stop_before_the_foot_lifts() -> None:
    clock = [50.0]
    device = RecordedDevice([stamped(HOLD[:2], 50.0), stamped(HOLD[2:], 50.5)])
    got: list[Intent] = []
    pedal = EvdevPedal(device, got.append, clock=lambda: clock[0], wall=lambda: clock[0])
    try:
        device.send()
        pedal.pump(0)
        assert pedal.classifier.deadline() == pytest.approx(50.8)
        clock[0] = 50.79
        assert pedal.pump(0) and got == []
        clock[0] = 50.8
        pedal.pump(0)
        assert got == [STOP]  # still held: the release has not come
    finally:
        device.close()
        pedal.close()


def test_an_unplugged_pedal_is_a_fault_and_the_reader_ends() -> None:
    device = RecordedDevice([], error=OSError(19, "No such device"))
    faults: queue.Queue[str] = queue.Queue()
    with EvdevPedal(device, lambda _: None, on_fault=faults.put) as pedal:
        device.send()
        assert faults.get(timeout=5) == "The pedal was unplugged; voice commands still work."
        assert pedal._thread is not None
        pedal._thread.join(timeout=5)
        assert not pedal._thread.is_alive()


def test_without_python_evdev_the_message_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "evdev", None)
    with pytest.raises(PedalError, match=r"needs python-evdev.*massage-assistant\[pedal\]"):
        open_pedal("/dev/input/event0")


def test_a_missing_device_is_said_plainly(tmp_path: Path) -> None:
    pytest.importorskip("evdev", reason="python-evdev is not installed")
    with pytest.raises(PedalError, match=r"no such device .*is the pedal plugged in"):
        open_pedal(str(tmp_path / "event9"))


def test_a_file_that_is_no_input_device_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("evdev", reason="python-evdev is not installed")
    path = tmp_path / "notes.txt"
    path.write_text("not a device")
    with pytest.raises(PedalError, match="not an input device"):
        open_pedal(str(path))


def test_a_device_that_cannot_be_read_names_the_input_group(tmp_path: Path) -> None:
    pytest.importorskip("evdev", reason="python-evdev is not installed")
    if os.geteuid() == 0:
        pytest.skip("root reads every file, so permission cannot be denied here")
    path = tmp_path / "event0"
    path.write_text("")
    path.chmod(0)
    with pytest.raises(PedalError, match=r"permission denied.*'input' group"):
        open_pedal(str(path))


def test_a_name_that_matches_no_device_lists_what_there_is() -> None:
    pytest.importorskip("evdev", reason="python-evdev is not installed")
    with pytest.raises(PedalError, match=r"no input device has that in its name\. Devices: "):
        open_pedal("no-such-pedal-name")


def test_a_real_uinput_pedal() -> None:
    """End to end through the kernel, where this machine lets us make a virtual pedal."""
    evdev = pytest.importorskip("evdev", reason="python-evdev is not installed")
    if not os.access("/dev/uinput", os.W_OK):
        pytest.skip("no writable /dev/uinput here (a container): the recorded events stand in")
    ui = evdev.UInput({EV_KEY: [KEY_B]}, name="massage-assistant test pedal")
    got: queue.Queue[Intent] = queue.Queue()
    try:
        device = open_pedal("massage-assistant test pedal")
        with EvdevPedal(device, got.put, grab=False):
            for value in (1, 0, 1, 0):
                ui.write(EV_KEY, KEY_B, value)
                ui.syn()
            assert got.get(timeout=5) == STOP
    finally:
        ui.close()

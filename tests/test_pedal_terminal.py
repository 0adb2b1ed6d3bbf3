"""The terminal pedal on a real pseudo-terminal: keys without Enter, the terminal put back."""

from __future__ import annotations

import contextlib
import os
import queue
import termios
from collections.abc import Iterator

import pytest

from assistant.intents import Intent
from assistant.pedal.presses import NEXT, STOP
from assistant.pedal.terminal import TerminalPedal, count_keys


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def pty() -> Iterator[tuple[int, int]]:
    master, slave = os.openpty()
    yield master, slave
    for fd in (master, slave):
        with contextlib.suppress(OSError):
            os.close(fd)


def test_count_keys_splits_escape_sequences_and_utf8() -> None:
    assert count_keys(b"a") == 1
    assert count_keys(b"ab") == 2
    assert count_keys(b"\x1b[A") == 1  # an arrow key
    assert count_keys(b"\x1b[15~\x1bOP") == 2  # F5, F1
    assert count_keys("é한".encode()) == 2
    assert count_keys(b" \n") == 2
    assert count_keys(b"") == 0


def test_keys_without_enter_on_a_virtual_timeline(pty: tuple[int, int]) -> None:
    master, slave = pty
    clock, got = Clock(), []
    pedal = TerminalPedal(slave, got.append, clock=clock)
    pedal.raw_mode()
    try:
        os.write(master, b" ")  # a single key, no Enter
        assert pedal.pump(1.0)
        assert got == []  # a second key might still come
        clock.t += 0.69
        pedal.pump(0)
        assert got == []
        clock.t += 0.01
        pedal.pump(0)
        assert got == [NEXT]
        os.write(master, b"\x1b[B")  # an arrow key: one press
        pedal.pump(1.0)
        clock.t += 0.3
        os.write(master, b"x")  # a second press soon after: stop, at once
        pedal.pump(1.0)
        assert got == [NEXT, STOP]
    finally:
        pedal.restore()


def test_the_terminal_is_in_cbreak_mode_inside_and_restored_after(pty: tuple[int, int]) -> None:
    _, slave = pty
    before = termios.tcgetattr(slave)
    assert before[3] & termios.ICANON and before[3] & termios.ECHO
    with TerminalPedal(slave, lambda _: None):
        inside = termios.tcgetattr(slave)
        assert not inside[3] & termios.ICANON
        assert not inside[3] & termios.ECHO
    assert termios.tcgetattr(slave) == before


def test_the_terminal_is_restored_when_the_block_raises(pty: tuple[int, int]) -> None:
    _, slave = pty
    before = termios.tcgetattr(slave)
    with pytest.raises(KeyboardInterrupt), TerminalPedal(slave, lambda _: None):
        raise KeyboardInterrupt
    assert termios.tcgetattr(slave) == before


def test_the_reading_thread_gives_stop_for_two_keys_at_once(pty: tuple[int, int]) -> None:
    master, slave = pty
    got: queue.Queue[Intent] = queue.Queue()
    with TerminalPedal(slave, got.put) as pedal:
        os.write(master, b"kk")  # two keys in one read: a double press
        assert got.get(timeout=5) == STOP
        os.write(master, b"n")
        assert got.get(timeout=5) == STOP  # right after a stop: still stop, never next
        assert pedal._thread is not None and pedal._thread.is_alive()
    assert pedal._thread is not None and not pedal._thread.is_alive()


def test_the_reading_thread_gives_next_for_one_key_in_real_time(pty: tuple[int, int]) -> None:
    master, slave = pty
    got: queue.Queue[Intent] = queue.Queue()
    with TerminalPedal(slave, got.put):
        os.write(master, b"\n")
        assert got.get(timeout=5) == NEXT


def test_a_closed_terminal_ends_the_reader(pty: tuple[int, int]) -> None:
    master, slave = pty
    pedal = TerminalPedal(slave, lambda _: None)
    os.close(master)
    try:
        assert pedal.pump(1.0) is False
        assert pedal.closed
    finally:
        pedal.close()

"""``--pedal``: presses reach the session through the same input queue as speech, and a
stop press silences the speaker within one audio block."""

from __future__ import annotations

import contextlib
import os
import queue
import select
import subprocess
import sys
import time
from collections.abc import Iterator

import numpy as np
import pytest

from assistant.audio.live import BLOCK
from assistant.audio.mixer import Mixer
from assistant.errors import AssistantError
from assistant.intents import Intent
from assistant.pedal.wire import pedal_input
from assistant.recognizers.listener import Heard
from tests.audiokit import level_db, line_audio


@pytest.fixture
def pty() -> Iterator[tuple[int, int]]:
    master, slave = os.openpty()
    yield master, slave
    for fd in (master, slave):
        with contextlib.suppress(OSError):
            os.close(fd)


def test_a_stop_press_silences_the_narration_within_one_audio_block(
    pty: tuple[int, int],
) -> None:
    master, slave = pty
    lines = line_audio()
    try:
        speech = lines.get("Slide both palms slowly up either side of the spine, then back.")
    finally:
        lines.close()
        lines.renderer.close()
    mixer = Mixer()
    mixer.say("a long line", speech)
    got: queue.Queue[Heard] = queue.Queue()
    with pedal_input("terminal", got.put, cut=mixer.cut, fd=slave):
        played = [mixer.read(BLOCK)[1] for _ in range(8)]  # the card pulls blocks
        assert max(level_db(b) for b in played) > -40.0  # the voice is speaking
        os.write(master, b"kk")  # a double press: stop
        assert got.get(timeout=5).intent == Intent("stop")  # on the session's input queue
        after = mixer.read(BLOCK)[1]  # the very next block the card pulls
    assert not np.any(after), "the voice went on after the stop press"
    assert mixer.speaking() is False


def test_a_single_press_is_next_on_the_queue(pty: tuple[int, int]) -> None:
    master, slave = pty
    got: queue.Queue[Heard] = queue.Queue()
    cuts: list[int] = []
    with pedal_input("terminal", got.put, cut=lambda: cuts.append(1), fd=slave) as attached:
        assert attached
        os.write(master, b"n")
        assert got.get(timeout=5).intent == Intent("next")
    assert cuts == []  # next does not silence anything


def test_no_pedal_is_no_input_and_a_missing_device_is_said_plainly() -> None:
    with pedal_input(None, lambda _: None) as attached:
        assert attached is False
    missing = pedal_input("/dev/input/no-such-pedal", lambda _: None)
    with pytest.raises(AssistantError, match="--pedal /dev/input/no-such-pedal"), missing:
        pass


def test_terminal_pedal_needs_a_terminal() -> None:
    read, write = os.pipe()
    try:
        piped = pedal_input("terminal", lambda _: None, fd=read)
        with pytest.raises(AssistantError, match="needs a terminal"), piped:
            pass
    finally:
        os.close(read)
        os.close(write)


def _read_until(fd: int, text: str, limit: float = 60.0) -> str:
    out = b""
    give_up = time.monotonic() + limit
    while text.encode() not in out and time.monotonic() < give_up:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
    return out.decode(errors="replace")


def test_run_with_the_terminal_pedal_next_then_stop_without_enter(pty: tuple[int, int]) -> None:
    """A whole typed session where the keys are the pedal: no Enter anywhere."""
    master, slave = pty
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "run", "gentle-first", "--keyboard",
         "--pedal", "terminal", "--no-journal", "--durations", "wpm"],
        stdin=slave, stdout=slave, stderr=slave, close_fds=True,
    )  # fmt: skip
    try:
        seen = _read_until(master, "Gentle first massage.")  # the welcome has begun
        os.write(master, b"k")  # a tap: next
        seen += _read_until(master, "> next")
        os.write(master, b"kk")  # a double press: stop
        seen += _read_until(master, "[stopped]")
        os.write(master, b"kk")  # stop again: the session ends
        seen += _read_until(master, "Session over")
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "> next" in seen and "> stop" in seen
    assert seen.index("> next") < seen.index("[stopped]") < seen.index("Session over: stopped")
    assert "Traceback" not in seen

"""``massage-assistant`` and ``run`` without a routine: the menu, then the chosen session,
in each way ``run`` can go (typed, simulated), through the real command line."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from assistant import cli
from assistant.app import AppConfig, NarrationConfig
from assistant.audio.devices import DeviceReport, probe_devices
from assistant.menu.start import choose_and_run

NOBODY = DeviceReport(microphone=None, speaker=None)


def config(**more: object) -> AppConfig:
    return AppConfig(routine="", narration=NarrationConfig(durations="wpm"), **more)  # type: ignore[arg-type]


def test_with_no_microphone_and_no_keyboard_a_simulated_person_answers_the_menu(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = choose_and_run(config(), probe=lambda: NOBODY, stdin_is_tty=lambda: False)
    out, err = capsys.readouterr()
    assert status == 0
    assert "a simulated person answers the menu" in err
    assert out.index("Hello, I am your massage assistant") < out.index("Two: Gentle first")
    assert "Starting Gentle first massage." in out
    assert "simulated session of 'gentle-first'" in err
    assert "Session over:" in out


def test_typed_menu_then_typed_session_share_one_keyboard(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the menu takes two lines; the session gets the rest of the same input
    monkeypatch.setattr(sys, "stdin", io.StringIO("help\nknot relief\nstop\nstop\n"))
    status = choose_and_run(config(keyboard=True), probe=lambda: NOBODY, stdin_is_tty=lambda: True)
    out, _ = capsys.readouterr()
    assert status == 0
    assert "Here you can say a number from one to four" in out
    assert "Starting Knot relief." in out
    assert "Knot relief" in out.split("Starting Knot relief.")[1]  # the session's welcome
    assert "> stop" in out and "Session over: stopped." in out


def test_a_typed_menu_left_with_stop_starts_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("banana\nstop\n"))
    status = choose_and_run(config(keyboard=True), probe=lambda: NOBODY, stdin_is_tty=lambda: True)
    out, _ = capsys.readouterr()
    assert status == 0
    assert "Sorry, I did not catch that." in out and "Leaving the menu." in out
    assert "Session over" not in out


def test_the_bare_command_opens_the_menu(tmp_path: object) -> None:
    if probe_devices().microphone is not None:
        pytest.skip("this machine has a microphone: the menu would listen to it")
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "--help"], capture_output=True, text=True, timeout=60
    )
    assert "kiosk" in done.stdout and "soak" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "assistant"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "MASSAGE_JOURNAL": str(tmp_path) + "/j.db"},
    )
    assert done.returncode == 0, done.stderr
    assert "There are 4 routines." in done.stdout
    assert "Starting Gentle first massage." in done.stdout
    assert "Traceback" not in done.stderr


def test_run_with_a_routine_still_skips_the_menu(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["simulate", "gentle-first", "--quiet", "--durations", "wpm"])
    out, err = capsys.readouterr()
    assert status == 0 and "There are" not in out and "outcome:" in err

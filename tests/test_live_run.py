"""The ``run`` command's live path, as a user with a microphone gets it, end to end.

``app.run`` is told (by its injected device probe) that there is a microphone and a
speaker; the sound card itself is the fake stream of test_live_audio, fed real recordings
of people saying *stop* and espeak-ng saying *resume*. Everything between the card and the
session (mixer, echo canceller, PocketSphinx, listener, supervisor, input queue, session,
narration) is the real code. An unplugged card pauses the session; once it is back, a
spoken *resume* carries on; a spoken *stop* stops.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant import app
from assistant.app import AppConfig, AudioConfig, NarrationConfig
from assistant.audio.devices import DeviceReport
from assistant.events import Event
from assistant.events.kinds import End, Fault, Heard, IntentHeard, State
from assistant.intents import load_vocabulary
from assistant.recognizers import open_recognizer
from assistant.recognizers.listener import Listener
from tests.audiokit import quiet, recognized_clips, recognized_voices
from tests.test_live_audio import BLOCK, WAIT, Card, FakeStream


class Watcher:
    """An event sink the test waits on (with a timeout only a broken path reaches)."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.changed = threading.Condition()

    def emit(self, event: Event) -> None:
        with self.changed:
            self.events.append(event)
            self.changed.notify_all()

    def wait(self, what: Callable[[Event], bool], after: int = 0) -> int:
        """Index of the first event from ``after`` on that ``what`` accepts."""
        with self.changed:

            def found() -> int | None:
                return next((i for i, e in enumerate(self.events) if i >= after and what(e)), None)

            assert self.changed.wait_for(lambda: found() is not None, timeout=WAIT), what
            index = found()
            assert index is not None
            return index


def _say(stream: FakeStream, clip: np.ndarray, before: float = 0.3) -> None:
    """Push a recording through the card's callback no faster than the listener takes it,
    after ``before`` seconds of room tone (during which the card plays what is due)."""
    link: Any = stream.callback.__self__  # type: ignore[attr-defined]
    pcm = np.concatenate([quiet(before), clip, quiet(1.0)])
    for i in range(0, len(pcm) - BLOCK, BLOCK):
        stream.push(pcm[i : i + BLOCK])
        link.blocks.join()


def _state(name: str) -> Callable[[Event], bool]:
    return lambda e: isinstance(e, State) and e.state == name


def test_run_live_unplug_pauses_replug_and_resume_carries_on_stop_stops() -> None:
    vocab = load_vocabulary("en")

    def make() -> Listener:
        return Listener(open_recognizer(vocab, "pocketsphinx").recognizer, vocab)

    stop = recognized_clips("stop", 1, make)[0]
    resume = recognized_voices("resume", 1, make)[0]
    card = Card(missing=0)
    watcher = Watcher()
    cfg = AppConfig(
        routine="gentle-first",
        # the fake card only delivers sound when the test speaks: never call it silent
        audio=AudioConfig(engine="pocketsphinx", silent_after=3600.0),
        narration=NarrationConfig(durations="wpm"),
    )
    probe = lambda: DeviceReport(microphone="test microphone", speaker="test speaker")  # noqa: E731
    result: dict[str, int] = {}

    def run() -> None:
        result["status"] = app.run(
            cfg, probe=probe, stdin_is_tty=lambda: False, card=card.factory, sinks=[watcher]
        )

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    first = card.wait_for(1)
    at = watcher.wait(_state("screening"))

    first.active = False  # unplugged mid-welcome: the session pauses, hands still
    at = watcher.wait(lambda e: isinstance(e, Fault), at)
    at = watcher.wait(_state("paused"), at)
    second = card.wait_for(2)  # plugged back in: the supervisor reopens it

    _say(second, resume, before=8.0)  # once "Paused. Say resume..." has been played
    at = watcher.wait(lambda e: isinstance(e, IntentHeard) and e.name == "resume", at)
    heard = watcher.events[at - 1]  # the listener's verdict reached the session, not just text
    assert isinstance(heard, Heard) and heard.confidence is not None, heard
    at = watcher.wait(_state("screening"), at)

    _say(second, stop)
    at = watcher.wait(lambda e: isinstance(e, IntentHeard) and e.name == "stop", at)
    assert isinstance(watcher.events[at + 1], State) and watcher.events[at + 1].state == "stopped"

    _say(second, stop)  # a second stop ends the session
    watcher.wait(lambda e: isinstance(e, End), at)
    second.active = False  # nothing left to play: let run() return
    thread.join(WAIT)
    assert not thread.is_alive() and result == {"status": 0}


def test_run_with_no_microphone_types_instead_and_stops_safely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The probe finds no microphone: ``run`` says so, takes typed commands instead, a typed
    stop stops (hands off), the end of input ends the session; exit status 0, no traceback."""
    events = tmp_path / "events.jsonl"
    cfg = AppConfig(
        routine="gentle-first",
        events=str(events),
        narration=NarrationConfig(durations="wpm"),
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("help\nstop\n"))
    probe = lambda: DeviceReport(None, None, "no input device found")  # noqa: E731
    status = app.run(cfg, probe=probe, stdin_is_tty=lambda: True)
    err = capsys.readouterr().err
    assert status == 0
    assert "No microphone found (no input device found)." in err
    assert "Text mode" in err and "Traceback" not in err
    records = [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines()]
    states = [r["state"] for r in records if r["type"] == "state"]
    assert states[-2:] == ["stopped", "ended"]
    heard = [r for r in records if r["type"] == "heard"]
    assert [r["text"] for r in heard] == ["help", "stop"]
    assert all("confidence" not in r for r in heard), "typed text has no confidence"
    assert records[-1] == {**records[-1], "type": "end", "outcome": "stopped"}


def test_run_with_no_microphone_and_no_keyboard_shows_a_simulated_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nobody can type either (a pipe, CI): a whole simulated session, kept out of the
    journal, and exit status 0."""
    cfg = AppConfig(routine="gentle-first", narration=NarrationConfig(durations="wpm"))
    probe = lambda: DeviceReport(None, None)  # noqa: E731
    status = app.run(cfg, probe=probe, stdin_is_tty=lambda: False)
    err = capsys.readouterr().err
    assert status == 0
    assert "No microphone found (microphone: no microphone; speaker: no speaker)." in err
    assert "No keyboard attached either" in err and "outcome: finished" in err
    assert "Traceback" not in err

"""The ``run`` command's live path, as a user with a microphone gets it, end to end.

``app.run`` is told (by its injected device probe) that there is a microphone and a
speaker; the sound card itself is the fake stream of test_live_audio, fed real recordings
of people saying *stop* and espeak-ng saying *resume*. Everything between the card and the
session (mixer, echo canceller, PocketSphinx, listener, supervisor, input queue, session,
narration) is the real code. An unplugged card pauses the session; once it is back, a
spoken *resume* carries on; a spoken *stop* stops.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from assistant import app
from assistant.app import AppConfig, AudioConfig, NarrationConfig
from assistant.audio.devices import DeviceReport
from assistant.events import Event
from assistant.events.kinds import End, Fault, IntentHeard, State
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
    at = watcher.wait(_state("screening"), at)

    _say(second, stop)
    at = watcher.wait(lambda e: isinstance(e, IntentHeard) and e.name == "stop", at)
    assert isinstance(watcher.events[at + 1], State) and watcher.events[at + 1].state == "stopped"

    _say(second, stop)  # a second stop ends the session
    watcher.wait(lambda e: isinstance(e, End), at)
    second.active = False  # nothing left to play: let run() return
    thread.join(WAIT)
    assert not thread.is_alive() and result == {"status": 0}

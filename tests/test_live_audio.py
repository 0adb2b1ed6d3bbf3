"""The live device path with the sound card replaced at its edge by a fake stream.

The fake stream is fed real audio (espeak-ng speech) through the real callback, so
everything behind it (mixer, echo canceller, recognizer, listener, supervisor) is
the real code. Unplugging is the stream going inactive or silent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from assistant.audio.live import QUEUE_SECONDS, AudioLink, DeviceError, LiveListening
from assistant.audio.mixer import Mixer
from assistant.intents import load_vocabulary
from assistant.recognizers import open_recognizer
from assistant.recognizers.listener import Heard, Listener
from tests.audiokit import quiet, recognized_clips

BLOCK = 512
WAIT = 30.0  # generous: only a broken supervisor ever waits this long


class FakeStream:
    """Stands where PortAudio would: the test pushes microphone blocks through the callback."""

    def __init__(self, callback: Callable[..., None]) -> None:
        self.callback = callback
        self.active = False
        self.played: list[np.ndarray] = []

    def start(self) -> None:
        self.active = True

    def close(self) -> None:
        self.active = False

    def push(self, mic: np.ndarray) -> None:
        out = np.zeros((len(mic), 1), dtype=np.int16)
        self.callback(mic.reshape(-1, 1), out, len(mic), None, None)
        self.played.append(out[:, 0].copy())


class Card:
    """A sound card that is missing at first, appears, and can be unplugged."""

    def __init__(self, missing: int) -> None:
        self.missing = missing
        self.streams: list[FakeStream] = []
        self.opened = threading.Condition()

    def factory(self, callback: Callable[..., None], *_: Any) -> FakeStream:
        with self.opened:
            if self.missing > 0:
                self.missing -= 1
                raise DeviceError("no microphone found")
            stream = FakeStream(callback)
            self.streams.append(stream)
            self.opened.notify_all()
            return stream

    def wait_for(self, n: int) -> FakeStream:
        with self.opened:
            assert self.opened.wait_for(lambda: len(self.streams) >= n, timeout=WAIT)
            return self.streams[n - 1]


def _speak(stream: FakeStream, clip: np.ndarray, link: AudioLink) -> None:
    """Push a recording through the callback, no faster than the listener takes it
    (a real card delivers in real time; a long burst would overflow the queue)."""
    pcm = np.concatenate([quiet(0.3), clip, quiet(1.0)])
    for i in range(0, len(pcm) - BLOCK, BLOCK):
        stream.push(pcm[i : i + BLOCK])
        link.blocks.join()


def test_missing_then_unplugged_microphone_is_reported_and_reopened() -> None:
    vocab = load_vocabulary("en")

    def make() -> Listener:
        return Listener(open_recognizer(vocab, "pocketsphinx").recognizer, vocab)

    yes = recognized_clips("yes", 1, make)[0]
    listener = make()
    card = Card(missing=2)
    mixer = Mixer()
    link = AudioLink(mixer, factory=card.factory, silent_after=3600)
    heard: list[Heard] = []
    faults: list[str] = []
    restored = threading.Event()
    got = threading.Condition()

    def on_heard(h: Heard) -> None:
        with got:
            heard.append(h)
            got.notify_all()

    live = LiveListening(
        link, listener, on_heard=on_heard, on_fault=faults.append,
        on_restored=restored.set, first_backoff=0.001, max_backoff=0.01,
    )  # fmt: skip
    live.start()
    try:
        first = card.wait_for(1)
        assert restored.wait(WAIT)
        assert faults == ["no microphone found"]  # reported once, not on every retry
        assert live.attempts == 3
        mixer.say("a line", np.full(BLOCK * 4, 1200, dtype=np.int16))
        _speak(first, yes, link)
        with got:
            assert got.wait_for(lambda: heard, timeout=WAIT)
        assert heard[0].intent is not None and heard[0].intent.name == "yes"
        assert (first.played[0] == 1200).all(), "the speaker is fed from the mixer"
        restored.clear()
        first.active = False  # unplugged
        second = card.wait_for(2)
        assert restored.wait(WAIT)
        assert len(faults) == 2 and "stopped" in faults[1]
        _speak(second, yes, link)
        with got:
            assert got.wait_for(lambda: len(heard) >= 2, timeout=WAIT)
        # delivered after the reopen (which word PocketSphinx makes of it, after the
        # first utterance, is its own accuracy's business: see test_recognition_sphinx)
        assert heard[1].intent is not None and heard[1].intent.name == "yes"
        assert heard[1].t > heard[0].t
        assert link.dropped == 0
    finally:
        live.stop()


def test_a_stop_said_while_the_listener_is_busy_is_heard_late_not_lost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The listening thread can be held seconds by one utterance's end (the Whisper
    engine's budget is 3 s; one decode on a Pi 4 takes 2 s); here it is held by the
    session taking a real "stop". A stop said meanwhile waits in the queue, up to
    ``QUEUE_SECONDS`` of audio, and is heard once the thread is free. Only a thread
    further behind loses audio, the oldest first, so that it answers what is said now;
    the log says how much, once a minute at most."""
    vocab = load_vocabulary("en")

    def make() -> Listener:
        return Listener(open_recognizer(vocab, "pocketsphinx").recognizer, vocab)

    stop = recognized_clips("stop", 1, make)[0]
    clock = [0.0]
    card = Card(missing=0)
    link = AudioLink(Mixer(), factory=card.factory, now=lambda: clock[0], silent_after=3600)
    blocks, done = link.blocks, link.blocks.all_tasks_done
    heard: list[Heard] = []
    held = [False]
    free = threading.Semaphore(0)

    def on_heard(h: Heard) -> None:  # the thread is held here until the test frees it
        heard.append(h)
        with done:
            held[0] = True
            done.notify_all()
        assert free.acquire(timeout=WAIT), "the test froze"

    live = LiveListening(
        link, make(), on_heard=on_heard, on_fault=print, on_restored=lambda: None
    )  # fmt: skip
    caplog.set_level("WARNING", logger="assistant.audio.live")
    live.start()
    stream = card.wait_for(1)

    def cut(pcm: np.ndarray) -> list[np.ndarray]:
        return [pcm[i : i + BLOCK] for i in range(0, len(pcm) - BLOCK + 1, BLOCK)]

    said = cut(np.concatenate([quiet(0.3), stop, quiet(1.5)]))
    pushed = [0]  # samples the card has delivered

    def push(block: np.ndarray) -> None:
        stream.push(block)
        pushed[0] += len(block)

    def say_until_held() -> None:
        """A stop at a real card's pace (the thread keeps up) until it is heard."""
        for block in said:
            push(block)
            with done:
                assert done.wait_for(lambda: held[0] or not blocks.unfinished_tasks, WAIT)
        assert held[0], "the stop is heard"

    def meanwhile(count: int, with_stop: bool = False) -> list[np.ndarray]:
        """``count`` blocks arrive while the thread is held (a stop first, if asked);
        then it is freed. What was waiting, then what arrived, in order."""
        pcm = np.concatenate([*(said if with_stop else []), *[quiet(1.0)] * 10])
        arriving = cut(pcm)[:count]
        assert len(arriving) == count
        waiting = [mic for mic, _ in blocks.queue]
        for block in arriving:
            push(block)
        held[0] = False
        free.release()
        return waiting + arriving

    try:
        say_until_held()
        meanwhile(blocks.maxsize - blocks.qsize(), with_stop=True)  # the queue just holds it
        assert link.dropped == 0 and blocks.maxsize * BLOCK / 16000 >= QUEUE_SECONDS - 0.05
        with done:  # the thread works through the queue and hears the second stop
            assert done.wait_for(lambda: held[0], WAIT)
        assert len(heard) == 2 and not caplog.records

        over = 30
        audio = meanwhile(blocks.maxsize - blocks.qsize() + over)
        assert link.dropped == over * BLOCK
        kept = [mic for mic, _ in blocks.queue]
        assert all(map(np.array_equal, kept, audio[over:])), "the oldest are lost"
        blocks.join()
        assert [r.getMessage() for r in caplog.records] == [
            f"the listener fell behind: {over * BLOCK / 16000:.1f} s of audio lost"
        ]
        say_until_held()  # held again, audio lost again: the log is not told again
        meanwhile(blocks.maxsize - blocks.qsize() + over)
        blocks.join()
        assert len(caplog.records) == 1, "once a minute at most"
        clock[0] = 61.0
        say_until_held()
        meanwhile(blocks.maxsize - blocks.qsize() + over)
        blocks.join()
        assert len(caplog.records) == 2
        ends = (pushed[0] + len(quiet(0.3)) + len(stop)) / 16000
        say_until_held()
        assert len(heard) == 5
        # its time is true to the audio, the lost seconds counted (the words after a
        # loss are still timed against the narration, for the echo check)
        assert abs(heard[-1].t - ends) < 0.3, (heard[-1].t, ends)
        assert all(h.intent is not None and h.intent.name == "stop" for h in heard)
    finally:
        free.release(10)
        live.stop()


def test_a_silent_device_counts_as_gone() -> None:
    clock = [0.0]
    card = Card(missing=0)
    link = AudioLink(Mixer(), factory=card.factory, now=lambda: clock[0], silent_after=2.0)
    link.open()
    stream = card.streams[0]
    stream.push(np.zeros(BLOCK, dtype=np.int16))
    assert link.healthy()
    clock[0] = 1.5
    assert link.healthy()
    clock[0] = 4.0
    assert not link.healthy() and "unplugged" in link.problem
    stream.push(np.zeros(BLOCK, dtype=np.int16))
    assert link.healthy()
    link.close()
    assert not stream.active


@pytest.mark.parametrize("missing", ["no sounddevice", "no portaudio"])
def test_open_sounddevice_errors_are_device_errors(
    missing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from assistant.audio import live as live_audio

    if missing == "no sounddevice":
        monkeypatch.setitem(sys.modules, "sounddevice", None)
    else:
        import sounddevice

        def fail(*a: object, **k: object) -> None:
            raise sounddevice.PortAudioError("Error querying device -1")

        monkeypatch.setattr(sounddevice, "Stream", fail)
    with pytest.raises(DeviceError):
        live_audio.open_sounddevice(lambda *a: None, None, None, BLOCK)

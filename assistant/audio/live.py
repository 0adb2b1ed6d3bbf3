"""The sound card, live: one stream, a listening thread, and a supervisor.

The stream callback only copies: the microphone block and the block the mixer
hands to the speaker go on a queue together (so the echo canceller sees them
aligned). A listening thread runs echo cancellation, the recognizer and the
listener, and puts commands on the session's input queue. When the device fails
(none at start, unplugged mid-session), the session is told (it pauses), the
keyboard still works, and a supervisor reopens the device with back-off.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from assistant.audio.echo import EchoCanceller
from assistant.audio.mixer import Mixer
from assistant.audio.pcm import RATE, Pcm
from assistant.errors import AssistantError
from assistant.recognizers.listener import Heard, Listener

__all__ = ["QUEUE_SECONDS", "AudioLink", "DeviceError", "LiveListening", "open_sounddevice"]

log = logging.getLogger(__name__)

BLOCK = 512  # 32 ms at 16 kHz: stop silences the voice within this
#: Seconds of audio the queue holds while the listening thread is busy. The end of a
#: rejected word in noise holds it up to the recognizer's budget (3 s; one 2 s decode on
#: a Pi 4 on one thread, more while a person keeps talking): a stop said meanwhile is
#: heard late rather than lost. Only a machine that never catches up loses audio, the
#: oldest first, so that it answers what is said now. 6 s of both sides is 384 kB.
QUEUE_SECONDS = 6.0


class DeviceError(AssistantError):
    """The microphone or speaker cannot be opened or has gone away."""


class Stream(Protocol):
    active: bool

    def start(self) -> None: ...
    def close(self) -> None: ...


#: (callback, input device, output device, block) -> started-able stream.
StreamFactory = Callable[[Callable[..., None], Any, Any, int], Stream]


def open_sounddevice(
    callback: Callable[..., None], input_device: Any, output_device: Any, block: int
) -> Stream:
    """A sounddevice stream: duplex when there is a speaker, input-only otherwise."""
    try:
        import sounddevice as sd
    except (ImportError, OSError) as exc:
        raise DeviceError(f"audio is unavailable ({exc}); install libportaudio2") from exc
    try:
        if output_device is False:
            stream: Stream = sd.InputStream(
                samplerate=RATE, blocksize=block, channels=1, dtype="int16",
                device=input_device, callback=lambda i, f, t, s: callback(i, None, f, t, s),
            )  # fmt: skip
            return stream
        stream = sd.Stream(
            samplerate=RATE, blocksize=block, channels=1, dtype="int16",
            device=(input_device, output_device), callback=callback,
        )  # fmt: skip
        return stream
    except Exception as exc:  # PortAudio reports trouble as several exception types
        raise DeviceError(f"cannot open the audio device: {exc}") from exc


def play_pcm(pcm: Pcm, output_device: Any = None) -> None:
    """Play samples to the speaker and wait for the end (the earcon tour; no microphone)."""
    try:
        import sounddevice as sd
    except (ImportError, OSError) as exc:
        raise DeviceError(f"audio is unavailable ({exc}); install libportaudio2") from exc
    try:
        sd.play(pcm, RATE, device=output_device, blocking=True)
    except Exception as exc:  # PortAudio reports trouble as several exception types
        raise DeviceError(
            f"cannot play on the speaker ({exc}); write the sounds as WAV files with --out DIR"
        ) from exc


class AudioLink:
    """Owns the stream; its callback copies microphone and speaker blocks, nothing more."""

    def __init__(
        self,
        mixer: Mixer,
        *,
        input_device: Any = None,
        output_device: Any = None,
        block: int = BLOCK,
        factory: StreamFactory = open_sounddevice,
        now: Callable[[], float] = time.monotonic,
        silent_after: float = 2.0,
    ) -> None:
        self.mixer = mixer
        self.now = now
        self.silent_after = silent_after  # no callback for this long: the device is gone
        self.last_block = 0.0
        self.input_device = input_device
        self.output_device = output_device
        self.block = block
        self.factory = factory
        size = max(4, round(QUEUE_SECONDS * RATE / block))
        self.blocks: queue.Queue[tuple[Pcm, Pcm]] = queue.Queue(maxsize=size)
        self.dropped = 0  # samples of microphone audio lost that way
        self.round_trip = 0.0  # seconds from a block's capture to the playing of its partner
        self.failed = threading.Event()
        self.problem = ""
        self._stream: Stream | None = None

    def open(self) -> None:
        """Open and start the stream; :class:`DeviceError` when it cannot."""
        self.failed.clear()
        self.last_block = self.now()
        stream = self.factory(self._callback, self.input_device, self.output_device, self.block)
        try:
            stream.start()
        except Exception as exc:
            stream.close()
            raise DeviceError(f"cannot start the audio device: {exc}") from exc
        self._stream = stream

    def _callback(self, indata: Any, outdata: Any, frames: int, when: Any, status: Any) -> None:
        played, _ = self.mixer.read(frames)
        if outdata is not None:
            outdata[:, 0] = played
        self.last_block = self.now()
        if outdata is not None and when is not None:  # PortAudio's timing of this block
            with contextlib.suppress(AttributeError, TypeError):
                self.round_trip = max(0.0, when.outputBufferDacTime - when.inputBufferAdcTime)
        item = (np.array(indata[:, 0], dtype=np.int16), played)
        try:
            self.blocks.put_nowait(item)
        except queue.Full:  # the listener is behind: drop the oldest block, keep the newest
            with contextlib.suppress(queue.Empty):
                self.dropped += len(self.blocks.get_nowait()[0])
                self.blocks.task_done()
            with contextlib.suppress(queue.Full):
                self.blocks.put_nowait(item)

    def healthy(self) -> bool:
        stream = self._stream
        if stream is None or not stream.active or self.failed.is_set():
            return False
        if self.now() - self.last_block > self.silent_after:
            self.problem = "the microphone stopped sending sound (unplugged?)"
            return False
        return True

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.close()
            except Exception as exc:  # a device that vanished may fail to close
                log.debug("closing the stream: %s", exc)


class LiveListening:
    """Listening thread plus device supervisor, reporting to the session's input.

    ``on_heard`` gets every command; ``on_fault``/``on_restored`` are told when the
    device goes and comes back. Back-off between reopen attempts doubles up to
    ``max_backoff`` seconds. ``wait`` is the pause function (injected for tests).
    """

    def __init__(
        self,
        link: AudioLink,
        listener: Listener | None,
        *,
        on_heard: Callable[[Heard], None],
        on_fault: Callable[[str], None],
        on_restored: Callable[[], None],
        echo: EchoCanceller | None = None,
        first_backoff: float = 1.0,
        max_backoff: float = 30.0,
    ) -> None:
        self.link = link
        self.listener = listener
        self.on_heard = on_heard
        self.on_fault = on_fault
        self.on_restored = on_restored
        self.echo = echo
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self._quit = threading.Event()
        self._threads: list[threading.Thread] = []
        self.attempts = 0
        self._delay = np.zeros(0, dtype=np.int16)  # speaker audio not yet heard back
        self._lost = 0  # samples lost since the log last said so
        self._lost_told = float("-inf")  # when it did

    def start(self) -> None:
        """Open the device (reporting a fault if it cannot) and start both threads."""
        for target, name in ((self._listen, "listener"), (self._supervise, "audio-supervisor")):
            t = threading.Thread(target=target, name=name, daemon=True)
            self._threads.append(t)
            t.start()

    def stop(self) -> None:
        self._quit.set()
        with contextlib.suppress(queue.Full):  # a full queue wakes the thread all the same
            self.link.blocks.put_nowait((np.zeros(0, np.int16), np.zeros(0, np.int16)))
        for t in self._threads:
            t.join(timeout=5)
        self.link.close()

    def _listen(self) -> None:
        """Echo cancellation, recognition and the listener's rules, block by block."""
        seen = 0  # samples the link had dropped at the latest block taken
        while not self._quit.is_set():
            mic, played = self.link.blocks.get()
            # dropped while the thread was busy: older than this block, newer than the last
            lost, seen = self.link.dropped - seen, self.link.dropped
            try:
                self._hear(mic, played, lost)
            finally:
                self.link.blocks.task_done()  # lets a test feed audio at the pace it is used

    def _hear(self, mic: Pcm, played: Pcm, lost: int) -> None:
        if not len(mic) or self.listener is None:  # no listener: the speaker is fed all the same
            return
        if lost:
            self._warn_lost(lost)
            self.listener.skip(lost)
        played = self._delayed(played)
        clean = self.echo.process(mic, played) if self.echo is not None else mic
        try:
            found = self.listener.feed(clean)
        except Exception as exc:  # a broken recognizer: say so once, keep the keyboard
            self.listener = None
            self.on_fault(f"the speech recognizer failed ({exc}); type commands instead")
            return
        for heard in found:
            self.on_heard(heard)

    def _warn_lost(self, samples: int) -> None:
        """Say in the log that audio was lost (once a minute at most: a machine that
        never catches up would otherwise write a line for every block)."""
        self._lost += samples
        if self.link.now() - self._lost_told < 60.0:
            return
        log.warning("the listener fell behind: %.1f s of audio lost", self._lost / RATE)
        self._lost, self._lost_told = 0, self.link.now()

    def _delayed(self, played: Pcm) -> Pcm:
        """The speaker's block as the microphone hears it: late by the device's round trip."""
        lag = int(self.link.round_trip * RATE)
        self._delay = np.concatenate([self._delay, played])
        if len(self._delay) < lag + len(played):  # the start: nothing played yet
            self._delay = np.concatenate(
                [np.zeros(lag + len(played) - len(self._delay), np.int16), self._delay]
            )
        out = self._delay[: len(played)]
        self._delay = self._delay[len(played) :]
        return out

    def _supervise(self) -> None:
        backoff = self.first_backoff
        up = False
        while not self._quit.is_set():
            if up and self.link.healthy():
                self._quit.wait(0.25)
                continue
            if up:  # it was working and has gone
                up = False
                self.link.close()
                self.on_fault(self.link.problem or "the microphone stopped")
            self.attempts += 1
            try:
                self.link.open()
            except DeviceError as exc:
                if self.attempts == 1:
                    self.on_fault(str(exc))
                self._quit.wait(backoff)
                backoff = min(self.max_backoff, backoff * 2)
                continue
            if self.attempts > 1:
                self.on_restored()
            up = True
            backoff = self.first_backoff

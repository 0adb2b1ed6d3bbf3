"""The voice that really sounds: rendered lines and earcons into the mixer.

:class:`AudioVoice` is the session's :class:`~assistant.narration.voice.Voice` for audio:
``say`` looks the line up in the cache (rendering it now if the background
pre-rendering has not reached it yet), queues it in the mixer and returns its true
length; ``cut`` empties the narration channel. :class:`EarconCues` listens to the
session's events and plays the matching earcon, and a beat on every stroke cue,
at the moment the cue is due, so the beat never drifts from the session clock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from assistant.audio.mixer import Mixer
from assistant.audio.pcm import RATE, Pcm, read_wav
from assistant.errors import AssistantError
from assistant.events import Event
from assistant.events.kinds import Cue, IntentHeard, Said, State
from assistant.narration.delivery import DEFAULT_DELIVERY, Delivery
from assistant.narration.render import Pyttsx3Renderer

__all__ = ["AudioVoice", "EarconCues", "LineAudio"]

log = logging.getLogger(__name__)


class LineAudio:
    """Narration lines as 16 kHz samples, rendered once and kept."""

    def __init__(self, renderer: Pyttsx3Renderer) -> None:
        self.renderer = renderer
        #: words per minute asked for by voice; None: the renderer's configured rate
        self.rate: int | None = None
        self._pcm: dict[tuple[str, int | None], Pcm] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def get(self, text: str) -> Pcm:
        """The line's samples; :class:`SpeechEngineError` when it cannot be rendered."""
        rate = self.rate  # read once: a voice command may change it meanwhile
        key = (text, rate)
        with self._lock:
            pcm = self._pcm.get(key)
        if pcm is None:
            pcm = read_wav(self.renderer.render(text, rate).path)
            with self._lock:
                self._pcm[key] = pcm
        return pcm

    def prerender(self, texts: Iterable[str]) -> None:
        """Render ``texts`` in a background thread, so lines are ready before they are due."""
        todo = list(dict.fromkeys(texts))

        def work() -> None:
            for text in todo:
                if self._stop.is_set():
                    return
                try:
                    self.get(text)
                except AssistantError as exc:  # tried again, and reported, when it is due
                    log.debug("pre-rendering failed: %s", exc)

        self._thread = threading.Thread(target=work, name="prerender", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


class AudioVoice:
    """Speaks through the mixer; a line the engine cannot render is reported, not fatal.

    ``on_fault`` is told (once per failure streak) when the speech engine fails, so
    that the session can be paused; the line's length is then estimated so that the
    session's timing goes on.
    """

    def __init__(
        self,
        mixer: Mixer,
        lines: LineAudio,
        *,
        estimate: Callable[[str], float],
        on_fault: Callable[[str], None] | None = None,
    ) -> None:
        self.mixer = mixer
        self.lines = lines
        self.estimate = estimate
        self.on_fault = on_fault
        self._failing = False

    @property
    def delivery(self) -> Delivery:
        rate = self.lines.rate or self.lines.renderer.settings.rate or DEFAULT_DELIVERY.rate
        return Delivery(rate=rate, volume=self.mixer.volume)

    def tune(self, delivery: Delivery) -> None:
        """Lines from now on are rendered at the new rate; the mixer's volume changes at once,
        so a line under way finishes at the new loudness."""
        self.lines.rate = delivery.rate
        self.mixer.volume = delivery.volume

    def say(self, text: str) -> float:
        try:
            pcm = self.lines.get(text)
        except AssistantError as exc:  # the engine failed, or its audio cannot be read
            if not self._failing and self.on_fault is not None:
                self.on_fault(str(exc))
            self._failing = True
            return self.estimate(text)
        self._failing = False
        self.mixer.say(text, pcm)
        return len(pcm) / RATE

    def cue(self, text: str) -> None:
        if self.mixer.speaking():  # would sound late; the beat still marks the stroke
            return
        try:
            pcm = self.lines.get(text)
        except AssistantError:
            return  # a missing cue word is no fault: the beat carries on
        self.mixer.say(text, pcm)

    def cut(self) -> None:
        self.mixer.cut()


class EarconCues:
    """Event sink: earcons for what happened, and the beat for each stroke cue."""

    def __init__(self, mixer: Mixer) -> None:
        self.mixer = mixer
        self._stage: object = None

    def emit(self, event: Event) -> None:
        match event:
            case Cue():
                self.mixer.play("beat")
            case IntentHeard(name=name) if name != "stop":
                self.mixer.play("heard")
            case Said(kind="not_understood"):
                self.mixer.play("not_caught")
            case State(state="paused"):
                self.mixer.play("paused")
            case State(state="stopped"):  # hands off now
                self.mixer.play("stopped")
            case State(state="finished" | "ended" | "declined"):  # the session is over
                self.mixer.play("ended")
            case State(state="instruction", stage=stage) if stage != self._stage:
                self._stage = stage
                self.mixer.play("stage")

"""The menu (and the kiosk's waiting) live: the speaker speaks it, the microphone hears it.

One :class:`LiveFront` owns the sound card while nobody is being massaged: the voice,
the recognizer with the menu's vocabulary (restarted with back-off if it fails), the
device supervisor (a microphone unplugged and plugged back is found again), and the
pedal. Commands, pedal presses and device faults arrive on one input queue. It is
closed before a session opens the card for itself.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from assistant.audio.echo import EchoCanceller
from assistant.audio.live import AudioLink, LiveListening
from assistant.audio.mixer import Mixer
from assistant.audio.speaker import AudioVoice, LineAudio
from assistant.audio.wiring import _let_it_finish, open_listener
from assistant.clock import WallClock
from assistant.intents import Vocabulary
from assistant.menu.words import menu_vocabulary
from assistant.narration.render import NarrationSettings, Pyttsx3Renderer
from assistant.narration.voice import estimate_seconds
from assistant.pedal.evdev_pedal import PedalError
from assistant.pedal.wire import pedal_input
from assistant.recognizers import RecognizerError
from assistant.recognizers.listener import Heard, Listener, echo_gate
from assistant.recognizers.supervised import supervise
from assistant.runner import QueueInput

if TYPE_CHECKING:
    from assistant.audio.devices import DeviceReport
    from assistant.config import AppConfig
    from assistant.routine.model import Routine

__all__ = ["LiveFront"]


@dataclasses.dataclass
class LiveFront:
    """The card, voice, recognizer and pedal for the menu; a context manager."""

    vocabulary: Vocabulary
    engine: str | None = None
    model: Any = None
    settings: NarrationSettings | None = None
    input_device: Any = None
    output_device: Any = None
    factory: Any = None  # the sound card; None: PortAudio's
    silent_after: float | None = None
    pedal: str | None = None
    err: TextIO = dataclasses.field(default_factory=lambda: sys.stderr)
    note: Any = None  # one line per device event; default: print to err

    @classmethod
    def for_config(
        cls,
        cfg: AppConfig,
        routines: Sequence[Routine],
        devices: DeviceReport,
        card: Any = None,
        note: Any = None,
    ) -> LiveFront:
        """The front a run's settings ask for: no speaker when none was found or named."""
        named = cfg.audio.output
        output = False if devices.speaker is None and named is None else named
        return cls(
            menu_vocabulary(routines),
            engine=cfg.audio.engine,
            model=cfg.audio.model,
            settings=cfg.narration.settings(volume=True),
            input_device=cfg.audio.input,
            output_device=output,
            factory=card,
            silent_after=cfg.audio.silent_after,
            pedal=cfg.pedal,
            note=note,
        )

    def __post_init__(self) -> None:
        self.clock = WallClock()
        self.source = QueueInput(self.clock)
        self.mixer = Mixer(volume=(self.settings.volume if self.settings else 1.0))
        full = dataclasses.replace(self.settings or NarrationSettings(), volume=1.0)
        self.lines = LineAudio(Pyttsx3Renderer(full, self.vocabulary.locale))
        self.voice = AudioVoice(
            self.mixer, self.lines, estimate=estimate_seconds, on_fault=self.source.fault
        )
        self._say = self.note or functools.partial(print, file=self.err, flush=True)
        self._stack = ExitStack()
        self.listener: Listener | None = None
        self.live: LiveListening | None = None

    def __enter__(self) -> LiveFront:
        try:
            self._open(self._stack)
        except BaseException:
            self._stack.close()
            raise
        return self

    def _open(self, stack: ExitStack) -> None:
        stack.callback(self.lines.renderer.close)
        stack.callback(self.lines.close)
        args: dict[str, Any] = {"input_device": self.input_device}
        args["output_device"] = self.output_device
        if self.factory is not None:
            args["factory"] = self.factory
        if self.silent_after is not None:
            args["silent_after"] = self.silent_after
        link = AudioLink(self.mixer, **args)
        try:
            # with the mixer: a number the menu itself is saying is not taken from its echo
            self.listener = open_listener(
                self.vocabulary, self.engine, self.model, self.err, self.mixer
            )
        except RecognizerError as exc:  # the menu can still be spoken; the pedal still works
            self._say(f"cannot listen: {exc}")
        if self.listener is not None:
            vocabulary, engine, model, err = self.vocabulary, self.engine, self.model, self.err
            supervise(
                self.listener,
                lambda: open_listener(vocabulary, engine, model, err).recognizer,
                on_fault=self.source.fault,
                on_restored=lambda: self._say("the speech recognizer is back"),
            )
        # the gate as run has it: a person heard over the menu's voice ducks it (see echo_gate)
        recognizer = self.listener.recognizer if self.listener is not None else None
        echo = EchoCanceller(gate=echo_gate(recognizer, self.mixer.duck))
        stack.callback(echo.close)
        self.live = LiveListening(
            link,
            self.listener,
            on_heard=self._heard,
            on_fault=self.source.fault,
            on_restored=lambda: self._say("the sound device is back"),
            echo=echo,
        )
        self.live.start()
        stack.callback(self.live.stop)
        stack.callback(_let_it_finish, self.mixer, link)
        try:
            stack.enter_context(
                pedal_input(self.pedal, self.source.put, cut=self.mixer.cut, note=self._say)
            )
        except PedalError as exc:  # a kiosk without its pedal still listens
            self._say(f"no pedal: {exc}; voice commands only")

    def _heard(self, heard: Heard) -> None:
        if heard.intent is not None:
            self.source.put(heard.text)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.close()

"""Wiring for sessions that use sound: simulated rooms, recordings and the live device.

The command line calls these; each builds the same pipeline (mixer, voice, earcons,
echo canceller, recognizer, listener) around a different audio source.
"""

from __future__ import annotations

import dataclasses
import functools
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from assistant.audio.echo import EchoCanceller
from assistant.audio.mixer import Mixer
from assistant.audio.pcm import RATE, Pcm, read_wav, stream_wav, write_wav
from assistant.audio.speaker import AudioVoice, EarconCues, LineAudio
from assistant.clock import Clock, VirtualClock
from assistant.errors import SpeechEngineError
from assistant.events import EventLog
from assistant.files import written_by
from assistant.intents import Vocabulary, load_vocabulary
from assistant.narration.render import NarrationSettings, Pyttsx3Renderer
from assistant.narration.voice import Voice, estimate_seconds
from assistant.recognizers import open_recognizer, settled
from assistant.recognizers.listener import Heard, Listener, echo_gate
from assistant.routine.model import Routine
from assistant.runner import Utterance, run_session
from assistant.session import Session
from assistant.session.carryover import Memory
from assistant.simulation.audio import SimulatedAudio
from assistant.simulation.room import Room, RoomSettings

__all__ = [
    "AudioRun",
    "SessionBuilder",
    "listen_to_file",
    "open_listener",
    "routine_lines",
    "run_live",
    "simulate_with_audio",
]


#: (clock, voice) -> the session; the caller decides the rest (app.build_session, bound).
SessionBuilder = Callable[[Clock, Voice], Session]


def _builder(routine: Routine, log: EventLog, memory: Memory | None) -> SessionBuilder:
    """app.build_session for this routine, log and memory: the one place a Session is made."""
    from assistant.app import build_session  # the layer above; bound late to keep imports one way

    return functools.partial(build_session, routine, log=log, memory=memory or Memory())


def routine_lines(r: Routine) -> list[str]:
    """Every line a session of this routine is sure to say, in order (for pre-rendering)."""
    lines = [r.title, r.summary, *r.screening, *r.setup]
    for stage in r.stages:
        lines += [stage.instruction, stage.landmark]
    return [line for line in lines if isinstance(line, str) and line]


def open_listener(
    vocabulary: Vocabulary,
    engine: str | None,
    model: Path | None,
    err: TextIO,
    mixer: Mixer | None = None,
) -> Listener:
    """The recognizer for the vocabulary's language, wrapped in a listener; notes to ``err``."""
    opened = open_recognizer(vocabulary, engine, model)
    for note in opened.notes:
        print(f"note: {note}", file=err)
    if mixer is None:
        return Listener(opened.recognizer, vocabulary)
    return Listener(opened.recognizer, vocabulary, narration=mixer.words_between)


def listen_to_file(
    path: Path,
    engine: str | None,
    locale: str,
    model: Path | None = None,
    err: TextIO | None = None,
) -> Iterator[dict[str, Any]]:
    """The intents found in a recording, each with the time (s into the file) it was emitted."""
    vocabulary = load_vocabulary(locale)
    blocks = stream_wav(path)  # the header is checked now, before a model is loaded
    # sys.stderr as it is now, not as it was at import (a test may have replaced it)
    listener = open_listener(vocabulary, engine, model, err or sys.stderr)
    settled(listener.recognizer)  # a file is read faster than said: the same answer each run
    step = 512  # samples per feed, as a microphone delivers them
    left = np.zeros(0, dtype=np.int16)
    for block in blocks:
        pcm = np.concatenate([left, block])
        whole = len(pcm) - len(pcm) % step
        for i in range(0, whole, step):
            yield from _records(listener.feed(pcm[i : i + step]))
        left = pcm[whole:]
    if len(left):
        yield from _records(listener.feed(left))
    yield from _records(listener.flush())


def _records(found: list[Heard]) -> Iterator[dict[str, Any]]:
    for h in found:
        if h.intent is not None:
            rec: dict[str, Any] = {"t": round(h.t, 3), "name": h.intent.name}
            if h.intent.value is not None:
                rec["value"] = h.intent.value
            rec["text"] = h.text
            yield rec


@dataclass
class AudioRun:
    """A session heard through the simulated room, and what it produced."""

    session: Session
    source: SimulatedAudio
    outcome: str = ""

    def write(self, folder: Path) -> list[Path]:
        """The narration (what the speaker played) and the microphone signal, as WAV files."""
        out = [folder / "narration.wav", folder / "microphone.wav"]
        for path, which in zip(out, ("output", "microphone"), strict=True):
            written_by(path, functools.partial(_write_pcm, pcm=self.source.recording(which)))
        return out


def _write_pcm(path: Path, pcm: Pcm) -> None:
    write_wav(path, pcm)


def simulate_with_audio(
    routine: Routine,
    log: EventLog,
    *,
    memory: Memory | None = None,
    script: list[Utterance] | None = None,
    partner: bool = True,
    engine: str | None = None,
    model: Path | None = None,
    settings: NarrationSettings | None = None,
    room: RoomSettings | None = None,
    noise: Path | None = None,
    record: bool = False,
    voices: Sequence[tuple[float, Pcm]] = (),
    typed: Sequence[Utterance] = (),
    err: TextIO = sys.stderr,
    build: SessionBuilder | None = None,
) -> AudioRun:
    """Run a whole session through the simulated room with the real recognizer.

    ``build`` makes the session from the clock and voice wired here (by default
    app.build_session with this routine, log and memory)."""
    from assistant.simulation.partner import SimulatedPartner

    if shutil.which("espeak-ng") is None:  # the simulated people speak through it
        raise SpeechEngineError("espeak-ng is not installed (sudo apt-get install espeak-ng)")
    clock = VirtualClock()
    mixer = Mixer(volume=(settings.volume if settings else 1.0))
    vocabulary = load_vocabulary(routine.locale)
    listener = open_listener(vocabulary, engine, model, err, mixer)
    noise_pcm = read_wav(noise) if noise is not None else None
    room_settings = room or RoomSettings(noise_gain=0.05 if noise_pcm is not None else 0.0)
    echo = EchoCanceller(gate=echo_gate(listener.recognizer, mixer.duck))
    speakers = _speakers(routine.locale)
    source = SimulatedAudio(
        clock, mixer, Room(room_settings, noise_pcm), listener,
        echo=echo, record=record, speakers=speakers,
    )  # fmt: skip
    lines = LineAudio(Pyttsx3Renderer(_full_volume(settings), routine.locale))
    voice = AudioVoice(mixer, lines, estimate=estimate_seconds, on_fault=source.fault)
    log.add_sink(EarconCues(mixer))
    session = (build or _builder(routine, log, memory))(clock, voice)
    for line in script or []:
        source.add(line)
    for at, pcm in voices:  # recordings of real people, at their times
        source.add_audio(at, pcm)
    for line in typed:  # typed commands, as the keyboard gives them
        source.type(line)
    if partner and script is None:
        sim = SimulatedPartner(
            clock,
            deliver=source.add,
            duration=lambda t: _seconds(lines, t),
            vocabulary=vocabulary,
        )
        log.add_sink(sim)
    run = AudioRun(session, source)
    try:
        run.outcome = run_session(session, source)
    finally:
        lines.close()
        lines.renderer.close()
        echo.close()
    return run


def _seconds(lines: LineAudio, text: str) -> float:
    """How long a line sounds; estimated when the engine cannot render it."""
    try:
        return len(lines.get(text)) / RATE
    except SpeechEngineError:
        return estimate_seconds(text)


def _speakers(locale: str) -> tuple[Any, ...]:
    from assistant.simulation.voices import SPEAKERS, Speaker

    if locale == "en":
        return SPEAKERS
    return tuple(Speaker(locale, s.speed, s.pitch) for s in SPEAKERS)


def run_live(
    routine: Routine,
    log: EventLog,
    *,
    memory: Memory | None = None,
    engine: str | None = None,
    model: Path | None = None,
    settings: NarrationSettings | None = None,
    input_device: Any = None,
    output_device: Any = None,
    keyboard: bool = False,
    err: TextIO = sys.stderr,
    factory: Any = None,
    silent_after: float | None = None,
    build: SessionBuilder | None = None,
    pedal: str | None = None,
) -> str:
    """A real session: the microphone and speaker through the device supervisor.

    Typed commands work alongside speech when ``keyboard`` is set. A recognizer that
    cannot start leaves the keyboard as the only input, and says so; one that fails
    mid-session is restarted with back-off. ``pedal`` (``--pedal``) is one more input.
    """
    from assistant.audio.live import AudioLink, LiveListening
    from assistant.clock import WallClock
    from assistant.pedal.wire import TERMINAL, pedal_input
    from assistant.recognizers import RecognizerError
    from assistant.recognizers.supervised import supervise
    from assistant.runner import QueueInput, read_keyboard, run_interactive

    clock = WallClock()
    source = QueueInput(clock)
    mixer = Mixer(volume=(settings.volume if settings else 1.0))
    lines = LineAudio(Pyttsx3Renderer(_full_volume(settings), routine.locale))
    voice = AudioVoice(mixer, lines, estimate=estimate_seconds, on_fault=source.fault)
    log.add_sink(EarconCues(mixer))
    session = (build or _builder(routine, log, memory))(clock, voice)
    lines.prerender(routine_lines(routine))
    link_args: dict[str, Any] = {"input_device": input_device, "output_device": output_device}
    if factory is not None:
        link_args["factory"] = factory
    if silent_after is not None:  # a card that only speaks when spoken to (tests)
        link_args["silent_after"] = silent_after
    link = AudioLink(mixer, **link_args)
    listener: Listener | None = None
    try:
        listener = open_listener(load_vocabulary(routine.locale), engine, model, err, mixer)
    except RecognizerError as exc:  # the speaker still works; commands come typed
        print(f"Cannot listen: {exc}. Type commands instead.", file=err)
        keyboard = True
    if listener is not None:
        vocabulary = listener.vocabulary
        supervise(
            listener,
            lambda: open_listener(vocabulary, engine, model, err).recognizer,
            on_fault=source.fault,
            on_restored=lambda: print("The speech recognizer is back. Say resume.", file=err),
        )
    echo = EchoCanceller(gate=echo_gate(listener.recognizer if listener else None, mixer.duck))

    def heard(h: Heard) -> None:  # only commands reach the session; noise stays out
        if h.intent is not None:
            source.put(h)

    live = LiveListening(
        link,
        listener,
        on_heard=heard,
        on_fault=source.fault,
        on_restored=lambda: print("The sound device is back. Say resume.", file=err),
        echo=echo,
    )
    live.start()
    if keyboard and pedal != TERMINAL:  # the terminal's keys are the pedal's then
        read_keyboard(source, sys.stdin)
    try:
        note = functools.partial(print, file=err)
        with pedal_input(pedal, source.put, cut=mixer.cut, note=note):
            return run_interactive(session, source)
    finally:
        _let_it_finish(mixer, link)
        live.stop()
        lines.close()
        lines.renderer.close()
        echo.close()


def _let_it_finish(mixer: Mixer, link: Any, longest: float = 12.0) -> None:
    """Let the last line ("lift your hands away...") and the stopped tone play out."""
    import time

    give_up = time.monotonic() + longest
    try:
        while link.healthy() and not mixer.idle() and time.monotonic() < give_up:
            time.sleep(0.05)
    except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
        pass


def _full_volume(settings: NarrationSettings | None) -> NarrationSettings:
    """Lines are rendered at full volume: the mixer alone applies the volume setting."""
    return dataclasses.replace(settings or NarrationSettings(), volume=1.0)

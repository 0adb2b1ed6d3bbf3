"""The one assembly point: a frozen config from the command line, one ``build_session``, and
one small mode object per way of running a session, each assembled under one ExitStack.

``cli.py`` only parses arguments into an :class:`AppConfig` and calls :func:`run`; nothing
here reads ``argparse`` objects, so a test builds a config and runs any mode the same way.
The device probe is a parameter, so a test can say "no microphone".
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, Protocol, TextIO

from assistant.audio.devices import DeviceReport, probe_devices
from assistant.clock import Clock, Scheduler, VirtualClock, WallClock
from assistant.config import AppConfig, AudioConfig, NarrationConfig, keep_journal, readings
from assistant.console import ConsolePrinter
from assistant.errors import SpeechEngineError
from assistant.events import EventLog, EventSink
from assistant.files import private_folder
from assistant.intents import load_vocabulary
from assistant.narration.render import Pyttsx3Renderer
from assistant.narration.voice import DEFAULT_WPM, SilentVoice, Voice, estimate_seconds
from assistant.pedal.wire import TERMINAL, pedal_input
from assistant.routine.loader import load_routine
from assistant.routine.model import Routine
from assistant.run_log import open_event_log
from assistant.runner import QueueInput, ScriptInput, read_keyboard, run_interactive, run_session
from assistant.session import Session
from assistant.session.carryover import Memory
from assistant.simulation.partner import SimulatedPartner
from assistant.simulation.script import ScriptedReplies, load_script, load_script_replies

if TYPE_CHECKING:
    from assistant.audio.live import StreamFactory
    from assistant.status import StatusLine

__all__ = [
    "AppConfig",
    "AudioConfig",
    "NarrationConfig",
    "build_session",
    "keep_journal",
    "readings",
    "run",
    "run_demo",
    "run_simulated",
]


def build_session(
    routine: Routine,
    clock: Clock,
    voice: Voice,
    *,
    log: EventLog,
    memory: Memory,
    learn: bool = False,
) -> Session:
    """The one place a Session is made (the audio wiring gets it bound, see SessionBuilder)."""
    return Session(
        routine, scheduler=Scheduler(clock), voice=voice, log=log, memory=memory, learn=learn
    )


# --- what every mode shares: line durations -------------------------------------------------


def line_durations(
    cfg: AppConfig, routine: Routine, stack: ExitStack, err: TextIO
) -> Callable[[str], float]:
    """Line durations from the speech engine when asked (or available), else an estimate."""
    n = cfg.narration
    wpm = n.rate or DEFAULT_WPM
    if n.durations == "wpm":
        return lambda text: estimate_seconds(text, wpm)
    renderer = Pyttsx3Renderer(n.settings(), routine.locale)
    try:
        renderer.seconds(routine.title)
    except SpeechEngineError as exc:
        renderer.close()
        if n.durations == "engine":
            raise
        print(f"note: {exc}; timing narration at {wpm:.0f} words per minute instead", file=err)
        return lambda text: estimate_seconds(text, wpm)
    stack.callback(renderer.close)
    warned = False

    def duration(text: str) -> float:  # one failed line must not end a session
        nonlocal warned
        try:
            return renderer.seconds(text)
        except SpeechEngineError as exc:
            if not warned:
                print(f"note: {exc}; timing such lines by words per minute", file=err)
                warned = True
            return estimate_seconds(text, wpm)

    return duration


def console(
    cfg: AppConfig, routine: Routine, stack: ExitStack
) -> tuple[ConsolePrinter | None, StatusLine]:
    """What a person at a terminal sees: the lines (none when quiet: the kiosk) and, when
    stdout is a terminal, a status line kept at its foot."""
    from assistant.status import StatusLine

    status = StatusLine(routine, sys.stdout)
    stack.callback(status.close)
    if cfg.quiet:
        status.enabled = False
        return None, status
    return ConsolePrinter(stream=status, verbose=cfg.verbose), status  # type: ignore[arg-type]


def narration_voice(cfg: AppConfig, duration: Callable[[str], float]) -> SilentVoice:
    """A voice timed by ``duration``, knowing the rate and volume it starts at (a spoken
    "speak faster" steps from there)."""
    n = cfg.narration
    return SilentVoice(duration, rate=n.rate, volume=1.0 if n.volume is None else n.volume)


# --- the modes --------------------------------------------------------------------------------


class Mode(Protocol):
    def run(self, cfg: AppConfig, routine: Routine, stack: ExitStack) -> int: ...


class SimulatedMode:
    """A whole session on a virtual clock with a simulated couple (or a script)."""

    def run(self, cfg: AppConfig, routine: Routine, stack: ExitStack) -> int:
        # the renderer closes after the log: the stack unwinds in reverse
        duration = line_durations(cfg, routine, stack, sys.stderr)
        clock = VirtualClock()
        printer = None if cfg.quiet else ConsolePrinter(verbose=cfg.verbose)
        log, memory = open_event_log(cfg, stack, printer, routine)
        source: ScriptInput | SimulatedPartner
        if cfg.script:
            timed, replies = load_script_replies(cfg.script)
            source = ScriptedReplies(clock, timed, replies, duration=duration)
            log.add_sink(source)
        else:
            vocabulary = load_vocabulary(routine.locale)
            partner = (
                SimulatedPartner(
                    clock, duration=duration, vocabulary=vocabulary, pain_answers=cfg.pain
                )
                if cfg.pain
                else SimulatedPartner(clock, duration=duration, vocabulary=vocabulary)
            )
            log.add_sink(partner)
            source = partner
        session = build_session(
            routine,
            clock=clock,
            voice=narration_voice(cfg, duration),
            log=log,
            memory=memory,
            learn=cfg.learn,
        )
        started = time.perf_counter()
        outcome = run_session(session, source)
        stack.close()
        took = time.perf_counter() - started
        minutes, seconds = divmod(int(clock.now()), 60)
        where = f"; events in {cfg.events}" if cfg.events else ""
        print(
            f"outcome: {outcome} after {minutes}:{seconds:02d} of session time "
            f"(simulated in {took:.2f} s, {len(log.events)} events{where})",
            file=sys.stderr,
        )
        return 0


class SimulatedAudioMode:
    """A whole session spoken, echoed through a simulated room and heard by a recognizer."""

    def run(self, cfg: AppConfig, routine: Routine, stack: ExitStack) -> int:
        from assistant.audio.wiring import simulate_with_audio

        out = cfg.audio.out
        if out is not None:  # a bad folder is found now, not after the whole run
            private_folder(out)
        printer = None if cfg.quiet else ConsolePrinter(verbose=cfg.verbose)
        log, memory = open_event_log(cfg, stack, printer, routine)
        started = time.perf_counter()
        audio = simulate_with_audio(
            routine,
            log,
            memory=memory,
            script=load_script(cfg.script) if cfg.script else None,
            engine=cfg.audio.engine,
            model=cfg.audio.model,
            settings=cfg.narration.settings(),
            noise=cfg.audio.noise,
            record=out is not None,
            build=functools.partial(
                build_session, routine, log=log, memory=memory, learn=cfg.learn
            ),
        )
        stack.close()
        took = time.perf_counter() - started
        if out is not None:
            for path in audio.write(out):
                print(f"wrote {path}", file=sys.stderr)
        minutes, seconds = divmod(int(audio.source.now), 60)
        echoes = len(audio.source.listener.dropped)
        print(
            f"outcome: {audio.outcome} after {minutes}:{seconds:02d} of session audio, heard "
            f"through the simulated room (took {took:.1f} s; {echoes} echoes of the narration "
            "ignored)",
            file=sys.stderr,
        )
        return 0


class KeyboardMode:
    """Typed commands in real time; lines are timed, not spoken."""

    def run(self, cfg: AppConfig, routine: Routine, stack: ExitStack) -> int:
        print(
            "Text mode: type a command and press Enter (help, next, lighter, stop...). "
            "Ctrl-D or Ctrl-C stops safely.\n",
            file=sys.stderr,
        )
        clock = WallClock()
        duration = line_durations(cfg, routine, stack, sys.stderr)
        printer, status = console(cfg, routine, stack)
        log, memory = open_event_log(cfg, stack, printer, routine)
        log.add_sink(status)
        session = build_session(
            routine,
            clock=clock,
            voice=narration_voice(cfg, duration),
            log=log,
            memory=memory,
            learn=cfg.learn,
        )
        source = QueueInput(clock)
        if cfg.pedal != TERMINAL:  # the terminal's keys are the pedal's then
            read_keyboard(source, sys.stdin)
        with pedal_input(cfg.pedal, source.put, note=lambda m: print(m, file=sys.stderr)):
            run_interactive(session, source)
        return 0


@dataclass(frozen=True)
class LiveMode:
    """Microphone and speaker: the way every real user runs a session."""

    devices: DeviceReport
    interactive: bool
    card: StreamFactory | None = None  # the sound card; None: PortAudio's
    sinks: Sequence[EventSink] = ()  # more event sinks (a test watching the session)

    def run(self, cfg: AppConfig, routine: Routine, stack: ExitStack) -> int:
        from assistant.audio.wiring import run_live

        output = cfg.audio.output
        speaker: int | str | Literal[False] | None = output
        if self.devices.speaker is None and output is None:
            print("No speaker found: narration is printed here only.", file=sys.stderr)
            speaker = False
        print(
            f"Listening on {self.devices.microphone or 'the microphone, once one appears'}. "
            "Say help for the commands; say stop at any time."
            + (" Typed commands work too." if self.interactive else ""),
            file=sys.stderr,
        )
        printer, status = console(cfg, routine, stack)
        log, memory = open_event_log(cfg, stack, printer, routine)
        log.add_sink(status)
        for sink in self.sinks:
            log.add_sink(sink)
        run_live(
            routine,
            log,
            memory=memory,
            engine=cfg.audio.engine,
            model=cfg.audio.model,
            settings=cfg.narration.settings(volume=True),
            input_device=cfg.audio.input,
            output_device=speaker,
            keyboard=self.interactive,
            factory=self.card,
            silent_after=cfg.audio.silent_after,
            build=functools.partial(
                build_session, routine, log=log, memory=memory, learn=cfg.learn
            ),
            pedal=cfg.pedal,
        )
        return 0


def _assemble(mode: Mode, cfg: AppConfig, routine: Routine | None = None) -> int:
    routine = routine or load_routine(cfg.routine)
    with ExitStack() as stack:
        return mode.run(cfg, routine, stack)


def run_simulated(cfg: AppConfig, *, audio: bool = False) -> int:
    """``simulate``: on a virtual clock, as text or as audio through a simulated room."""
    return _assemble(SimulatedAudioMode() if audio else SimulatedMode(), cfg)


def run_demo(cfg: AppConfig) -> int:
    """``demo``: a whole spoken session heard by the real recognizer."""
    routine = load_routine(cfg.routine)
    print(
        f"Demo: a whole '{routine.id}' session with a simulated couple, spoken, echoed and heard "
        "through a simulated room by the real recognizer.\n",
        file=sys.stderr,
    )
    return _assemble(SimulatedAudioMode(), replace(cfg, script=None, quiet=False), routine)


def run(
    cfg: AppConfig,
    *,
    probe: Callable[[], DeviceReport] = probe_devices,
    stdin_is_tty: Callable[[], bool] = sys.stdin.isatty,
    card: StreamFactory | None = None,
    sinks: Sequence[EventSink] = (),
    routine: Routine | None = None,
    devices: DeviceReport | None = None,
) -> int:
    """``run``: live audio when there is a microphone, else typed commands, else (nobody can
    type) a simulated demonstration kept out of the journal unless one was named.

    ``routine`` is one already chosen (the start menu), ``devices`` ones already probed."""
    # a bad routine is said before any device is probed
    routine = routine or load_routine(cfg.routine)
    devices = devices or probe()
    interactive = cfg.keyboard or stdin_is_tty()
    if cfg.audio.listen or (devices.microphone is not None and not cfg.keyboard):
        return _assemble(LiveMode(devices, interactive, card, sinks), cfg, routine)
    if not cfg.keyboard:
        print(f"No microphone found ({devices.describe()}).", file=sys.stderr)
    if not interactive:
        print(
            f"No keyboard attached either, so here is a simulated session of "
            f"'{routine.id}' with a simulated couple, at full speed. "
            "(A kiosk that should wait for its microphone: run --listen.)\n",
            file=sys.stderr,
        )
        named = cfg.journal if cfg.journal else None  # a demonstration: no record
        demo = replace(cfg, script=None, quiet=False, verbose=False, journal=named)
        return _assemble(SimulatedMode(), demo, routine)
    return _assemble(KeyboardMode(), cfg, routine)

"""``massage-assistant``: the command line, and the one place where parts are wired together."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from . import __version__, cli_values
from .carryover import Carryover, Memory
from .clock import Scheduler, VirtualClock, WallClock
from .console import ConsolePrinter
from .devices import DeviceReport, probe_devices
from .errors import AssistantError, SpeechEngineError
from .events import EventLog, JsonlWriter
from .files import OutputError, private_folder, write_private
from .intents import load_vocabulary, parse
from .journal import (
    DEFAULT_PERSON,
    ENV_VAR,
    Journal,
    JournalError,
    JournalRecorder,
    carryover_for,
    default_journal_path,
    journal_path,
    open_journal,
    recent_people,
)
from .journal.unsaved import WriterLock, import_unsaved
from .narration import NarrationSettings, Pyttsx3Renderer
from .partner import SimulatedPartner
from .routine import Routine
from .routine_loader import check_file, load_routine, routine_paths
from .runner import QueueInput, ScriptInput, read_keyboard, run_interactive, run_session
from .schema_doc import routine_reference
from .script import ScriptedReplies, load_script, load_script_replies
from .session import Session, machine_config
from .voice import DEFAULT_WPM, SilentVoice, estimate_seconds

__all__ = ["main", "timeline"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 fine, 1 problems found, 2 could not run)."""
    for stream in (sys.stdout, sys.stderr):  # a file name in bad UTF-8 must still print
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except AssistantError as exc:
        print(f"massage-assistant: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head and closed early
        return 0


# --- routines ----------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    bad = 0
    for name in args.files:
        routine, problems = check_file(name)
        for p in problems:
            print(p)
        if routine is None:
            bad += 1
        elif not args.quiet:
            minutes = routine.planned_seconds() / 60
            print(f"{name}: ok ({len(routine.stages)} stages, about {minutes:.0f} min)")
    return 1 if bad else 0


def cmd_list(args: argparse.Namespace) -> int:
    for path in routine_paths():
        routine, problems = check_file(path)
        if routine is None:
            print(f"{path.stem:<20} (broken: {len(problems)} problems; run validate)")
            continue
        minutes = routine.planned_seconds() / 60
        print(
            f"{routine.id:<20} {minutes:4.0f} min  {len(routine.stages):2d} stages  {routine.title}"
        )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    print(timeline(load_routine(args.routine)))
    return 0


def timeline(r: Routine) -> str:
    """A readable plan of a routine: stages, techniques, minutes and the total."""
    out = [f"{r.title}  ({r.id}, {r.locale})", f"  {r.summary}", ""]
    out.append(
        f"  {'#':>2}  {'stage':<26} {'technique':<22} {'area':<16} "
        f"{'pressure':<8} {'min':>5}  start"
    )
    start = 0.0
    for i, s in enumerate(r.stages, 1):
        minutes = s.hands_on_seconds() / 60
        extra = " +pain check" if s.pain_check else ""
        nxt = "" if s.advance == "auto" else "  (waits for next)"
        out.append(
            f"  {i:>2}  {s.id:<26} {s.technique:<22} {s.area:<16} {s.pressure:<8} "
            f"{minutes:5.1f}  {start / 60:5.1f}{extra}{nxt}"
        )
        start += s.hands_on_seconds() + estimate_seconds(f"{s.instruction} {s.landmark}")
    hands_on = sum(s.hands_on_seconds() for s in r.stages) / 60
    out += [
        "",
        f"  Hands-on {hands_on:.1f} min; with narration about "
        f"{r.planned_seconds() / 60:.0f} min; never longer than {r.max_minutes:g} min.",
        f"  Set-up checklist: {len(r.setup)} items; safety questions: {len(r.screening)}; "
        f"position-change offer every {r.position_reminder_minutes:g} min.",
    ]
    return "\n".join(out)


def cmd_schema(args: argparse.Namespace) -> int:
    print(routine_reference())
    return 0


def cmd_diagram(args: argparse.Namespace) -> int:
    from transitions.extensions import GraphMachine

    class _Model:
        pass

    config = machine_config()
    # the diagram needs no conditions evaluated; drop them so it can be drawn model-free
    for t in config["transitions"]:
        t.pop("conditions", None)
        t.pop("unless", None)
    model = _Model()
    GraphMachine(
        model=model,
        **config,
        auto_transitions=False,
        graph_engine="mermaid",
        title="Massage session",
    )
    text = model.get_graph().draw(None)  # type: ignore[attr-defined]
    # transitions writes the title as bare front matter; mermaid wants "title: ..."
    text = text.replace("---\nMassage session\n---", "---\ntitle: Massage session\n---", 1)
    if args.output:
        write_private(Path(args.output), text)
        print(f"wrote {args.output}")
    else:
        print(text)
    return 0


# --- intents -----------------------------------------------------------------------------------


def cmd_parse(args: argparse.Namespace) -> int:
    vocab = load_vocabulary(args.locale)
    for text in args.texts:
        intent = parse(text, vocab)
        print(
            json.dumps(
                {
                    "text": text,
                    "name": intent.name if intent else None,
                    "value": intent.value if intent else None,
                },
                ensure_ascii=False,
            )
        )
    return 0


# --- sessions ----------------------------------------------------------------------------------


def _durations(
    args: argparse.Namespace, routine: Routine, err: TextIO
) -> tuple[Callable[[str], float], Pyttsx3Renderer | None]:
    """Line durations from the speech engine when asked (or available), else an estimate."""
    wpm = args.rate or DEFAULT_WPM
    if args.durations == "wpm":
        return (lambda text: estimate_seconds(text, wpm)), None
    renderer = Pyttsx3Renderer(NarrationSettings(rate=args.rate, voice=args.voice), routine.locale)
    try:
        renderer.seconds(routine.title)
    except SpeechEngineError as exc:
        renderer.close()
        if args.durations == "engine":
            raise
        print(f"note: {exc}; timing narration at {wpm:.0f} words per minute instead", file=err)
        return (lambda text: estimate_seconds(text, wpm)), None
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

    return duration, renderer


def _event_log(
    args: argparse.Namespace, printer: ConsolePrinter | None, routine: Routine | None = None
) -> tuple[EventLog, Memory]:
    """The session's event sinks: journal first (an event is on disk before anything
    reports it), console, ``--events`` file; and what the journal remembers."""
    log = EventLog()
    memory = Memory(Carryover(person=getattr(args, "person", None)))
    # a bad --events path is said now, before a journal is opened or a session starts
    events = _events_file(args.events, args.journal) if args.events else None
    if routine is not None:
        recorder, memory = _journal(args, routine)
        if recorder is not None:
            log.add_sink(recorder)
    if printer is not None:
        log.add_sink(printer)
    if events is not None:
        log.add_sink(events)
    return log, memory


def _events_file(events: str, journal: str | None) -> JsonlWriter:
    """The ``--events`` file, opened owner-only; never the journal (opening it would wipe it)."""
    path = Path(events).expanduser()
    ours = journal_path(journal)
    guarded = [ours, *(Path(f"{ours}{side}") for side in ("-wal", "-shm", "-journal"))]
    if any(_same_file(path, g) for g in guarded):
        raise AssistantError(
            f"--events {events} is the session journal; writing events there would wipe it. "
            "Choose another file."
        )
    return JsonlWriter(path)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except (OSError, ValueError):
        return False


def _journal(args: argparse.Namespace, routine: Routine) -> tuple[JournalRecorder | None, Memory]:
    """Open the journal for a session, unless told not to; a journal problem never stops one.

    ``run`` keeps a journal by default; ``simulate`` and ``demo`` only with ``--journal``,
    so that practice sessions stay out of a person's history.
    """
    person = getattr(args, "person", None)
    nothing = Memory(Carryover(person=person))
    if args.no_journal or not (args.journal or args.func is cmd_run):
        return None, nothing
    path = journal_path(args.journal)
    try:
        journal = open_journal(path)
    except JournalError as exc:
        print(f"note: no journal this session: {exc}", file=sys.stderr)
        return None, nothing
    if journal.moved_aside is not None:
        print(
            f"note: the journal at {path} could not be used because {journal.moved_because}. "
            f"It was moved, untouched, to {journal.moved_aside}; a new journal was started.",
            file=sys.stderr,
        )

    def recall(name: str | None) -> Carryover:
        try:
            return carryover_for(journal, routine, name, datetime.now(timezone.utc))
        except Exception as exc:  # an odd journal must not stop a session from starting
            print(f"note: nothing carried over from the journal: {exc}", file=sys.stderr)
            return Carryover(person=name)

    recorder = JournalRecorder(
        journal,
        person or DEFAULT_PERSON,
        warn=lambda message: print(f"note: {message}", file=sys.stderr, flush=True),
    )
    try:
        people = [] if person else recent_people(journal)
    except Exception as exc:
        print(f"note: cannot list the people in the journal: {exc}", file=sys.stderr)
        people = []
    return recorder, Memory(recall(person), people, recall)


def _readings(text: str) -> list[int]:
    """``--pain 9,10``: readings from 0 to 10, comma-separated."""
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of numbers like 9,10") from None
    if not values or any(not 0 <= v <= 10 for v in values):
        raise argparse.ArgumentTypeError(f"'{text}': give readings from 0 to 10, like 9,10")
    return values


def cmd_simulate(args: argparse.Namespace) -> int:
    routine = load_routine(args.routine)
    if getattr(args, "audio", False):
        return _simulate_audio(args, routine)
    duration, renderer = _durations(args, routine, sys.stderr)
    clock = VirtualClock()
    printer = None if args.quiet else ConsolePrinter(verbose=args.verbose)
    log, memory = _event_log(args, printer, routine)
    source: ScriptInput | SimulatedPartner
    if args.script:
        timed, replies = load_script_replies(args.script)
        source = ScriptedReplies(clock, timed, replies, duration=duration)
        log.add_sink(source)
    else:
        partner = SimulatedPartner(
            clock,
            duration=duration,
            vocabulary=load_vocabulary(routine.locale),
            **({"pain_answers": args.pain} if getattr(args, "pain", None) else {}),
        )
        log.add_sink(partner)
        source = partner
    session = Session(
        routine,
        scheduler=Scheduler(clock),
        voice=SilentVoice(duration),
        log=log,
        memory=memory,
    )
    started = time.perf_counter()
    try:
        outcome = run_session(session, source)
    finally:
        log.close()
        if renderer is not None:
            renderer.close()
    took = time.perf_counter() - started
    minutes, seconds = divmod(int(clock.now()), 60)
    where = f"; events in {args.events}" if args.events else ""
    print(
        f"outcome: {outcome} after {minutes}:{seconds:02d} of session time "
        f"(simulated in {took:.2f} s, {len(log.events)} events{where})",
        file=sys.stderr,
    )
    return 0


def _simulate_audio(args: argparse.Namespace, routine: Routine) -> int:
    from .audio_setup import simulate_with_audio

    if getattr(args, "out", None):  # a bad folder is found now, not after the whole run
        private_folder(Path(args.out))
    printer = None if args.quiet else ConsolePrinter(verbose=args.verbose)
    log, memory = _event_log(args, printer, routine)
    started = time.perf_counter()
    try:
        run = simulate_with_audio(
            routine,
            log,
            memory=memory,
            script=load_script(args.script) if args.script else None,
            engine=args.engine,
            model=Path(args.model) if args.model else None,
            settings=NarrationSettings(rate=args.rate, voice=args.voice),
            noise=Path(args.noise) if args.noise else None,
            record=bool(getattr(args, "out", None)),
        )
    finally:
        log.close()
    took = time.perf_counter() - started
    if getattr(args, "out", None):
        for path in run.write(Path(args.out)):
            print(f"wrote {path}", file=sys.stderr)
    minutes, seconds = divmod(int(run.source.now), 60)
    echoes = len(run.source.listener.dropped)
    print(
        f"outcome: {run.outcome} after {minutes}:{seconds:02d} of session audio, heard through "
        f"the simulated room (took {took:.1f} s; {echoes} echoes of the narration ignored)",
        file=sys.stderr,
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    routine = load_routine(args.routine)
    args.audio, args.script, args.quiet = True, None, False
    print(
        f"Demo: a whole '{routine.id}' session with a simulated couple, spoken, echoed and heard "
        "through a simulated room by the real recognizer.\n",
        file=sys.stderr,
    )
    return _simulate_audio(args, routine)


def cmd_listen(args: argparse.Namespace) -> int:
    from .audio_setup import listen_to_file

    model = Path(args.model) if args.model else None
    for record in listen_to_file(Path(args.wav), args.engine, args.lang, model):
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    from .devices import list_devices

    report = probe_devices()
    rows = list_devices()
    if not rows:
        print(f"No audio devices: {report.describe()}")
        return 1
    for row in rows:
        print(row)
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from .models import find_model, pull_model

    if args.action == "pull":
        path = pull_model(args.lang)
        print(f"model ready in {path}")
        return 0
    try:
        print(f"{args.lang}: {find_model(args.lang)}")
    except AssistantError as exc:
        print(f"{args.lang}: {exc}")
        if args.lang != "en" or importlib.util.find_spec("pocketsphinx") is None:
            print(f"{args.lang}: nothing can listen in this language until a model is pulled")
            return 1
        # open_recognizer falls back the same way: English is heard without vosk too
        print(
            f"{args.lang}: sessions will listen with PocketSphinx instead "
            f"('models pull {args.lang}' gets the vosk model, which hears better)"
        )
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench.run import run_bench

    out = Path(args.out)
    results = run_bench(args.quick, out, Path(args.corpus) if args.corpus else None)
    print((out / "results.md").read_text(encoding="utf-8"))
    print(f"written: {out / 'results.json'}, {out / 'results.md'}")
    missed = [t["target"] for t in results["targets"] if t["met"] is False]
    if missed:
        print(f"targets missed ({len(missed)}): {'; '.join(missed)}")
    return 0


# --- the journal -------------------------------------------------------------------------------

_EVERYONE = object()  # --forget with no name


def cmd_history(args: argparse.Namespace) -> int:
    from .journal import events_of, session_summary, summaries
    from .journal.export import as_csv, as_json, as_text, session_text

    path = journal_path(args.journal)
    if not path.exists():
        note = f"No journal yet at {path}: it starts with the first session you run."
        if args.json or args.csv:  # a program reads stdout: valid, empty output there
            print(note, file=sys.stderr)
            print(as_json([]) if args.json else as_csv([]), end="" if args.csv else "\n")
            return 0
        print(note)
        return 0 if args.forget is None else 1
    journal = open_journal(path, move_aside=False)  # a damaged one is left for `run` to move
    writer = WriterLock(path)
    try:
        if writer.held:  # no session is running: sessions kept beside the journal go in
            _import_unsaved(journal)
        if args.forget is not None:
            if not writer.held:
                print(
                    "A session is writing the journal; forget once it has ended.", file=sys.stderr
                )
                return 1
            return _forget(journal, None if args.forget is _EVERYONE else args.forget, args.yes)
        if args.session is not None:
            one = session_summary(journal, args.session)
            if one is None:
                print(f"No session {args.session} in {path}.", file=sys.stderr)
                return 1
            events = events_of(journal, one.id)
            rows = [one]
        else:
            rows = summaries(journal, args.person, None if args.plot else args.limit)
            events = None
        if args.plot:
            from .journal.plot import plot_history

            try:
                areas = plot_history(rows, Path(args.plot))
            except ValueError as exc:
                print(f"Nothing to plot: {exc}.", file=sys.stderr)
                return 1
            except OutputError as exc:
                print(f"massage-assistant: {exc}", file=sys.stderr)
                return 2
            print(f"wrote {args.plot}: {len(rows)} sessions, {len(areas)} body areas")
        elif args.json:
            print(as_json(rows, events))
        elif args.csv:
            print(as_csv(rows), end="")
        elif events is not None:
            print(session_text(rows[0], events))
        else:
            print(as_text(rows))
    finally:
        writer.release()
        journal.close()
    return 0


def _import_unsaved(journal: Journal) -> None:
    try:
        warn = lambda message: print(f"note: {message}", file=sys.stderr)  # noqa: E731
        for one in import_unsaved(journal, warn):
            print(
                f"note: added {one.path.name} to the journal (session {one.session})",
                file=sys.stderr,
            )
    except Exception as exc:  # the files stay for the next session to try
        print(f"note: could not add unsaved sessions to the journal: {exc}", file=sys.stderr)


def _forget(journal: Journal, person: str | None, yes: bool) -> int:
    """Delete a person's records (everyone's without a name), after a confirmation."""
    who = f"everything about {person}" if person else "every session of everyone"
    if person is not None and person.casefold() not in {p.casefold() for p in journal.people()}:
        print(f"No one called {person} in the journal.", file=sys.stderr)
        return 1
    if not yes:
        if not sys.stdin.isatty():
            print(f"To delete {who}, add --yes.", file=sys.stderr)
            return 1
        if input(f"Delete {who}? This cannot be undone. [y/N] ").strip().lower() not in (
            "y",
            "yes",
        ):
            print("Nothing deleted.")
            return 1
    count = journal.forget(person)
    print(f"Deleted {count} sessions ({who}).")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    routine = load_routine(args.routine)
    devices = probe_devices()
    interactive = args.keyboard or sys.stdin.isatty()
    if args.listen or (devices.microphone is not None and not args.keyboard):
        return _run_live(args, routine, devices, interactive)
    if not args.keyboard:
        print(f"No microphone found ({devices.describe()}).", file=sys.stderr)
    if not interactive:
        print(
            f"No keyboard attached either, so here is a simulated session of "
            f"'{routine.id}' with a simulated couple, at full speed. "
            "(A kiosk that should wait for its microphone: run --listen.)\n",
            file=sys.stderr,
        )
        args.script = None
        args.quiet = False
        args.verbose = False
        args.no_journal = args.no_journal or not args.journal  # a demonstration: no record
        return cmd_simulate(args)
    return _run_keyboard(args, routine)


def _run_live(
    args: argparse.Namespace, routine: Routine, devices: DeviceReport, interactive: bool
) -> int:
    from .audio_setup import run_live

    output = args.output
    if devices.speaker is None and output is None:
        print("No speaker found: narration is printed here only.", file=sys.stderr)
        output = False
    print(
        f"Listening on {devices.microphone or 'the microphone, once one appears'}. Say help "
        "for the commands; say stop at any time."
        + (" Typed commands work too." if interactive else ""),
        file=sys.stderr,
    )
    log, memory = _event_log(args, ConsolePrinter(verbose=args.verbose), routine)
    try:
        run_live(
            routine,
            log,
            memory=memory,
            engine=args.engine,
            model=Path(args.model) if args.model else None,
            settings=NarrationSettings(rate=args.rate, voice=args.voice, volume=args.volume),
            input_device=_device(args.input),
            output_device=_device(output) if output is not False else False,
            keyboard=interactive,
        )
    finally:
        log.close()
    return 0


def _fraction(value: str) -> float:
    """An argparse type: a number from 0 to 1."""
    try:
        x = float(value)
    except ValueError:
        x = -1.0
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number from 0 to 1")
    return x


#: the most sessions ``history --limit`` lists, and the largest id SQLite can hold
MAX_LIMIT = 1_000_000
MAX_ID = 2**63 - 1


def _count(lo: int, hi: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``lo`` to ``hi``, said plainly otherwise."""

    def convert(value: str) -> int:
        try:
            n = int(value.strip()) if len(value) <= 20 else None
        except ValueError:
            n = None
        if n is None or not lo <= n <= hi:
            raise argparse.ArgumentTypeError(
                f"'{value[:20]}' is not a whole number from {lo} to {hi}"
            )
        return n

    return convert


def _device(value: str | None) -> int | str | None:
    """A device index when the value is a number, else a part of its name."""
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def _run_keyboard(args: argparse.Namespace, routine: Routine) -> int:
    print(
        "Text mode: type a command and press Enter (help, next, lighter, stop...). "
        "Ctrl-D or Ctrl-C stops safely.\n",
        file=sys.stderr,
    )
    clock = WallClock()
    duration, renderer = _durations(args, routine, sys.stderr)
    log, memory = _event_log(args, ConsolePrinter(verbose=args.verbose), routine)
    session = Session(
        routine,
        scheduler=Scheduler(clock),
        voice=SilentVoice(duration),
        log=log,
        memory=memory,
    )
    source = QueueInput(clock)
    read_keyboard(source, sys.stdin)
    try:
        run_interactive(session, source)
    finally:
        log.close()
        if renderer is not None:
            renderer.close()
    return 0


def cmd_sounds(args: argparse.Namespace) -> int:
    """The earcon tour: each sound named by the narrator's voice, then played (or written)."""
    from .earcon_tour import tour_audio, write_tour
    from .speaker import LineAudio

    renderer = Pyttsx3Renderer(NarrationSettings(rate=args.rate, voice=args.voice))
    try:
        items = tour_audio(LineAudio(renderer).get)
    finally:
        renderer.close()
    if args.out:
        paths = write_tour(items, Path(args.out))
        print(f"Wrote {len(paths)} WAV files to {args.out} (tour.wav is the whole tour).")
        return 0
    import numpy as np

    from .live_audio import play_pcm

    for item in items:
        print(f"{item.name:<11} {item.words}")
    play_pcm(np.concatenate([i.audio for i in items]), _device(args.output))
    return 0


# --- argument parsing ----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="massage-assistant",
        description="Offline, voice-guided, hands-free back-massage session assistant.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(metavar="COMMAND")

    def add(
        name: str, func: Callable[[argparse.Namespace], int], help_: str
    ) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_, description=help_)
        sp.set_defaults(func=func)
        return sp

    def session_options(sp: argparse.ArgumentParser, default: str | None = None) -> None:
        sp.add_argument(
            "routine",
            nargs="?" if default else None,
            default=default,
            help="routine name (see 'list') or path to a YAML file",
        )
        sp.add_argument("--events", metavar="FILE", help="write every event as JSON lines")
        sp.add_argument(
            "--journal",
            metavar="FILE",
            help=f"the session journal (default: ${ENV_VAR}, else {default_journal_path()}); "
            "simulations keep one only when this is given",
        )
        sp.add_argument("--no-journal", action="store_true", help="keep no record of this session")
        sp.add_argument(
            "--person", metavar="NAME", help="who is lying down (their history and preferences)"
        )
        sp.add_argument(
            "--rate",
            type=cli_values.rate_wpm,
            metavar="WPM",
            help="speaking rate in words per minute (screen-reader users: 300+)",
        )
        sp.add_argument(
            "--voice", type=cli_values.voice, help="speech engine voice id or language code"
        )
        sp.add_argument("--verbose", action="store_true", help="also show states and intents")
        sp.add_argument(
            "--durations",
            choices=("auto", "engine", "wpm"),
            default="auto",
            help="time narration by the speech engine or by words per minute",
        )

    def audio_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--engine", choices=("vosk", "pocketsphinx"), help="speech recognizer")
        sp.add_argument("--model", metavar="DIR", help="vosk model folder")

    sp = add("run", cmd_run, "run a session (typed commands; a simulation when nobody can type)")
    session_options(sp)
    sp.add_argument("--keyboard", action="store_true", help="typed commands only, no microphone")
    sp.add_argument(
        "--listen",
        action="store_true",
        help="listen even when no microphone is present yet (a kiosk waits for one)",
    )
    sp.add_argument(
        "--input",
        type=cli_values.device,
        metavar="DEVICE",
        help="microphone: index or part of its name",
    )
    sp.add_argument(
        "--output",
        type=cli_values.device,
        metavar="DEVICE",
        help="speaker: index or part of its name",
    )
    sp.add_argument(
        "--volume", type=cli_values.volume, default=1.0, help="narration volume, 0 to 1"
    )
    audio_options(sp)

    sp = add("simulate", cmd_simulate, "run a whole session on a virtual clock")
    session_options(sp)
    sp.add_argument(
        "--script",
        metavar="SCRIPT.yaml",
        help="what is said and when; without it a simulated couple answers",
    )
    sp.add_argument("--quiet", action="store_true", help="print only the summary")
    sp.add_argument(
        "--pain",
        type=_readings,
        metavar="N,N,...",
        help="what the simulated receiver answers to pain questions, in turn, the last one "
        "repeated (for example 9,10)",
    )
    sp.add_argument(
        "--audio",
        action="store_true",
        help="speak everything, echo it into a simulated microphone and listen with the "
        "real recognizer",
    )
    sp.add_argument("--noise", metavar="WAV", help="room noise to mix in (with --audio)")
    sp.add_argument("--out", metavar="DIR", help="write narration and microphone WAVs here")
    audio_options(sp)

    sp = add("demo", cmd_demo, "a whole spoken session heard by the real recognizer; writes WAVs")
    session_options(sp, default="gentle-first")
    sp.add_argument("--noise", metavar="WAV", help="room noise to mix in")
    sp.add_argument("--out", metavar="DIR", default="demo-output", help="where the WAVs go")
    audio_options(sp)

    sp = add("listen", cmd_listen, "print the commands heard in a recording, as JSON lines")
    sp.add_argument("--wav", required=True, metavar="FILE", help="any WAV file")
    sp.add_argument("--lang", default="en", help="language of the commands (en, ko)")
    audio_options(sp)

    add("devices", cmd_devices, "list microphones and speakers")
    sp = add("bench", cmd_bench, "measure how well and how fast it hears, beside the usual ways")
    sp.add_argument("--quick", action="store_true", help="a small run (under a minute), for CI")
    sp.add_argument("--out", default="bench", metavar="DIR", help="where results go (bench/)")
    sp.add_argument("--corpus", metavar="DIR", help="the shared recordings (../shared/corpus)")
    sp = add("models", cmd_models, "show the speech model in use, or download one")
    sp.add_argument("action", nargs="?", choices=("show", "pull"), default="show")
    sp.add_argument("lang", nargs="?", default="en")

    sp = add("history", cmd_history, "past sessions: pain readings, pressure, outcomes")
    sp.add_argument(
        "--journal",
        metavar="FILE",
        help=f"the journal (default: ${ENV_VAR}, else {default_journal_path()})",
    )
    sp.add_argument("--person", metavar="NAME", help="only this person's sessions")
    sp.add_argument(
        "--limit", type=_count(1, MAX_LIMIT), default=20, metavar="N", help="how many (20)"
    )
    sp.add_argument(
        "--session", type=_count(1, MAX_ID), metavar="ID", help="one session, event by event"
    )
    form = sp.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="as JSON")
    form.add_argument("--csv", action="store_true", help="as CSV, one row per session")
    form.add_argument("--plot", metavar="FILE.png", help="draw pain and pressure per body area")
    form.add_argument(
        "--forget",
        nargs="?",
        const=_EVERYONE,
        metavar="PERSON",
        help="delete a person's records (everyone's without a name)",
    )
    sp.add_argument("--yes", action="store_true", help="do not ask before --forget")

    sp = add("validate", cmd_validate, "check routine files; every problem as FILE:LINE")
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.add_argument("--quiet", action="store_true", help="print problems only")

    add("list", cmd_list, "list the available routines")
    sp = add("show", cmd_show, "show a routine as a timeline")
    sp.add_argument("routine")
    add("schema", cmd_schema, "print the routine file reference for authors")
    sp = add("diagram", cmd_diagram, "print the session state machine as a mermaid diagram")
    sp.add_argument("--output", metavar="FILE")

    sp = add("sounds", cmd_sounds, "an earcon tour: each sound named, then played")
    sp.add_argument("--out", metavar="DIR", help="write WAV files here instead of playing")
    sp.add_argument(
        "--output", type=cli_values.device, metavar="DEVICE", help="speaker: index or name part"
    )
    sp.add_argument("--rate", type=cli_values.rate_wpm, metavar="WPM", help="words per minute")
    sp.add_argument("--voice", type=cli_values.voice, help="voice id or language code")

    sp = add("parse", cmd_parse, "show the intent found in each text, as JSON lines")
    sp.add_argument("texts", nargs="+", metavar="TEXT")
    sp.add_argument("--locale", default="en")
    return p


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

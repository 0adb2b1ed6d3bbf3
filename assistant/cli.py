"""``massage-assistant``: the command line, and the one place where parts are wired together."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .clock import Scheduler, VirtualClock, WallClock
from .console import ConsolePrinter
from .devices import probe_devices
from .errors import AssistantError, SpeechEngineError
from .events import EventLog, JsonlWriter
from .intents import load_vocabulary, parse
from .narration import NarrationSettings, Pyttsx3Renderer
from .partner import SimulatedPartner
from .routine import Routine
from .routine_loader import check_file, load_routine, routine_paths
from .runner import QueueInput, ScriptInput, run_session
from .schema_doc import routine_reference
from .script import load_script
from .session import Session, machine_config
from .voice import DEFAULT_WPM, SilentVoice, estimate_seconds

__all__ = ["main", "timeline"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 fine, 1 problems found, 2 could not run)."""
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
        Path(args.output).write_text(text, encoding="utf-8")
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


def _event_log(args: argparse.Namespace, printer: ConsolePrinter | None) -> EventLog:
    log = EventLog()
    if printer is not None:
        log.add_sink(printer)
    if args.events:
        log.add_sink(JsonlWriter(Path(args.events)))
    return log


def cmd_simulate(args: argparse.Namespace) -> int:
    routine = load_routine(args.routine)
    duration, renderer = _durations(args, routine, sys.stderr)
    clock = VirtualClock()
    printer = None if args.quiet else ConsolePrinter(verbose=args.verbose)
    log = _event_log(args, printer)
    source: ScriptInput | SimulatedPartner
    if args.script:
        source = ScriptInput(clock, load_script(args.script))
    else:
        partner = SimulatedPartner(clock, duration=duration)
        log.add_sink(partner)
        source = partner
    session = Session(routine, scheduler=Scheduler(clock), voice=SilentVoice(duration), log=log)
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


def cmd_run(args: argparse.Namespace) -> int:
    routine = load_routine(args.routine)
    devices = probe_devices()
    interactive = args.keyboard or sys.stdin.isatty()
    if not args.keyboard:
        if devices.microphone is None:
            print(f"No microphone found ({devices.describe()}).", file=sys.stderr)
        else:
            print(
                f"Found {devices.microphone}, but this version listens to typed commands only.",
                file=sys.stderr,
            )
    if not interactive:
        print(
            f"No keyboard attached either, so here is a simulated session of "
            f"'{routine.id}' with a simulated couple, at full speed.\n",
            file=sys.stderr,
        )
        args.script = None
        args.quiet = False
        args.verbose = False
        return cmd_simulate(args)
    return _run_keyboard(args, routine)


def _run_keyboard(args: argparse.Namespace, routine: Routine) -> int:
    print(
        "Text mode: type a command and press Enter (help, next, lighter, stop...). "
        "Ctrl-D or Ctrl-C stops safely.\n",
        file=sys.stderr,
    )
    clock = WallClock()
    duration, renderer = _durations(args, routine, sys.stderr)
    log = _event_log(args, ConsolePrinter(verbose=args.verbose))
    session = Session(routine, scheduler=Scheduler(clock), voice=SilentVoice(duration), log=log)
    source = QueueInput(clock)

    def read_keyboard() -> None:  # the only job of this thread: copy lines to the queue
        for line in sys.stdin:
            source.put(line.strip())
        source.put(None)

    threading.Thread(target=read_keyboard, name="keyboard", daemon=True).start()
    try:
        run_session(session, source)
    except KeyboardInterrupt:
        try:
            session.quit()
        except Exception as exc:  # even here: end safely, keep the events, no traceback
            session.log_error(f"{type(exc).__name__}: {exc}")
    finally:
        log.close()
        if renderer is not None:
            renderer.close()
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

    def session_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("routine", help="routine name (see 'list') or path to a YAML file")
        sp.add_argument("--events", metavar="FILE", help="write every event as JSON lines")
        sp.add_argument(
            "--rate",
            type=int,
            metavar="WPM",
            help="speaking rate in words per minute (screen-reader users: 300+)",
        )
        sp.add_argument("--voice", help="speech engine voice id or language code")
        sp.add_argument("--verbose", action="store_true", help="also show states and intents")
        sp.add_argument(
            "--durations",
            choices=("auto", "engine", "wpm"),
            default="auto",
            help="time narration by the speech engine or by words per minute",
        )

    sp = add("run", cmd_run, "run a session (typed commands; a simulation when nobody can type)")
    session_options(sp)
    sp.add_argument("--keyboard", action="store_true", help="read typed commands from stdin")

    sp = add("simulate", cmd_simulate, "run a whole session on a virtual clock")
    session_options(sp)
    sp.add_argument(
        "--script",
        metavar="SCRIPT.yaml",
        help="what is said and when; without it a simulated couple answers",
    )
    sp.add_argument("--quiet", action="store_true", help="print only the summary")

    sp = add("validate", cmd_validate, "check routine files; every problem as FILE:LINE")
    sp.add_argument("files", nargs="+", metavar="FILE")
    sp.add_argument("--quiet", action="store_true", help="print problems only")

    add("list", cmd_list, "list the available routines")
    sp = add("show", cmd_show, "show a routine as a timeline")
    sp.add_argument("routine")
    add("schema", cmd_schema, "print the routine file reference for authors")
    sp = add("diagram", cmd_diagram, "print the session state machine as a mermaid diagram")
    sp.add_argument("--output", metavar="FILE")

    sp = add("parse", cmd_parse, "show the intent found in each text, as JSON lines")
    sp.add_argument("texts", nargs="+", metavar="TEXT")
    sp.add_argument("--locale", default="en")
    return p


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""``massage-assistant``: the command line, and the one place where parts are wired together."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant import __version__, app
from assistant.app import AppConfig, AudioConfig, NarrationConfig
from assistant.errors import AssistantError
from assistant.journal import (
    ENV_VAR,
    default_journal_path,
)
from assistant.subcommands import values as cli_values
from assistant.subcommands.audio import (
    cmd_bench,
    cmd_devices,
    cmd_listen,
    cmd_models,
    cmd_sounds,
    device_choice,
)
from assistant.subcommands.history import EVERYONE, cmd_history
from assistant.subcommands.routines import (
    cmd_diagram,
    cmd_list,
    cmd_parse,
    cmd_schema,
    cmd_show,
    cmd_validate,
    timeline,
)

__all__ = ["main", "timeline"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 fine, 1 problems found, 2 could not run)."""
    for stream in (sys.stdout, sys.stderr):  # a file name in bad UTF-8 must still print
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    parser = _parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    # no command at all: the spoken start menu, as "run" without a routine gives it
    args = parser.parse_args(argv or ["run"])
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


# --- sessions: argparse -> config -> app.run ----------------------------------------------------


def _config(args: argparse.Namespace, *, journal_by_default: bool) -> AppConfig:
    """The frozen config of a session run, built once from the parsed command line."""

    def get(name: str, default: Any = None) -> Any:  # options only some commands have
        return getattr(args, name, default)

    return AppConfig(
        routine=get("routine") or "",
        person=get("person"),
        journal=app.keep_journal(get("no_journal", False), get("journal"), journal_by_default),
        events=get("events"),
        narration=NarrationConfig(
            rate=get("rate"),
            voice=get("voice"),
            volume=get("volume"),
            durations=get("durations", "auto"),
        ),
        audio=AudioConfig(
            engine=get("engine"),
            model=Path(args.model) if get("model") else None,
            input=device_choice(get("input")),
            output=device_choice(get("output")),
            noise=Path(args.noise) if get("noise") else None,
            out=Path(args.out) if get("out") else None,
            listen=get("listen", False),
        ),
        verbose=get("verbose", False),
        quiet=get("quiet", False),
        script=get("script"),
        pain=app.readings(get("pain")),
        keyboard=get("keyboard", False),
        learn=get("learn", False),
        pedal=get("pedal"),
    )


def cmd_run(args: argparse.Namespace) -> int:
    if args.routine is None:  # the start menu chooses it
        from assistant.menu.start import choose_and_run

        return choose_and_run(_config(args, journal_by_default=True))
    return app.run(_config(args, journal_by_default=True))


def cmd_kiosk(args: argparse.Namespace) -> int:
    from assistant.kiosk.live import run_kiosk

    return run_kiosk(_config(args, journal_by_default=True))


def cmd_soak(args: argparse.Namespace) -> int:
    import tempfile

    from assistant.kiosk.soak import run_soak

    try:
        scratch = tempfile.TemporaryDirectory(prefix="soak-", dir=args.dir)
    except OSError as exc:
        print(
            f"error: cannot use {args.dir} for the soak's journal: {exc.strerror}", file=sys.stderr
        )
        return 2
    with scratch as folder:
        report = run_soak(Path(folder) / "journal.db", args.sessions, args.seed)
    print("\n".join(report.lines()))
    return 0 if report.ended == report.journal_sessions == args.sessions else 1


def cmd_simulate(args: argparse.Namespace) -> int:
    cfg = _config(args, journal_by_default=False)
    return app.run_simulated(cfg, audio=bool(getattr(args, "audio", False)))


def cmd_demo(args: argparse.Namespace) -> int:
    return app.run_demo(_config(args, journal_by_default=False))


def _readings(text: str) -> list[int]:
    """``--pain 9,10``: readings from 0 to 10, comma-separated."""
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of numbers like 9,10") from None
    if not values or any(not 0 <= v <= 10 for v in values):
        raise argparse.ArgumentTypeError(f"'{text}': give readings from 0 to 10, like 9,10")
    return values


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

    def session_options(
        sp: argparse.ArgumentParser, default: str | None = None, optional: bool = False
    ) -> None:
        sp.add_argument(
            "routine",
            nargs="?" if default or optional else None,
            default=default,
            help="routine name (see 'list') or path to a YAML file"
            + ("; without one, a spoken menu offers them" if optional else ""),
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
            "--learn",
            action="store_true",
            help="learner mode: slower strokes, where and why before each step, hands placed "
            "before pressure work, and a practice of the commands first",
        )
        sp.add_argument(
            "--durations",
            choices=("auto", "engine", "wpm"),
            default="auto",
            help="time narration by the speech engine or by words per minute",
        )

    def audio_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--engine",
            choices=("whisper", "vosk", "pocketsphinx"),
            help="speech recognizer (default: the best one that can start; English: whisper)",
        )
        sp.add_argument("--model", metavar="DIR", help="model folder (whisper or vosk)")

    def live_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--pedal",
            metavar="DEVICE",
            help="a foot pedal or key: an evdev device (path or part of its name), or "
            "'terminal' for any key here; a press is next, a long or double press stop",
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
            "--volume", type=cli_values.volume, help="narration volume, 0 to 1 (default 1)"
        )
        audio_options(sp)

    sp = add("run", cmd_run, "run a session (typed commands; a simulation when nobody can type)")
    session_options(sp, optional=True)
    sp.add_argument("--keyboard", action="store_true", help="typed commands only, no microphone")
    sp.add_argument(
        "--listen",
        action="store_true",
        help="listen even when no microphone is present yet (a kiosk waits for one)",
    )
    live_options(sp)

    sp = add(
        "kiosk",
        cmd_kiosk,
        "run for ever: wait for 'start' or a pedal press, offer the menu, run the "
        "session, wait again",
    )
    sp.add_argument("--journal", metavar="FILE", help=f"the journal (default: ${ENV_VAR})")
    sp.add_argument("--rate", type=cli_values.rate_wpm, metavar="WPM", help="words per minute")
    sp.add_argument("--voice", type=cli_values.voice, help="voice id or language code")
    live_options(sp)

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
    sp.add_argument(
        "--systems", metavar="A,B", help="run only these systems (default: every one that can)"
    )
    sp = add("soak", cmd_soak, "a simulated kiosk runs many sessions with faults; prints memory")
    sp.add_argument("--sessions", type=_count(1, 10_000), default=50, metavar="N")
    sp.add_argument("--seed", type=_count(0, 2**31), default=13, metavar="N")
    sp.add_argument("--dir", metavar="DIR", help="where the throw-away journal goes (a temp dir)")
    sp = add("models", cmd_models, "show the speech model in use, or download one")
    sp.add_argument("action", nargs="?", choices=("show", "pull"), default="show")
    sp.add_argument(
        "lang", nargs="?", default="en", help="a language (en, ko), 'whisper' or 'whisper-base'"
    )

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
        const=EVERYONE,
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
    sp.add_argument(
        "--words",
        action="store_true",
        help="instead, the table of what each spoken word does in each state (found by saying "
        "it there in a simulated session)",
    )

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

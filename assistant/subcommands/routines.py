"""Commands about routines and words: validate, list, show, schema, diagram, parse."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.files import write_private
from assistant.intents import load_vocabulary, parse
from assistant.narration.voice import estimate_seconds
from assistant.routine.doc import routine_reference
from assistant.routine.loader import check_file, load_routine, routine_paths
from assistant.routine.model import Routine
from assistant.session import machine_config
from assistant.session.dialogue import drawn_together

__all__ = [
    "cmd_diagram",
    "cmd_list",
    "cmd_parse",
    "cmd_schema",
    "cmd_show",
    "cmd_validate",
    "timeline",
]


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
    from transitions.extensions import HierarchicalGraphMachine

    if getattr(args, "words", False):
        from assistant.subcommands.words import markdown

        print(markdown(), end="")
        return 0

    class _Model:
        pass

    # both machines: the screening turn (assistant/session/dialogue.py) inside "screening"
    config = drawn_together(machine_config())
    # the diagram needs no conditions evaluated; drop them so it can be drawn model-free
    for t in config["transitions"]:
        t.pop("conditions", None)
        t.pop("unless", None)
    model = _Model()
    HierarchicalGraphMachine(
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

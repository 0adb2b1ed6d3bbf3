"""``history``: list, show, export, plot and forget past sessions from the journal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.files import OutputError
from assistant.journal import (
    Journal,
    journal_path,
    open_journal,
)
from assistant.journal.unsaved import WriterLock, import_unsaved

__all__ = ["EVERYONE", "cmd_history"]


EVERYONE = object()  # --forget with no name


def cmd_history(args: argparse.Namespace) -> int:
    from assistant.journal import events_of, session_summary, summaries
    from assistant.journal.export import as_csv, as_json, as_text, session_text

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
            return _forget(journal, None if args.forget is EVERYONE else args.forget, args.yes)
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
            from assistant.journal.plot import plot_history

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

"""The history as text to read, JSON for programs and CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from assistant.console import format_event
from assistant.events import Event
from assistant.journal.history import SessionSummary
from assistant.journal.store import DEFAULT_PERSON

__all__ = ["as_csv", "as_json", "as_text", "session_text"]

CSV_FIELDS = (
    "id",
    "started",
    "person",
    "routine",
    "minutes",
    "outcome",
    "stages_done",
    "stages_total",
    "lighter",
    "firmer",
    "ouch",
    "pain",
    "pressure",
    "resumed_from",
    "learner",
)


def as_text(rows: Sequence[SessionSummary]) -> str:
    """A few lines per session, newest first, readable aloud by a screen reader."""
    if not rows:
        return "No sessions in the journal yet."
    out: list[str] = []
    for s in rows:
        who = "" if s.person == DEFAULT_PERSON else f" for {s.person}"
        how = " In learner mode." if s.learner else ""
        out.append(f"Session {s.id}, {_local(s)}: {s.title}{who}. {_line(s)}{how}")
        if s.pain:
            out.append(f"  Pain readings: {_pain(s)}.")
        requests = _requests(s)
        if requests or s.pressure:
            ended = "; ".join(f"{a} {lvl}" for a, lvl in s.pressure.items())
            parts = [p for p in (requests, f"ended at {ended}" if ended else "") if p]
            out.append(f"  Pressure: {'; '.join(parts)}.")
    return "\n".join(out)


def session_text(summary: SessionSummary, events: Sequence[Event]) -> str:
    """One session in full: its summary, then every line said and heard, in order."""
    lines = [as_text([summary]), ""]
    lines += [line for e in events if (line := format_event(e, verbose=True)) is not None]
    return "\n".join(lines)


def as_json(rows: Sequence[SessionSummary], events: Sequence[Event] | None = None) -> str:
    if events is not None and len(rows) == 1:
        one = rows[0].to_json()
        one["events"] = [e.to_json() for e in events]
        return json.dumps(one, ensure_ascii=False, indent=2)
    return json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2)


def as_csv(rows: Sequence[SessionSummary]) -> str:
    """One row per session; pain readings and pressures as ``area: values; area: values``."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for s in rows:
        writer.writerow(
            {
                "id": s.id,
                "started": s.started.isoformat(),
                "person": s.person,
                "routine": s.routine,
                "minutes": f"{s.minutes:.1f}",
                "outcome": s.outcome,
                "stages_done": s.stages_done,
                "stages_total": "" if s.stages_total is None else s.stages_total,
                "lighter": s.lighter,
                "firmer": s.firmer,
                "ouch": s.ouch,
                "pain": "; ".join(f"{a}: {' '.join(map(str, v))}" for a, v in s.pain.items()),
                "pressure": "; ".join(f"{a}: {lvl}" for a, lvl in s.pressure.items()),
                "resumed_from": "" if s.resumed_from is None else s.resumed_from,
                "learner": "yes" if s.learner else "",
            }
        )
    return buf.getvalue()


def _local(s: SessionSummary) -> str:
    return s.started.astimezone().strftime("%Y-%m-%d %H:%M")


def _line(s: SessionSummary) -> str:
    total = f" of {s.stages_total}" if s.stages_total is not None else ""
    what = {
        "finished": "Finished",
        "stopped": "Stopped",
        "declined": "Declined at the safety questions",
        "ended for pain": "Ended for pain (advised a doctor if it stays or grows)",
        "interrupted": "Interrupted (a crash or power cut)",
        "unfinished": "Did not end (still running, or a crash)",
    }.get(s.outcome, s.outcome)
    resumed = f" Carried on from session {s.resumed_from}." if s.resumed_from else ""
    return f"{what} after {s.minutes:.0f} min, {s.stages_done}{total} stages done.{resumed}"


def _pain(s: SessionSummary) -> str:
    return "; ".join(f"{area} {', '.join(map(str, v))}" for area, v in s.pain.items())


def _requests(s: SessionSummary) -> str:
    parts = [
        f"{n} {word}{'' if n == 1 else 's'}"
        for n, word in ((s.lighter, "lighter"), (s.firmer, "firmer"), (s.ouch, "ouch"))
        if n
    ]
    return ", ".join(parts)

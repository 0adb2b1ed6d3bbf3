"""Run sessions on a virtual clock and turn their events into comparable traces."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from assistant.clock import Scheduler, VirtualClock
from assistant.events import Event, EventLog
from assistant.narration.voice import SilentVoice
from assistant.routine.loader import load_routine
from assistant.routine.model import Routine
from assistant.runner import ScriptInput, Utterance, run_session
from assistant.session import Session, SessionSettings
from assistant.simulation.partner import SimulatedPartner

ROUTINES = ("swedish-back", "knot-relief", "classic-regional", "gentle-first")
GOLDEN = Path(__file__).parent / "golden"


def simulate(
    routine: Routine | str,
    extra: Iterable[tuple[float, str]] = (),
    *,
    partner: bool = True,
    pain: Iterable[int] = (6, 4, 3, 3),
    settings: SessionSettings | None = None,
) -> tuple[Session, EventLog, str]:
    """A whole session with a cooperative couple (or only ``extra``), as fast as possible."""
    if isinstance(routine, str):
        routine = load_routine(routine)
    clock = VirtualClock()
    log = EventLog()
    lines = [Utterance(at, text) for at, text in extra]
    source: SimulatedPartner | ScriptInput
    if partner:
        source = SimulatedPartner(clock, pain_answers=pain, extra=lines)
        log.add_sink(source)
    else:
        source = ScriptInput(clock, lines)
    session = Session(
        routine, scheduler=Scheduler(clock), voice=SilentVoice(), log=log, settings=settings
    )
    outcome = run_session(session, source)
    return session, log, outcome


def trace(events: list[Event]) -> list[str]:
    """Order of states and kinds of lines, without times or wording: what golden files hold."""
    out: list[str] = []
    for e in events:
        d = e.data
        if e.type == "state":
            line = f"state {d['state']} {d['stage'] or ''}".rstrip()
        elif e.type == "say":
            line = f"say {d['kind']}"
        elif e.type == "cue":
            line = "cue"
        elif e.type == "intent":
            line = f"intent {d['name']}" + (f" {d['value']}" if "value" in d else "")
        elif e.type in ("heard", "start"):
            continue
        elif e.type in ("pressure", "stage"):
            line = f"{e.type} {d['level']}"
        elif e.type == "await":
            line = f"await {d['want']}"
        elif e.type == "pain":
            line = f"pain {d['value']}"
        elif e.type == "end":
            line = f"end {d['outcome']}"
        else:
            line = e.type
        if line == "cue" and out and out[-1].startswith("cue"):
            count = int(out[-1].split("x")[1]) if "x" in out[-1] else 1
            out[-1] = f"cue x{count + 1}"
        else:
            out.append(line)
    return out


def check_golden(name: str, lines: list[str]) -> None:
    """Compare with tests/golden/NAME.trace; UPDATE_GOLDEN=1 rewrites it after a reviewed change."""
    path = GOLDEN / f"{name}.trace"
    text = "\n".join(lines) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with UPDATE_GOLDEN=1 and review it"
    expected = path.read_text(encoding="utf-8").splitlines()
    assert lines == expected, f"trace differs from {path} (UPDATE_GOLDEN=1 after review)"


def first(events: list[Event], type_: str, **match: object) -> Event:
    for e in events:
        if e.type == type_ and all(e.data.get(k) == v for k, v in match.items()):
            return e
    raise AssertionError(f"no {type_} event matching {match}")


def states(events: list[Event]) -> list[str]:
    return [str(e.data["state"]) for e in events if e.type == "state"]

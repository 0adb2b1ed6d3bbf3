"""Simulated sessions written into a real journal, for the journal tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from assistant.clock import Scheduler, VirtualClock
from assistant.events import Event, EventLog
from assistant.journal import JournalRecorder, carryover_for, open_journal
from assistant.narration.voice import SilentVoice
from assistant.routine.loader import load_routine
from assistant.runner import ScriptInput, Utterance, run_session
from assistant.session import Session
from assistant.session.carryover import Carryover, Memory
from assistant.simulation.partner import SimulatedPartner

#: a fixed "today", so dates in the journal do not depend on when tests run
DAY0 = datetime(2026, 3, 2, 18, 30, tzinfo=timezone.utc)


class SayAt:
    """An event sink that says ``text`` a few seconds into each stage of ``area``."""

    def __init__(self, partner: ScriptInput, area: str, text: str, times: int = 1) -> None:
        self.partner, self.area, self.text, self.left = partner, area, text, times

    def emit(self, event: Event) -> None:
        if event.type == "stage" and event.data["area"] == self.area and self.left > 0:
            self.left -= 1
            self.partner.add(Utterance(event.t + 20.0, self.text))


def journal_session(
    path: Path,
    routine: str,
    *,
    person: str | None = None,
    when: datetime = DAY0,
    pain: Iterable[int] = (6, 4, 3),
    say: Iterable[tuple[str, str]] = (),
    script: Iterable[tuple[float, str]] | None = None,
) -> tuple[EventLog, Carryover]:
    """Run one whole simulated session into the journal at ``path``, as ``run`` would.

    ``say`` holds (area, command) pairs said once in the first stage of that area;
    ``script`` replaces the cooperative couple with fixed lines.
    """
    r = load_routine(routine)
    journal = open_journal(path)
    carry = carryover_for(journal, r, person, when)
    clock = VirtualClock()
    recorder = JournalRecorder(
        journal, person or "default", now=lambda: when + timedelta(seconds=clock.now())
    )
    log = EventLog(recorder)
    source: ScriptInput
    if script is not None:
        source = ScriptInput(clock, [Utterance(at, text) for at, text in script])
    else:
        source = SimulatedPartner(clock, pain_answers=pain)
        log.add_sink(source)
        for area, text in say:
            log.add_sink(SayAt(source, area, text))
    session = Session(
        r, scheduler=Scheduler(clock), voice=SilentVoice(), log=log, memory=Memory(carry)
    )
    try:
        run_session(session, source)
    finally:
        log.close()
    return log, carry

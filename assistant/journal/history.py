"""What the journal says: session summaries, learned preferences, a session to resume.

Everything here is derived from the events themselves, so the journal keeps one
source of truth and a new summary field works on old sessions too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assistant.events import Event, decode
from assistant.events.kinds import (
    IntentHeard,
    Learning,
    Pain,
    Preference,
    Pressure,
    Stage,
    Start,
    State,
    VoiceSet,
)
from assistant.journal.store import DEFAULT_PERSON, Journal
from assistant.narration.delivery import Delivery
from assistant.routine.model import Routine
from assistant.session.carryover import ENDED_FOR_PAIN, Carryover, ResumePoint

__all__ = [
    "RESUME_WITHIN",
    "SessionSummary",
    "Unfinished",
    "carryover_for",
    "events_of",
    "learned_delivery",
    "learned_steps",
    "recent_people",
    "session_summary",
    "summaries",
    "unfinished_session",
]

#: How long after a crash ``run`` still offers to carry on where it stopped.
RESUME_WITHIN = timedelta(hours=24)
_AFTER_STAGES = ("closing", "finished")
#: the columns _summarize reads, for any selection of sessions
_SESSIONS = (
    "SELECT s.id, p.name, s.routine, s.title, s.started, s.outcome, s.resumed_from "
    "FROM sessions s JOIN people p ON p.id = s.person_id"
)


@dataclass(frozen=True)
class SessionSummary:
    """One session as ``history`` shows it; times are UTC."""

    id: int
    person: str
    routine: str
    title: str
    started: datetime
    minutes: float
    outcome: str  # finished, stopped, declined, interrupted, or unfinished (never ended)
    stages_done: int
    stages_total: int | None
    last_stage: str | None  # the stage it was in last
    pain: dict[str, list[int]] = field(default_factory=dict)  # area: readings in order
    pressure: dict[str, str] = field(default_factory=dict)  # area: level it ended at
    lighter: int = 0  # "lighter" requests
    firmer: int = 0
    ouch: int = 0
    resumed_from: int | None = None
    learner: bool = False  # in learner mode when it stopped

    def to_json(self) -> dict[str, object]:
        out = dict(self.__dict__)
        out["started"] = self.started.isoformat()
        out["minutes"] = round(self.minutes, 1)
        return out


@dataclass(frozen=True)
class Unfinished:
    """A session that never ended (a crash, a power cut) and where it had got to."""

    session: int
    routine: str
    started: datetime
    stage: str
    summary: SessionSummary


def events_of(journal: Journal, session: int) -> list[Event]:
    with journal.lock:
        rows = journal.db.execute(
            "SELECT t, type, data, v FROM events WHERE session_id = ? ORDER BY seq", (session,)
        ).fetchall()
    return [decode(t, type_, json.loads(data), v) for t, type_, data, v in rows]


def summaries(
    journal: Journal, person: str | None = None, limit: int | None = None
) -> list[SessionSummary]:
    """The most recent sessions first, of one person or of everyone."""
    where, params = ("WHERE p.name = ?", [person]) if person is not None else ("", [])
    sql = f"{_SESSIONS} {where} ORDER BY s.started DESC, s.id DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with journal.lock:
        rows = journal.db.execute(sql, params).fetchall()
    return [_summarize(row, events_of(journal, row[0])) for row in rows]


def session_summary(journal: Journal, session: int) -> SessionSummary | None:
    with journal.lock:
        row = journal.db.execute(f"{_SESSIONS} WHERE s.id = ?", (session,)).fetchone()
    return None if row is None else _summarize(row, events_of(journal, session))


def learned_steps(journal: Journal, person: str) -> dict[str, int]:
    """Pressure steps per body area that this person last settled on (0: as designed).

    A step is counted from each stage's own starting pressure, so "one step lighter
    on the lower back" carries over to any routine. The latest word wins: a pressure
    change, or the preference a session started with.
    """
    with journal.lock:
        rows = journal.db.execute(
            "SELECT e.t, e.type, e.data, e.v FROM events e JOIN sessions s ON s.id = e.session_id "
            "JOIN people p ON p.id = s.person_id "
            "WHERE p.name = ? AND e.type IN ('pressure', 'preference') "
            "ORDER BY s.started, s.id, e.seq",
            (person,),
        ).fetchall()
    steps: dict[str, int] = {}
    for t, type_, data, v in rows:
        match decode(t, type_, json.loads(data), v):
            case Pressure(area=area, step=step) | Preference(area=area, step=step):
                steps[area] = step
    return {area: step for area, step in steps.items() if step != 0}


def learned_delivery(journal: Journal, person: str) -> Delivery | None:
    """The voice's speed and loudness this person last asked for, in any routine; None if
    they never changed it. As with pressures, the latest word wins."""
    with journal.lock:
        row = journal.db.execute(
            "SELECT e.t, e.type, e.data, e.v FROM events e JOIN sessions s ON s.id = e.session_id "
            "JOIN people p ON p.id = s.person_id "
            "WHERE p.name = ? AND e.type = 'voice_setting' "
            "ORDER BY s.started DESC, s.id DESC, e.seq DESC LIMIT 1",
            (person,),
        ).fetchone()
    if row is None:
        return None
    t, type_, data, v = row
    match decode(t, type_, json.loads(data), v):
        case VoiceSet(rate=rate, volume=volume):
            return Delivery(rate=int(rate), volume=float(volume))
    return None  # a record no longer readable: the configured voice


def recent_people(journal: Journal) -> list[str]:
    """Named people, whoever had a session most recently first (the default is not named)."""
    with journal.lock:
        rows = journal.db.execute(
            "SELECT p.name FROM people p LEFT JOIN sessions s ON s.person_id = p.id "
            "WHERE p.name != ? GROUP BY p.id ORDER BY max(s.started) DESC, p.id",
            (DEFAULT_PERSON,),
        ).fetchall()
    return [r[0] for r in rows]


def unfinished_session(
    journal: Journal, person: str, routine: str, now: datetime
) -> Unfinished | None:
    """The latest session of this routine that never ended, if it reached a stage lately.

    A session that crashed before its first stage has nothing to carry on from.
    """
    with journal.lock:
        rows = journal.db.execute(
            f"{_SESSIONS} WHERE p.name = ? AND s.routine = ? AND s.outcome IS NULL "
            "AND s.started >= ? "
            # a session that ended since then makes an older crash history, not a place
            # to carry on from
            "AND s.started > coalesce((SELECT max(e.started) FROM sessions e "
            "  WHERE e.person_id = p.id AND e.routine = s.routine AND e.outcome IS NOT NULL "
            "  AND e.outcome != 'interrupted'), '') "
            "ORDER BY s.started DESC, s.id DESC",
            (person, routine, (now - RESUME_WITHIN).isoformat()),
        ).fetchall()
    for row in rows:
        summary = _summarize(row, events_of(journal, row[0]))
        if summary.last_stage is not None:
            return Unfinished(summary.id, routine, summary.started, summary.last_stage, summary)
    return None


def _summarize(row: tuple[object, ...], events: Iterable[Event]) -> SessionSummary:
    sid, person, routine, title, started, outcome, resumed_from = row
    stages: list[str] = []  # distinct stages, in the order first entered
    last_stage: str | None = None
    after_stages = False
    pain: dict[str, list[int]] = {}
    pressure: dict[str, str] = {}
    counts = {"lighter": 0, "firmer": 0, "ouch": 0}
    total: int | None = None
    end_t = 0.0
    learner = False
    for e in events:
        end_t = max(end_t, e.t)
        match e:
            case Start(stages=n):
                total = n
            case State(stage=stage) if stage:
                last_stage = stage
                if stage not in stages:
                    stages.append(stage)
            case State(state=state) if state in _AFTER_STAGES:
                after_stages = True
            case Pain(area=area, value=value) if area is not None:
                pain.setdefault(area, []).append(value)
            case Stage(area=area, level=level) | Pressure(area=area, level=level):
                pressure[area] = level
            case Preference(area=area, level=level):
                pressure[area] = level
            case Learning(on=on):
                learner = on
            case IntentHeard(name=name) if name in counts:
                counts[name] += 1
    done = len(stages) if after_stages else max(0, len(stages) - 1)
    return SessionSummary(
        id=int(str(sid)),
        person=str(person),
        routine=str(routine),
        title=str(title),
        started=datetime.fromisoformat(str(started)),
        minutes=end_t / 60,
        outcome=str(outcome) if outcome is not None else "unfinished",
        stages_done=done,
        stages_total=total,
        last_stage=last_stage,
        pain=pain,
        pressure=pressure,
        resumed_from=int(str(resumed_from)) if resumed_from is not None else None,
        learner=learner,
        **counts,
    )


def carryover_for(
    journal: Journal, routine: Routine, person: str | None, now: datetime
) -> Carryover:
    """What the next session of ``routine`` starts from: learned pressures, a crash to resume."""
    name = person or DEFAULT_PERSON
    resume = None
    crashed = unfinished_session(journal, name, routine.id, now)
    ids = [s.id for s in routine.stages]
    if crashed is not None and crashed.stage in ids:
        stopped = crashed.started + timedelta(minutes=crashed.summary.minutes)
        ago = int((now - stopped).total_seconds() // 60)
        resume = ResumePoint(
            crashed.session, ids.index(crashed.stage), ago, learning=crashed.summary.learner
        )
    return Carryover(
        person=person,
        steps=learned_steps(journal, name),
        resume=resume,
        ended_for_pain=last_outcome(journal, name) == ENDED_FOR_PAIN,
        delivery=learned_delivery(journal, name) if person else None,
    )


def last_outcome(journal: Journal, person: str) -> str | None:
    """How this person's latest session that ended, ended (any routine); None: none has."""
    with journal.lock:
        row = journal.db.execute(
            "SELECT s.outcome FROM sessions s JOIN people p ON p.id = s.person_id "
            "WHERE p.name = ? AND s.outcome IS NOT NULL AND s.outcome != 'interrupted' "
            "ORDER BY s.started DESC, s.id DESC LIMIT 1",
            (person,),
        ).fetchone()
    return None if row is None else str(row[0])

"""The kiosk soak: many consecutive simulated sessions, and what they leave behind.

Run by ``massage-assistant soak`` (figures printed) and by the test of issue 13's
Done-when. Memory is the process's resident set (``VmRSS``), read after a garbage
collection at chosen sessions; threads, open file descriptors and files in the temp
folder are counted before and after.
"""

from __future__ import annotations

import gc
import io
import os
import random
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.journal import open_journal, summaries
from assistant.kiosk.log import KioskLog
from assistant.kiosk.loop import Kiosk
from assistant.kiosk.simulated import SimulatedPorts
from assistant.menu.drive import menu_routines
from assistant.routine.model import Routine

__all__ = ["SoakReport", "rss_kib", "run_soak"]

#: The sessions at which memory is read.
CHECKPOINTS = (1, 25, 50)


def rss_kib() -> int:
    """This process's resident memory in KiB (0 where /proc is absent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 0


@dataclass
class SoakReport:
    sessions: int
    seconds: float
    rss: dict[int, int] = field(default_factory=dict)  # session number -> KiB
    threads: tuple[int, int] = (0, 0)  # before, after
    #: threads the soak started that are still running at its end (a leak); counts alone
    #: would hide one behind a thread from before that ended meanwhile
    new_threads: list[str] = field(default_factory=list)
    fds: tuple[int, int] = (0, 0)
    temp_files: tuple[int, int] = (0, 0)
    journal_sessions: int = 0
    ended: int = 0  # sessions that reached an end state
    outcomes: dict[str, int] = field(default_factory=dict)
    faults: int = 0
    crashes: int = 0
    recovered: int = 0  # turns the kiosk's supervisor retried
    pedal_starts: int = 0
    log_lines: int = 0

    def lines(self) -> list[str]:
        rss = ", ".join(f"session {n}: {kib / 1024:.1f} MiB" for n, kib in self.rss.items())
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))
        return [
            f"sessions: {self.sessions} in {self.seconds:.1f} s; {self.ended} reached an end "
            f"state ({outcomes}); journal holds {self.journal_sessions}",
            f"RSS: {rss}",
            f"threads before/after: {self.threads[0]}/{self.threads[1]} "
            f"(still running from the soak: {', '.join(self.new_threads) or 'none'}); open files: "
            f"{self.fds[0]}/{self.fds[1]}; temp files: {self.temp_files[0]}/{self.temp_files[1]}",
            f"injected: {self.faults} device and engine faults, {self.crashes} crashed turns "
            f"({self.recovered} retried by the supervisor); {self.pedal_starts} started by pedal",
        ]


def run_soak(
    journal: Path, sessions: int = 50, seed: int = 13, routines: list[Routine] | None = None
) -> SoakReport:
    """Run ``sessions`` kiosk sessions; ``journal`` must be a new file's path."""
    routines = routines or menu_routines("en")
    temp = Path(tempfile.gettempdir())
    gc.collect()
    before = (threading.active_count(), _open_fds(), len(list(temp.iterdir())))
    existing = set(threading.enumerate())
    log = KioskLog(io.StringIO())
    rng = random.Random(seed)
    ports = SimulatedPorts(rng, routines, journal=str(journal), log=log)
    report = SoakReport(sessions=sessions, seconds=0.0)
    checkpoints = {n for n in CHECKPOINTS if n <= sessions} | {sessions}
    inner = ports.session

    def session(routine: Routine) -> str:
        outcome = inner(routine)
        done = len(ports.sessions_done)
        if done in checkpoints:
            gc.collect()
            report.rss[done] = rss_kib()
        return outcome

    ports.session = session  # type: ignore[method-assign]
    kiosk = Kiosk(ports, log=log, wait=lambda s: ports.clock.advance_to(ports.clock.now() + s))
    started = time.perf_counter()
    kiosk.run(sessions)
    report.seconds = time.perf_counter() - started
    gc.collect()
    report.threads = (before[0], threading.active_count())
    report.new_threads = [t.name for t in threading.enumerate() if t not in existing]
    report.fds = (before[1], _open_fds())
    report.temp_files = (before[2], len(list(temp.iterdir())))
    report.ended = sum(done for _, done in ports.sessions_done)
    for outcome in kiosk.outcomes:
        report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
    report.faults, report.crashes = ports.faults, ports.crashes
    report.recovered, report.pedal_starts = kiosk.errors, ports.pedal_starts
    report.log_lines = len(log.lines)
    opened = open_journal(journal)
    try:
        report.journal_sessions = len(summaries(opened))
    finally:
        opened.close()
    return report

"""Start-up and memory, measured on the real ``run`` path in a fresh process.

``python -m assistant.bench.probe STARTED SECONDS`` runs a live session as ``run``
would, with a stand-in sound card (no card is needed) that delivers room tone in
real time, and prints one JSON line: seconds from ``STARTED`` (the parent's clock
when it launched us) to the first audible narration sample; the time to render a
new line with the engine warm, and a cached line; and
the process's peak resident memory after ``SECONDS`` of listening.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from typing import Any

import numpy as np

BLOCK = 512
RATE = 16000


class _Card:
    """A duplex stream stand-in: calls back every 32 ms with room tone, like PortAudio."""

    def __init__(self, started: float, seconds: float, report: dict[str, Any]) -> None:
        self.started = started
        self.seconds = seconds
        self.report = report
        self.active = False

    def __call__(self, callback: Any, *_: Any) -> _Card:
        self.callback = callback
        return self

    def start(self) -> None:
        self.active = True
        threading.Thread(target=self._run, daemon=True).start()

    def close(self) -> None:
        self.active = False

    def _run(self) -> None:
        rng = np.random.default_rng(0)
        first: float | None = None
        next_at = time.monotonic()
        while self.active:
            mic = (rng.standard_normal((BLOCK, 1)) * 20).astype(np.int16)
            out = np.zeros((BLOCK, 1), dtype=np.int16)
            self.callback(mic, out, BLOCK, None, None)
            if first is None and np.abs(out).max() > 300:
                first = time.time() - self.started
                self.report["first_word_s"] = round(first, 3)
                self.until = time.monotonic() + self.seconds
            if first is not None and time.monotonic() >= self.until:
                break
            next_at += BLOCK / RATE
            time.sleep(max(0.0, next_at - time.monotonic()))
        self._finish()

    def _finish(self) -> None:
        from assistant.narration.render import Pyttsx3Renderer

        renderer = Pyttsx3Renderer()
        t0 = time.perf_counter()
        renderer.render("A line this process has never said before, to time the engine.")
        self.report["text_to_audio_new_line_s"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        renderer.render("A line this process has never said before, to time the engine.")
        self.report["text_to_audio_cached_s"] = round(time.perf_counter() - t0, 6)
        self.report["peak_memory_mb"] = round(_peak_kib() / 1024, 1)
        print(json.dumps(self.report), flush=True)
        os._exit(0)


def _peak_kib() -> float:
    """This process's peak resident memory. ``VmHWM`` belongs to this program alone;
    ``ru_maxrss`` would carry over the peak of the benchmark process that started us."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1])
    except OSError:
        pass
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main(argv: list[str]) -> None:
    """``STARTED SECONDS [ROUTINE]``, or ``--engine`` to time the engine's cold start alone."""
    if argv[0] == "--engine":  # the first line a process renders pays for the engine start
        from assistant.narration.render import Pyttsx3Renderer

        t0 = time.perf_counter()
        Pyttsx3Renderer().render("Hello.")
        print(json.dumps({"text_to_audio_cold_engine_s": round(time.perf_counter() - t0, 3)}))
        return
    started, seconds = float(argv[0]), float(argv[1])
    from assistant.audio.wiring import run_live
    from assistant.events import EventLog
    from assistant.routine.loader import load_routine

    card = _Card(started, seconds, {})
    routine = load_routine(argv[2] if len(argv) > 2 else "gentle-first")
    run_live(routine, EventLog(), factory=card, err=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])

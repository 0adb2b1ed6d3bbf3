"""One task, run in a worker process: build its audio, run its system, return plain data.

Workers rebuild systems and audio sets from names (cached per process), so tasks
can be spread over processes; every selection is deterministic.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np

from assistant.audio.pcm import Pcm
from assistant.audio.speaker import LineAudio
from assistant.bench.corpus import Corpus, find_corpus
from assistant.bench.measure import narration_echo, run_clips, stop_over_narration
from assistant.bench.plan import Plan, Task
from assistant.bench.sets import (
    Clip,
    conversation,
    korean_commands,
    noise_clips,
    oov_words,
    real_commands,
    synthesized_commands,
    warning_phrases,
)
from assistant.bench.systems import System, available_systems
from assistant.intents import Intent, load_vocabulary
from assistant.narration.delivery import DEFAULT_DELIVERY, next_delivery
from assistant.narration.render import Pyttsx3Renderer
from assistant.routine.loader import load_routine
from assistant.simulation.room import LIVELY_ROOM, RoomSettings

__all__ = ["label", "noise_bed", "run_task"]


def label(intent: Intent | None) -> str:
    """A short name for a result: the intent, the pain number, or "-" for nothing."""
    if intent is None:
        return "-"
    return str(intent.value) if intent.name == "pain" else intent.name


@functools.cache
def _systems(locale: str) -> dict[str, System]:
    return {s.name: s for s in available_systems(locale)[0]}


@functools.cache
def _corpus(root: str | None) -> Corpus | None:
    found = find_corpus(Path(root) if root else None)
    return Corpus(found) if found is not None else None


@functools.cache
def _clips(name: str, plan: Plan, root: str | None) -> list[Clip]:
    corpus = _corpus(root)
    en = load_vocabulary("en")
    if name == "real":
        return real_commands(corpus, en, plan.per_group) if corpus else []
    if name == "synth":
        return synthesized_commands(en, every_speaker=plan.every_speaker)
    if name == "warning":
        return warning_phrases(en, every_speaker=plan.every_speaker)
    if name == "korean":
        return korean_commands(load_vocabulary("ko"), plan.every_speaker)
    if name == "oov":
        return oov_words(corpus, plan.oov) if corpus else []
    if name == "noise":
        return noise_clips(corpus, plan.noise_seconds) if corpus else []
    if name == "conversation":
        return conversation(corpus, en, plan.every_speaker)
    raise ValueError(f"unknown set {name!r}")


@functools.cache
def noise_bed(root: str | None) -> Pcm | None:
    """The corpus's longer noise recordings end to end: the noise mixed under speech
    (also by tests that measure in noise as the benchmark does)."""
    corpus = _corpus(root)
    if corpus is None:
        return None
    parts = [r.audio() for r in corpus.select("noise") if r.duration >= 10]
    if not parts:
        return None
    bed = np.concatenate(parts)
    bed.setflags(write=False)  # cached and shared: nobody may change it
    return bed


def _slower_twice() -> int:
    """The narration's rate after two "speak slower" steps (140 words a minute)."""
    once = next_delivery(DEFAULT_DELIVERY, "slower")
    twice = next_delivery(once, "slower") if once is not None else None
    return (twice or once or DEFAULT_DELIVERY).rate


#: Where the narration plays, and how fast, for each of the echo tasks' sets: the
#: default room at the default rate; a livelier room (longer echo, louder speaker),
#: where a canceller tuned in a dry room fails; and the default room with the voice
#: slowed twice by voice command (its words last longer, and its echo with them).
NARRATION_SETS: dict[str, tuple[RoomSettings, int | None]] = {
    "narration": (RoomSettings(), None),
    "narration-lively": (LIVELY_ROOM, None),
    "narration-slower": (RoomSettings(), _slower_twice()),
}


@functools.cache
def _narration(routines: tuple[str, ...], rate: int | None = None) -> list[tuple[str, Pcm]]:
    """Every line the routines are sure to say, rendered by the real narration engine
    (at ``rate`` words a minute, or the default)."""
    from assistant.audio.wiring import routine_lines

    lines = LineAudio(Pyttsx3Renderer())
    lines.rate = rate
    out: list[tuple[str, Pcm]] = []
    for name in routines:
        out += [(text, lines.get(text)) for text in routine_lines(load_routine(name))]
    return out


def run_task(task: Task, plan: Plan, corpus_root: str | None) -> dict[str, Any]:
    """Run one task; the result is JSON-ready."""
    system = _systems(task.locale)[task.system]
    if task.kind in ("accuracy", "negatives"):
        clips = _clips(task.set, plan, corpus_root)
        if task.snr is not None and noise_bed(corpus_root) is None:
            clips = []  # no noise recordings to mix in: nothing to measure at this SNR
        outcomes, usage = run_clips(
            system, clips, noise=noise_bed(corpus_root), snr=task.snr, seed=len(clips)
        )
        rows = [
            [o.said, label(o.expected), label(o.got), o.extra, o.latency, o.stop_got]
            for o in outcomes
        ]
        return {"rows": rows, "audio": usage.audio, "compute": usage.compute, "wall": usage.wall}
    if task.kind not in ("echo", "stop_latency"):
        raise ValueError(f"unknown task kind {task.kind!r}")
    room, rate = NARRATION_SETS[task.set]
    lines = _narration(plan.routines, rate)
    if task.kind == "echo":
        run = narration_echo(system, lines, room_settings=room)
        return {
            "found": [[f.t, f.text, label(f.intent)] for f in run.found],
            "audio": run.usage.audio,
            "compute": run.usage.compute,
            "wall": run.usage.wall,
        }
    # stop_latency
    stops = [c for c in _clips("real", plan, corpus_root) if c.said == "stop"]
    corpus = _corpus(corpus_root)
    if corpus is not None:  # more takes than the accuracy set holds
        from assistant.bench.sets import spread

        recs = spread(corpus.select("command", {"stop"}), plan.stops)
        stops = [Clip(r.audio(), "stop", Intent("stop"), r.source) for r in recs]
    longest = sorted(lines, key=lambda line: -len(line[1]))[:3]
    latencies, usage = stop_over_narration(system, longest, stops, room_settings=room)
    return {
        "latencies": latencies,
        "audio": usage.audio,
        "compute": usage.compute,
        "wall": usage.wall,
    }

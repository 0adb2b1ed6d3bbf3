"""What a benchmark run measures: the quick plan (for CI) and the full one."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FULL", "QUICK", "Plan", "Task"]

Condition = float | None  # SNR in dB; None is clean


@dataclass(frozen=True)
class Task:
    """One system on one set of audio (in one condition): a unit of work for a worker."""

    system: str
    locale: str
    kind: str  # "accuracy", "negatives", "echo" or "stop_latency"
    set: str  # real, synth, warning, korean | oov, noise, conversation | narration...
    snr: Condition = None


@dataclass(frozen=True)
class Plan:
    name: str
    per_group: int  # real recordings per corpus folder and word
    snrs: tuple[Condition, ...]  # conditions for our pipeline
    other_snrs: tuple[Condition, ...]  # conditions for the systems compared with it
    every_speaker: bool  # synthesized phrases said by all six voices (else one each)
    oov: int  # out-of-vocabulary recordings
    noise_seconds: float  # of recorded noise
    routines: tuple[str, ...]  # whose narration is echoed
    stops: int  # stop recordings said over the narration
    listen_seconds: float  # of live listening before peak memory is read

    def tasks(self, systems: list[tuple[str, str]]) -> list[Task]:
        """Every task for ``(system, locale)`` pairs; ours runs everything."""
        out: list[Task] = []
        for name, locale in systems:
            if locale != "en":
                out += [Task(name, locale, "accuracy", "korean", s) for s in self.snrs]
                continue
            if name.endswith("duck"):  # the echo path alone, to measure ducking
                if self is not FULL:
                    continue
                out += [Task(name, locale, "echo", "narration")]
                out += [Task(name, locale, "stop_latency", "narration")]
                continue
            ours = name == "ours"
            snrs = self.snrs if ours else self.other_snrs
            out += [Task(name, locale, "accuracy", "real", s) for s in snrs]
            if ours or self is FULL:
                out += [Task(name, locale, "accuracy", "synth", s) for s in snrs]
                out += [Task(name, locale, "accuracy", "warning", s) for s in snrs]
                out += [Task(name, locale, "negatives", n) for n in ("oov", "noise")]
                out += [Task(name, locale, "negatives", "conversation")]
                out += [Task(name, locale, "echo", "narration")]
            if ours:  # the echo path where it is harder: a lively room, a slower voice
                out += [Task(name, locale, "echo", "narration-lively")]
                out += [Task(name, locale, "stop_latency", "narration-lively")]
                if self is FULL:
                    out += [Task(name, locale, "echo", "narration-slower")]
            if ours or (self is FULL and name.startswith("ours")):
                out.append(Task(name, locale, "stop_latency", "narration"))
        return out


QUICK = Plan(
    name="quick", per_group=1, snrs=(None, 6), other_snrs=(None,), every_speaker=False,
    oov=24, noise_seconds=30, routines=("gentle-first",), stops=8, listen_seconds=2,
)  # fmt: skip
FULL = Plan(
    name="full", per_group=12, snrs=(None, 12, 6), other_snrs=(None, 12, 6),
    every_speaker=True, oov=400, noise_seconds=900,
    routines=("gentle-first", "swedish-back", "knot-relief", "classic-regional"),
    stops=60, listen_seconds=20,
)  # fmt: skip

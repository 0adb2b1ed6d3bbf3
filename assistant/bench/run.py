"""``massage-assistant bench``: run the plan, gather the figures, write the results.

Tasks run in worker processes (as many as there are cores, each task on one core),
so the figures for processing time are per core. Start-up and memory are read from
a fresh process running the real ``run`` path (:mod:`assistant.bench.probe`).
"""

from __future__ import annotations

import concurrent.futures
import datetime
import importlib.metadata
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from assistant.bench.corpus import find_corpus
from assistant.bench.cost import utterance_cost
from assistant.bench.plan import FULL, QUICK, Plan, Task
from assistant.bench.report import markdown, targets
from assistant.bench.systems import available_systems
from assistant.bench.work import run_task

__all__ = ["run_bench"]


def run_bench(
    quick: bool,
    out: Path,
    corpus: Path | None = None,
    err: TextIO = sys.stderr,
    only: set[str] | None = None,
) -> dict[str, Any]:
    """Measure, write ``results.json`` and ``results.md`` into ``out``, return the results.

    ``only`` names the systems to run (all that can run, without it)."""
    plan = QUICK if quick else FULL
    started = time.monotonic()
    root = find_corpus(corpus)
    notes: list[str] = []
    if root is None:
        notes.append("no shared corpus found: recordings of real people, noise and OOV skipped")
    systems: list[tuple[str, str]] = []
    about: dict[str, dict[str, str]] = {}
    for locale in ("en", "ko"):
        found, why = available_systems(locale)
        notes += why
        for s in found:
            if only is not None and s.name not in only:
                continue
            systems.append((s.name, s.locale))
            about[s.name] = {"engine": s.engine, "locale": s.locale, "about": s.about}
    tasks = plan.tasks(systems)
    print(f"bench ({plan.name}): {len(tasks)} tasks, systems {', '.join(about)}", file=err)
    done: dict[Task, dict[str, Any]] = {}
    workers = max(1, min(os.cpu_count() or 1, 4))
    # spawned, not forked: a fork of a process that has run CTranslate2 or onnxruntime
    # inherits their thread pools' locks and can hang on the first decode
    spawn = multiprocessing.get_context("spawn")
    # timed alone, after the rest: a stop's latency is a decode's time, and workers
    # sharing the cores slow each other's processors down (caches, memory bandwidth)
    timed = [t for t in tasks if t.kind == "stop_latency"]
    for batch, size in (([t for t in tasks if t not in timed], workers), (timed, 1)):
        with concurrent.futures.ProcessPoolExecutor(size, mp_context=spawn) as pool:
            futures = {
                pool.submit(run_task, t, plan, str(root) if root else None): t for t in batch
            }
            for future in concurrent.futures.as_completed(futures):
                task = futures[future]
                done[task] = future.result()
                print(f"  done: {task.system} {task.kind} {task.set} {task.snr}", file=err)
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "mode": plan.name,
        "machine": _machine(),
        "corpus": str(root) if root else None,
        "systems": about,
        "notes": notes,
        **_gather(done, plan),
        "startup": _probe(plan),
        "utterance_cost": utterance_cost(5 if quick else 40, root),
    }
    results["targets"] = targets(results)
    results["seconds"] = round(time.monotonic() - started, 1)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (out / "results.md").write_text(markdown(results), encoding="utf-8")
    return results


def _cond(snr: float | None) -> str:
    return "clean" if snr is None else f"{snr:g} dB"


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def _gather(done: dict[Task, dict[str, Any]], plan: Plan) -> dict[str, Any]:
    accuracy: dict[str, dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    confusion: dict[str, dict[str, dict[str, int]]] = {}
    false: dict[str, dict[str, Any]] = defaultdict(dict)
    latency: dict[str, dict[str, Any]] = defaultdict(dict)
    cost: dict[str, dict[str, float]] = defaultdict(
        lambda: {"audio": 0.0, "compute": 0.0, "wall": 0.0}
    )
    lat: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    cross: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for task, r in sorted(done.items(), key=lambda kv: str(kv[0])):
        cost[task.system]["audio"] += r["audio"]
        cost[task.system]["compute"] += r["compute"]
        cost[task.system]["wall"] += r.get("wall", 0.0)
        if task.kind == "accuracy":
            rows = r["rows"]
            right = sum(row[1] == row[2] for row in rows)
            accuracy[task.system][task.set][_cond(task.snr)] = {
                "right": right, "total": len(rows),
                "rate": round(right / len(rows), 4) if rows else None,
            }  # fmt: skip
            if task.set in ("real", "synth", "warning"):
                cross[task.system][_cond(task.snr)].update(_crossings(task.set, rows))
            per_phrase = task.set == "warning"  # provisional: read phrase by phrase
            if (task.snr is None and task.set in ("real", "korean")) or per_phrase:
                table: dict[str, Counter[str]] = defaultdict(Counter)
                for said, _, got, *_ in rows:
                    table[said][got] += 1
                key = f"{task.system}/{task.set}" + (f"@{_cond(task.snr)}" if per_phrase else "")
                confusion[key] = {k: dict(v.most_common()) for k, v in sorted(table.items())}
            if task.snr is None and task.set in ("real", "korean"):
                for row in rows:
                    if row[4] is not None:
                        lat[task.system]["stop" if row[1] == "stop" else "other"].append(row[4])
        elif task.kind == "negatives":
            rows = r["rows"]
            commands = sum((row[2] != "-") + row[3] for row in rows)
            stops = sum(row[5] for row in rows)
            hours = r["audio"] / 3600
            false[task.system][task.set] = {
                "clips": len(rows), "audio_hours": round(hours, 4),
                "commands": commands, "stops": stops,
                "per_hour": round(commands / hours, 1) if hours else None,
                "stop_per_hour": round(stops / hours, 1) if hours else None,
                "rejected": round(sum(row[2] == "-" for row in rows) / len(rows), 4)
                if rows else None,
            }  # fmt: skip
        elif task.kind == "echo":
            hours = r["audio"] / 3600
            found = r["found"]
            stops = sum(f[2] == "stop" for f in found)
            false[task.system][task.set] = {
                "audio_hours": round(hours, 4), "commands": len(found), "stops": stops,
                "per_hour": round(len(found) / hours, 1) if hours else None,
                "stop_per_hour": round(stops / hours, 1) if hours else None,
                "examples": [f[1] for f in found[:10]],
            }  # fmt: skip
        elif task.kind == "stop_latency":
            values = [v for v in r["latencies"] if v is not None]
            latency[task.system][f"stop_over_{task.set}"] = {
                "said": len(r["latencies"]), "caught": len(values),
                "p50": _pct(values, 50), "p95": _pct(values, 95),
            }  # fmt: skip
    for system, kinds in lat.items():
        for kind, values in kinds.items():
            latency[system][kind] = {"n": len(values), "p50": _pct(values, 50),
                                     "p95": _pct(values, 95)}  # fmt: skip
    rtf = {s: round(c["compute"] / c["audio"], 4) if c["audio"] else None for s, c in cost.items()}
    wall = {s: round(c["wall"] / c["audio"], 4) if c["audio"] else None for s, c in cost.items()}
    return {
        "accuracy": accuracy,
        "confusion": confusion,
        "false_accepts": false,
        "latency": latency,
        "real_time_factor": rtf,
        "wall_time_factor": wall,
        "warning_crossings": {s: {c: dict(n) for c, n in by.items()} for s, by in cross.items()},
    }


def _crossings(name: str, rows: list[list[Any]]) -> Counter[str]:
    """Where warnings and commands meet: a warning heard as a command, a command heard
    as a warning (neither may rise when the warnings are made easier to hear)."""
    n: Counter[str] = Counter()
    for _, expected, got, *_ in rows:
        if name == "warning":
            n["warnings"] += 1
            n["warning_as_command"] += got not in ("warning", "-")
        else:
            n["commands"] += 1
            n["command_as_warning"] += got == "warning" and expected != "warning"
    return n


def _probe(plan: Plan) -> dict[str, Any]:
    """Start-up, text-to-audio and peak memory, from fresh processes."""
    result: dict[str, Any] = {}
    for args in (["--engine"], [repr(time.time()), str(plan.listen_seconds)]):
        if len(args) == 2:
            args[0] = repr(time.time())
        try:
            done = subprocess.run(
                [sys.executable, "-m", "assistant.bench.probe", *args],
                capture_output=True, text=True, timeout=120, check=True,
            )  # fmt: skip
            result.update(json.loads(done.stdout.strip().splitlines()[-1]))
        except (subprocess.SubprocessError, ValueError, IndexError, OSError) as exc:
            result.setdefault("errors", []).append(f"probe {' '.join(args)}: {exc}")
    return result


#: Libraries whose arithmetic the figures depend on, recorded with each run.
LIBRARIES = ("ctranslate2", "faster-whisper", "onnxruntime", "webrtc-noise-gain", "numpy")


def _machine() -> dict[str, Any]:
    """What the figures depend on besides the code. The same commit gave 8 and 9 fewer
    right answers in noise (of 458) on a new machine than the full run before it, with
    libraries installed afresh by the setup script; int8 arithmetic depends on the
    processor's vector instructions and on the libraries' kernels, so each run records
    both."""
    cpu = platform.processor() or platform.machine()
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        info = ""
    for line in info.splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "vector": vector_extensions(info),
        "libraries": {name: _version(name) for name in LIBRARIES},
    }


#: Vector extensions the int8 kernels choose between: x86's ``flags``, Arm's ``Features``.
_VECTOR = ("avx", "fma", "f16c", "amx", "asimd", "sve", "i8mm", "bf16")


def vector_extensions(cpuinfo: str) -> str:
    """The vector extensions in ``/proc/cpuinfo``'s text (first processor), "none" when
    it lists none of them, "unknown" when it lists no features at all."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            found = sorted(f for f in value.split() if f.startswith(_VECTOR))
            return " ".join(found) or "none"
    return "unknown"


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"

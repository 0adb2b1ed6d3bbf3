"""The benchmark's verdict on its targets, and its results as Markdown tables."""

from __future__ import annotations

from typing import Any

__all__ = ["markdown", "targets"]


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def _check(
    name: str, value: float | None, limit: float, higher_is_better: bool, unit: str
) -> dict[str, Any]:
    if value is None:
        return {"target": name, "value": None, "met": None, "by": "not measured"}
    met = value >= limit if higher_is_better else value <= limit
    gap = abs(value - limit)
    by = f"{'ahead' if met else 'short'} by {gap:.3g}{unit}" if unit else ""
    return {"target": name, "value": value, "met": met, "by": by}


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    """Each of issue 14's targets for our pipeline: the figure, met or not, and by how much."""
    acc = _get(r, "accuracy", "ours", "real") or {}
    fa = _get(r, "false_accepts", "ours") or {}
    lat = _get(r, "latency", "ours") or {}
    start = r.get("startup", {})

    def rate(cond: str) -> float | None:
        v = _get(acc, cond, "rate")
        return round(100 * v, 1) if v is not None else None

    narrations = [k for k in fa if k.startswith("narration")]  # every room and rate
    stops_hours = [(fa[k]["stops"], fa[k]["audio_hours"])
                   for k in ("noise", "conversation", *narrations) if k in fa]  # fmt: skip
    own = [fa[k]["commands"] for k in narrations]
    hours = sum(h for _, h in stops_hours)
    stop_rate = round(sum(s for s, _ in stops_hours) / hours, 2) if hours else None
    rejected = _get(fa, "oov", "rejected")
    over = _get(lat, "stop_over_narration") or {}
    caught = (round(100 * over["caught"] / over["said"], 1)
              if over.get("said") else None)  # fmt: skip
    return [
        _check("accuracy, real people, clean (%)", rate("clean"), 92, True, " pts"),
        _check("accuracy, real people, 12 dB (%)", rate("12 dB"), 85, True, " pts"),
        _check("accuracy, real people, 6 dB (%)", rate("6 dB"), 75, True, " pts"),
        _check("out-of-vocabulary words rejected (%)",
               round(100 * rejected, 1) if rejected is not None else None, 90, True, " pts"),
        _check("false commands per hour of noise", _get(fa, "noise", "per_hour"), 10, False, "/h"),
        _check("false commands per hour of conversation",
               _get(fa, "conversation", "per_hour"), 20, False, "/h"),
        _check("commands from own narration (count, every room and rate)",
               sum(own) if own else None, 0, False, ""),
        _check("false stops per hour (noise, talk, narration)", stop_rate, 1, False, "/h"),
        _check("stops over narration caught (%)", caught, 83.3, True, " pts"),
        _check("stop latency p95 (s)", _get(lat, "stop_over_narration", "p95"), 0.5, False, " s"),
        _check("other commands latency p95 (s)", _get(lat, "other", "p95"), 1.5, False, " s"),
        _check("listening real-time factor", _get(r, "real_time_factor", "ours"), 0.15, False, ""),
        _check("peak memory (MB)", start.get("peak_memory_mb"), 400, False, " MB"),
        _check("first spoken word after start (s)", start.get("first_word_s"), 2, False, " s"),
    ]  # fmt: skip


def _pct(x: Any) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _num(x: Any, unit: str = "") -> str:
    return "–" if x is None else f"{x:g}{unit}"


def markdown(r: dict[str, Any]) -> str:
    """The results as Markdown: targets, accuracy, false accepts, latency, cost, confusion."""
    m = r["machine"]
    out = [
        f"Run: {r['date']}, {r['mode']} mode, {r.get('seconds', '?')} s; "
        f"{m['cpu']}, {m['cores']} cores, {m['system']}, Python {m['python']}.",
        f"Vector extensions: {m.get('vector', 'not recorded')}. Libraries: "
        + (", ".join(f"{k} {v}" for k, v in m.get("libraries", {}).items()) or "not recorded")
        + ".",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    for t in r["targets"]:
        met = {True: "yes", False: "**no**", None: "–"}[t["met"]]
        out.append(f"| {t['target']} | {_num(t['value'])} | {met} {t['by']} |")
    conds = ["clean", "24 dB", "18 dB", "12 dB", "9 dB", "6 dB"]
    header = "| system | set | " + " | ".join(conds) + " |"
    out += ["", "Command accuracy (exact intent and number):", ""]
    out += [header, "|---|---|" + "---|" * len(conds)]
    for system, sets in r["accuracy"].items():
        for name, by in sets.items():
            cells = []
            for c in conds:
                v = by.get(c)
                cells.append(f"{_pct(v['rate'])} ({v['right']}/{v['total']})" if v else "")
            out.append(f"| {system} | {name} | " + " | ".join(cells) + " |")
    out += ["", "False accepts (commands taken from audio holding none):", "",
            "| system | audio | hours | commands | per hour | stops | stops per hour "
            "| clips rejected |", "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for system, sets in r["false_accepts"].items():
        for name, v in sets.items():
            out.append(
                f"| {system} | {name} | {v['audio_hours']:.3f} | {v['commands']} | "
                f"{_num(v['per_hour'])} | {v['stops']} | {_num(v['stop_per_hour'])} | "
                f"{_pct(v.get('rejected'))} |"
            )
    out += ["", "Latency, end of word to effect, compute (processor time) included (seconds):", "",
            "| system | measure | n | p50 | p95 |", "|---|---|---|---|---|"]  # fmt: skip
    for system, kinds in r["latency"].items():
        for kind, v in kinds.items():
            n = v.get("n", f"{v.get('caught')}/{v.get('said')} caught")
            out.append(f"| {system} | {kind} | {n} | {_num(v['p50'])} | {_num(v['p95'])} |")
    s = r.get("startup", {})
    walls = r.get("wall_time_factor", {})
    out += ["", "Cost:", "", "| system | real-time factor (processor time, one core) "
            "| wall clock on this machine, workers sharing it |", "|---|---|---|"]  # fmt: skip
    out += [f"| {k} | {_num(v)} | {_num(walls.get(k))} |" for k, v in r["real_time_factor"].items()]
    out += ["", f"Start-up to first spoken word: {_num(s.get('first_word_s'), ' s')}; "
            f"peak memory: {_num(s.get('peak_memory_mb'), ' MB')}; text to audio: "
            f"{_num(s.get('text_to_audio_cold_engine_s'), ' s')} with the engine cold, "
            f"{_num(s.get('text_to_audio_new_line_s'), ' s')} for a new line, "
            f"{_num(s.get('text_to_audio_cached_s'), ' s')} cached."]  # fmt: skip
    u = r.get("utterance_cost") or {}
    windows = sorted(k for k in u if k.startswith("window_"))
    if windows:
        each = "; ".join(
            f"{k[len('window_') :]} encoder window {u[k]['mean']:g} s mean, {u[k]['p95']:g} s p95"
            for k in windows
        )
        out += ["", f"Whisper decode of one {u['audio_s']:g} s utterance, one thread "
                f"({u['clips']} real clips): {each}."]  # fmt: skip
    elif u.get("note"):
        out += ["", f"Whisper decode per utterance: {u['note']}"]
    for system, by in (r.get("warning_crossings") or {}).items():
        each = "; ".join(
            f"{c}: {n.get('warning_as_command', 0)} of {n.get('warnings', 0)} warnings heard "
            f"as a command, {n.get('command_as_warning', 0)} of {n.get('commands', 0)} "
            "commands heard as a warning"
            for c, n in by.items()
        )
        out += ["", f"Warnings and commands crossing, {system}: {each}."]
    for key, table in r["confusion"].items():
        name, _, cond = key.partition("@")
        out += ["", f"Confusion, {name}, {cond or 'clean'} (said: heard ×count; - is nothing):", ""]
        for said, got in table.items():
            out.append(f"- {said}: " + ", ".join(f"{g} ×{n}" for g, n in got.items()))
    if r["notes"]:
        out += ["", "Notes:", ""] + [f"- {n}" for n in r["notes"]]
    return "\n".join(out) + "\n"

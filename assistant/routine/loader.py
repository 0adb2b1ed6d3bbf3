"""Load routine files and refuse broken ones up front, naming file, line and field.

Pure: text in, :class:`~assistant.routine.model.Routine` or a list of problems out.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from assistant.care.warmup import needs_warmup
from assistant.errors import Problem, RoutineError
from assistant.routine.model import PRESSURE_LEVELS, Routine, Stage
from assistant.routine.names import UnknownRoutine, match_routine_name
from assistant.routine.schema import Reader

__all__ = ["check_file", "find_routine", "load_routine", "routine_dirs", "routine_paths"]

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Locales with a vocabulary and prompts shipped in this package.
KNOWN_LOCALES = ("en", "ko")
#: Allowance for questions, acknowledgements and the odd repeat on top of the plan.
PLAN_MARGIN = 1.10


def routine_dirs() -> list[Path]:
    """Where routines are looked up: ``$MASSAGE_ROUTINES`` (path list), then the shipped set."""
    dirs = [Path(p) for p in os.environ.get("MASSAGE_ROUTINES", "").split(os.pathsep) if p]
    dirs.append(Path(__file__).resolve().parents[2] / "routines")
    return dirs


def routine_paths() -> list[Path]:
    """Every routine file found, first directory winning for a name seen twice."""
    seen: dict[str, Path] = {}
    for d in routine_dirs():
        for p in sorted(d.glob("*.yaml")):
            seen.setdefault(p.stem, p)
    return list(seen.values())


def find_routine(name_or_path: str) -> Path:
    """A routine file by name (``swedish-back``) or by path."""
    p = Path(name_or_path)
    try:
        if p.suffix in (".yaml", ".yml") or p.exists():
            return p
    except (OSError, ValueError):  # a name no file can have: look it up as a routine name
        pass
    paths = {c.stem: c for c in routine_paths()}
    try:  # case, spaces and a unique prefix do not matter: "Gentle" is gentle-first
        return paths[match_routine_name(name_or_path, list(paths))]
    except UnknownRoutine as exc:
        raise RoutineError([Problem(name_or_path, 0, str(exc))]) from None


def check_file(path: Path | str, text: str | None = None) -> tuple[Routine | None, list[Problem]]:
    """Read and check one routine file; the routine is None whenever a problem was found."""
    reader = Reader(path, text, check=_Checker())
    node = reader.compose()
    routine = reader.read(Routine, node) if node is not None else None
    if routine is not None:
        routine = dataclasses.replace(routine, id=Path(path).stem, path=str(path))
    if reader.problems:
        return None, sorted(reader.problems)
    return routine, []


def load_routine(name_or_path: str | Path) -> Routine:
    """The routine, or :class:`RoutineError` listing every problem in it."""
    path = find_routine(str(name_or_path))
    routine, problems = check_file(path)
    if routine is None:
        raise RoutineError(problems)
    return routine


class _Checker:
    """Cross-field rules, run by the reader on each stage and routine as it is built."""

    def __init__(self) -> None:
        self._first_line: dict[str, int] = {}

    def __call__(self, obj: object, where: str, reader: Reader) -> None:
        if isinstance(obj, Stage):
            if obj.id in self._first_line:
                reader.problem(
                    obj.line_of("id"),
                    f"{where}.id: duplicate stage id '{obj.id}' (first used on "
                    f"line {self._first_line[obj.id]})",
                )
            else:
                self._first_line[obj.id] = obj.line_of("id")
            _check_stage(obj, where, reader)
        elif isinstance(obj, Routine):
            _check_routine(obj, reader)


def _check_routine(r: Routine, reader: Reader) -> None:
    """Checks that span fields; each problem points at the line of the field at fault."""
    if r.locale not in KNOWN_LOCALES:
        reader.problem(
            r.field_lines.get("locale", r.line),
            f"locale: '{r.locale}' has no vocabulary (known: {', '.join(KNOWN_LOCALES)})",
        )
    for name in ("setup", "screening", "stages"):
        if not getattr(r, name):
            reader.problem(r.field_lines.get(name, r.line), f"{name}: must not be empty")
    _check_guard_rails(r, reader)
    planned_min = r.planned_seconds() * PLAN_MARGIN / 60
    if r.stages and planned_min > r.max_minutes:
        reader.problem(
            r.field_lines.get("max_minutes", r.line),
            f"max_minutes: the stages take about {planned_min:.1f} min with "
            f"narration, more than max_minutes {r.max_minutes:g}",
        )


#: The seeds hold a trigger point 5-8 s (seed 001).
HOLD_SECONDS = (5.0, 8.0)
#: Areas where the seeds ask for less pressure than elsewhere (seeds 002, 003, 004).
GENTLE_AREAS = ("neck", "collar-zone")
#: Allowed only in a routine that declares ``doctor_approved`` (seeds 003, 004).
NEEDS_DOCTOR = {"pressure": ("deep",), "technique": ("tapping",)}


def _check_guard_rails(r: Routine, reader: Reader) -> None:
    """Care rules from the seeds that every routine must keep, whoever wrote it."""
    medium = PRESSURE_LEVELS.index("medium")
    light = PRESSURE_LEVELS.index("light")
    warmed = False
    for i, s in enumerate(r.stages):
        where = f"stages[{i}]"
        if needs_warmup(s) and not warmed:
            reader.problem(
                s.line_of("pressure"),
                f"{where}: firm or trigger-point work must follow a warm-up stage "
                "(a stage with warm_up: true)",
            )
        warmed = warmed or s.warm_up
        if s.pain_check is not None:
            lo, hi = HOLD_SECONDS
            if not lo <= s.pain_check.hold_seconds <= hi:
                reader.problem(
                    s.line_of("pain_check"),
                    f"{where}.pain_check.hold_seconds: {s.pain_check.hold_seconds:g} s is outside "
                    f"the seeds' {lo:g}-{hi:g} s",
                )
        if s.area in GENTLE_AREAS and PRESSURE_LEVELS.index(s.pressure_range[1]) > medium:
            reader.problem(
                s.line_of("pressure_range"),
                f"{where}.pressure_range: the {s.area} takes at most medium pressure",
            )
        if not r.doctor_approved:
            if "deep" in (s.pressure, *s.pressure_range):
                reader.problem(
                    s.line_of("pressure_range"),
                    f"{where}: 'deep' pressure needs 'doctor_approved: true' on the routine",
                )
            if s.technique in NEEDS_DOCTOR["technique"]:
                reader.problem(
                    s.line_of("technique"),
                    f"{where}.technique: '{s.technique}' needs 'doctor_approved: true' on the "
                    "routine",
                )
    if r.stages and PRESSURE_LEVELS.index(r.stages[-1].pressure_range[1]) > light:
        last = r.stages[-1]
        reader.problem(
            last.line_of("pressure_range"),
            f"stages[{len(r.stages) - 1}].pressure_range: the last stage calms the back down; "
            "it stays feather or light",
        )
    if r.screening_why and len(r.screening_why) != len(r.screening):
        reader.problem(
            r.field_lines.get("screening_why", r.line),
            f"screening_why: {len(r.screening_why)} reasons for {len(r.screening)} questions "
            "(give one per question)",
        )


def _check_stage(s: Stage, where: str, reader: Reader) -> None:
    if not _ID.match(s.id):
        reader.problem(
            s.line_of("id"),
            f"{where}.id: '{s.id}' must be lowercase letters, digits and single dashes",
        )
    lo, hi = (PRESSURE_LEVELS.index(p) for p in s.pressure_range)
    if lo > hi:
        reader.problem(
            s.line_of("pressure_range"),
            f"{where}.pressure_range: lightest '{s.pressure_range[0]}' is firmer "
            f"than firmest '{s.pressure_range[1]}'",
        )
    elif not lo <= PRESSURE_LEVELS.index(s.pressure) <= hi:
        reader.problem(
            s.line_of("pressure"),
            f"{where}.pressure: '{s.pressure}' is outside pressure_range "
            f"{s.pressure_range[0]}..{s.pressure_range[1]}",
        )
    if "reason" in s.field_lines and not s.reason.strip():
        reader.problem(s.line_of("reason"), f"{where}.reason: empty; say why, or leave it out")
    if s.strokes is not None and s.duration is not None:
        reader.problem(s.line_of("duration"), f"{where}: give either strokes or duration, not both")
    timed = s.strokes is not None or s.duration is not None
    if timed and s.pacing is None:
        reader.problem(s.line, f"{where}: missing field 'pacing' (needed with strokes or duration)")
    if not timed and s.pain_check is None:
        reader.problem(s.line, f"{where}: needs strokes or duration (or a pain_check)")
    if s.pacing is not None and not timed:
        reader.problem(s.line_of("pacing"), f"{where}.pacing: no strokes or duration to pace")
    if s.pain_check is not None:
        t_lo, t_hi = s.pain_check.target
        if t_lo > t_hi:
            reader.problem(
                s.line_of("pain_check"),
                f"{where}.pain_check.target: low {t_lo} is above high {t_hi}",
            )
        elif t_hi >= 8:
            reader.problem(
                s.line_of("pain_check"),
                f"{where}.pain_check.target: {t_hi} is too high; 8 or more always means ease off",
            )

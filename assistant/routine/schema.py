"""Turn YAML into frozen dataclasses, reporting *every* problem with its line.

The schema is the dataclasses themselves: field types say what is allowed, and
field metadata adds what types cannot (``range``, ``unit="duration"``, ``doc``).
Routine authors get messages such as ``stages[2].pressur: unknown field, did you
mean 'pressure'?`` instead of a traceback, and the same code checks simulation
scripts.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, Field
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import yaml

from assistant.errors import Problem
from assistant.routine.bounded_yaml import LIMITS, LimitedLoader, Limits, TooComplex

__all__ = ["INTERNAL", "LIMITS", "Limits", "Reader", "parse_duration"]

T = TypeVar("T")

#: Metadata marking fields the reader fills in itself (never read from YAML).
INTERNAL = {"internal": True}

_DURATION = re.compile(
    r"^\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>s|sec|secs|seconds?|m|min|mins|minutes?)?\s*$"
)


def parse_duration(value: object) -> float | None:
    """Seconds from ``90``, ``90 s``, ``2 min`` or ``1.5 minutes``; None if unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        m = _DURATION.match(value.lower())
        if m:
            num = float(m["num"])
            unit = m["unit"] or "s"
            return num * 60 if unit.startswith("m") else num
    return None


def _shorten(text: str, limit: int = LIMITS.max_shown_chars) -> str:
    """A value as a message may repeat it: one line, at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if tp is str:
        return "text"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    if tp is bool:
        return "true or false"
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(tp))
    if origin is tuple:
        return "a list"
    if dataclasses.is_dataclass(tp):
        return "a mapping of fields"
    return str(tp)


def _is_optional(tp: Any) -> tuple[bool, Any]:
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(get_args(tp)) == 2:
            return True, args[0]
    return False, tp


class Reader:
    """Reads one YAML file into dataclasses, collecting problems instead of raising."""

    def __init__(
        self,
        path: Path | str,
        text: str | None = None,
        check: Callable[[Any, str, Reader], None] | None = None,
        limits: Limits = LIMITS,
    ) -> None:
        """``check(obj, where, reader)`` runs on every dataclass built, for cross-field rules;
        it runs even when a sibling failed, so one pass reports every problem."""
        self.path = str(path)
        self.text = text
        self.limits = limits
        self._check = check
        self.problems: list[Problem] = []
        self._constructor = yaml.constructor.SafeConstructor()

    # -- entry points -------------------------------------------------------------------------

    def compose(self) -> yaml.Node | None:
        """Parse the file into a node tree; syntax errors become problems with their line."""
        text = self.text if self.text is not None else self._read()
        if text is None:
            return None
        if len(text) > self.limits.max_bytes:
            self.problem(0, self._too_large(len(text)))
            return None
        try:
            loader = LimitedLoader(text, self.limits)
        except yaml.reader.ReaderError as exc:  # a control character anywhere in the text
            line = text.count("\n", 0, max(exc.position, 0)) + 1
            self.problem(line, f"YAML syntax error: character {exc.character:#06x} is not allowed")
            return None
        try:
            node = loader.get_single_node()
        except TooComplex as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 0
            self.problem(line, f"file too complex: {exc.problem}")
            return None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 0
            self.problem(line, f"YAML syntax error: {exc.problem or exc}")
            return None
        except yaml.YAMLError as exc:
            self.problem(0, f"YAML syntax error: {_shorten(str(exc), 200)}")
            return None
        finally:
            loader.dispose()
        if node is None:
            self.problem(1, "file is empty")
        return node

    def _read(self) -> str | None:
        """The file's text, read no further than the size limit (a FIFO or /dev/zero too)."""
        try:
            with open(self.path, "rb") as f:
                data = f.read(self.limits.max_bytes + 1)
        except FileNotFoundError:
            self.problem(0, "file not found")
            return None
        except OSError as exc:
            self.problem(0, f"cannot read file: {exc.strerror or exc}")
            return None
        except ValueError:  # a NUL in the name: no such file can exist
            self.problem(0, "cannot read file: its name contains a NUL character")
            return None
        if len(data) > self.limits.max_bytes:
            self.problem(0, self._too_large(len(data)))
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problem(0, f"cannot read file: not UTF-8 text ({exc.reason} at byte {exc.start})")
            return None

    def _too_large(self, size: int) -> str:
        more = "more than " if size > self.limits.max_bytes else ""
        return f"file too large ({more}{size} bytes; at most {self.limits.max_bytes})"

    def read(self, cls: type[T], node: yaml.Node, where: str = "") -> T | None:
        """Build ``cls`` from a mapping node, or None (with problems) when it cannot be built."""
        return typing.cast("T | None", self._dataclass(cls, node, where))

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    # -- converters ---------------------------------------------------------------------------

    def _dataclass(self, cls: Any, node: yaml.Node, where: str) -> Any:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            self.problem(line, f"{where or 'document'}: expected a mapping of fields")
            return None
        fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        field_lines: dict[str, int] = {}
        ok = True
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_line, f"{where or 'document'}: a field name must be plain text")
                ok = False
                continue
            key = _shorten(str(key_node.value))
            label = f"{where}.{key}" if where else key
            if key in field_lines:
                self.problem(
                    key_line, f"{label}: duplicate field (first given on line {field_lines[key]})"
                )
                ok = False
                continue
            field_lines[key] = key_line
            if key not in fields:
                hint = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
                more = (
                    f", did you mean '{hint[0]}'?"
                    if hint
                    else (f" (known fields: {', '.join(sorted(fields))})")
                )
                self.problem(key_line, f"{label}: unknown field{more}")
                ok = False
                continue
            value = self._value(hints[key], value_node, label, fields[key])
            if value is _BAD:
                ok = False
            else:
                values[key] = value
        for name, f in fields.items():
            if name not in values and name not in field_lines and _required(f):
                self.problem(line, f"{where + ': ' if where else ''}missing field '{name}'")
                ok = False
        if not ok:
            return None
        all_fields = {f.name for f in dataclasses.fields(cls)}
        if "line" in all_fields:
            values["line"] = line
        if "field_lines" in all_fields:
            values["field_lines"] = field_lines
        obj = cls(**values)
        if self._check is not None:
            self._check(obj, where, self)
        return obj

    def _value(self, tp: Any, node: yaml.Node, label: str, f: Field[Any] | None) -> Any:
        line = node.start_mark.line + 1
        optional, tp = _is_optional(tp)
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            if optional:
                return None
            self.problem(line, f"{label}: a value is required here ({_type_name(tp)})")
            return _BAD
        origin = get_origin(tp)
        if dataclasses.is_dataclass(tp):
            result = self._dataclass(tp, node, label)
            return _BAD if result is None else result
        if origin is tuple:
            return self._tuple(tp, node, label, f)
        if not isinstance(node, yaml.ScalarNode):
            self.problem(
                line,
                f"{label}: expected {_type_name(tp)}, got a "
                f"{'list' if isinstance(node, yaml.SequenceNode) else 'mapping'}",
            )
            return _BAD
        try:
            raw = self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # an explicit tag the value does not fit (``!!float abc``) or an unknown one
            problem = exc.problem if isinstance(exc, yaml.MarkedYAMLError) else exc
            self.problem(line, f"{label}: cannot read {node.tag!r}: {_shorten(str(problem))}")
            return _BAD
        meta = f.metadata if f is not None else {}
        value = self._scalar(tp, raw, meta)
        if value is _BAD:
            shown = _shorten(f"'{raw}'" if isinstance(raw, str) else repr(raw))
            msg = f"{label}: expected {_type_name(tp)}"
            if meta.get("unit") == "duration":
                msg = f"{label}: expected a duration such as 45, '90 s' or '2 min'"
            if origin is Literal and isinstance(raw, str):
                hint = difflib.get_close_matches(raw, [str(a) for a in get_args(tp)], n=1)
                if hint:
                    msg += f"; did you mean '{hint[0]}'?"
            self.problem(line, f"{msg} (got {shown})")
            return _BAD
        bounds = meta.get("range")
        if bounds is not None and isinstance(value, int | float):
            lo, hi = bounds
            if not lo <= value <= hi:
                unit = " s" if meta.get("unit") == "duration" else ""
                self.problem(
                    line, f"{label}: {value:g}{unit} is out of range ({lo:g}{unit} to {hi:g}{unit})"
                )
                return _BAD
        return value

    def _scalar(self, tp: Any, raw: Any, meta: typing.Mapping[str, Any]) -> Any:
        origin = get_origin(tp)
        if meta.get("unit") == "duration":
            seconds = parse_duration(raw)
            return _BAD if seconds is None else seconds
        if origin is Literal:
            return raw if raw in get_args(tp) else _BAD
        if tp is bool:
            return raw if isinstance(raw, bool) else _BAD
        if tp is int:
            return raw if isinstance(raw, int) and not isinstance(raw, bool) else _BAD
        if tp is float:
            ok = isinstance(raw, int | float) and not isinstance(raw, bool)
            return float(raw) if ok else _BAD
        if tp is str:
            return raw.strip() if isinstance(raw, str) and raw.strip() else _BAD
        return _BAD  # pragma: no cover - a schema bug, not a data problem

    def _tuple(self, tp: Any, node: yaml.Node, label: str, f: Field[Any] | None) -> Any:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.SequenceNode):
            self.problem(line, f"{label}: expected a list")
            return _BAD
        args = get_args(tp)
        homogeneous = len(args) == 2 and args[1] is Ellipsis
        if not homogeneous and len(node.value) != len(args):
            self.problem(
                line,
                f"{label}: expected a list of exactly {len(args)} items, got {len(node.value)}",
            )
            return _BAD
        items = []
        ok = True
        for i, item in enumerate(node.value):
            item_tp = args[0] if homogeneous else args[i]
            value = self._value(item_tp, item, f"{label}[{i}]", f)
            ok = ok and value is not _BAD
            items.append(value)
        return tuple(items) if ok else _BAD


class _Bad:
    def __repr__(self) -> str:
        return "<bad>"


_BAD: Any = _Bad()


def _required(f: Field[Any]) -> bool:
    return f.default is MISSING and f.default_factory is MISSING

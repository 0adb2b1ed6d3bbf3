"""Simulation scripts: what people say and when, checked like routine files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ScriptError
from .runner import Utterance
from .schema import INTERNAL, Reader

__all__ = ["ScriptLine", "load_script"]


@dataclass(frozen=True)
class ScriptLine:
    """One line of a script: ``- {at: 42.0, say: "lighter"}``."""

    at: float = field(metadata={"doc": "Seconds since the session started.", "range": (0, 86400)})
    say: str = field(metadata={"doc": "What is said, as words."})
    line: int = field(default=0, compare=False, metadata=INTERNAL)


def load_script(path: Path | str) -> list[Utterance]:
    """The script's utterances in time order; :class:`ScriptError` lists every problem."""
    reader = Reader(path)
    node = reader.compose()
    lines: list[ScriptLine] = []
    if node is not None and not isinstance(node, yaml.SequenceNode):
        reader.problem(
            node.start_mark.line + 1,
            'a script is a list of lines such as - {at: 42.0, say: "lighter"}',
        )
    elif node is not None:
        for i, item in enumerate(node.value):
            line = reader.read(ScriptLine, item, f"[{i}]")
            if line is not None:
                lines.append(line)
    if reader.problems:
        raise ScriptError(reader.problems)
    return sorted(Utterance(x.at, x.say) for x in lines)

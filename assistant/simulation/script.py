"""Simulation scripts: what people say and when, checked like routine files.

A line is said either at a time (``at``) or whenever the session waits for a kind of
answer (``on``): ``on: question`` answers every safety or yes/no question once it has been
asked to its end, ``on: next`` is said whenever a step waits for "next", ``on: pain``
answers every pain question. Timed lines alone cannot know when a question has been heard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from assistant.clock import VirtualClock
from assistant.errors import ScriptError
from assistant.events import Event
from assistant.events.kinds import Await, Said
from assistant.narration.voice import estimate_seconds
from assistant.routine.schema import INTERNAL, Reader
from assistant.runner import ScriptInput, Utterance

__all__ = ["ScriptLine", "ScriptedReplies", "load_script", "load_script_replies"]

#: What an ``on`` line answers: the session's ``await`` event names.
WANTS = {"question": "yes_no", "next": "next", "pain": "pain"}


@dataclass(frozen=True)
class ScriptLine:
    """One line of a script: ``- {at: 42.0, say: "lighter"}`` or ``- {on: question, say: "no"}``."""

    say: str = field(metadata={"doc": "What is said, as words."})
    at: float | None = field(
        default=None, metadata={"doc": "Seconds since the session started.", "range": (0, 86400)}
    )
    on: Literal["question", "next", "pain"] | None = field(
        default=None,
        metadata={"doc": "Say it whenever the session waits for this (instead of 'at')."},
    )
    line: int = field(default=0, compare=False, metadata=INTERNAL)


def load_script_replies(path: Path | str) -> tuple[list[Utterance], dict[str, str]]:
    """The timed utterances in order, and the replies by what they answer (``yes_no``,
    ``next``, ``pain``); :class:`ScriptError` lists every problem."""
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
            if line is None:
                continue
            if (line.at is None) == (line.on is None):
                reader.problem(
                    item.start_mark.line + 1, f"[{i}]: give either 'at' or 'on' (one of them)"
                )
            lines.append(line)
    if reader.problems:
        raise ScriptError(reader.problems)
    timed = sorted(Utterance(x.at, x.say) for x in lines if x.at is not None)
    replies = {WANTS[x.on]: x.say for x in lines if x.on is not None}
    return timed, replies


def load_script(path: Path | str) -> list[Utterance]:
    """The script's timed utterances in time order; :class:`ScriptError` lists every problem."""
    return load_script_replies(path)[0]


class ScriptedReplies(ScriptInput):
    """A script whose ``on`` lines answer the session, like a person who waits for the
    question to end before answering (an event sink, as the simulated couple is)."""

    def __init__(
        self,
        clock: VirtualClock,
        lines: Iterable[Utterance],
        replies: Mapping[str, str],
        *,
        delay: float = 1.5,
        duration: Callable[[str], float] = estimate_seconds,
    ) -> None:
        super().__init__(clock, lines)
        self.replies = dict(replies)
        self.delay = delay
        self.duration = duration
        self._line_end = 0.0

    def emit(self, event: Event) -> None:
        match event:
            case Said(text=text):
                self._line_end = event.t + self.duration(text)
            case Await(want=want) if want in self.replies:
                at = max(event.t, self._line_end) + self.delay
                self.add(Utterance(at, self.replies[want]))

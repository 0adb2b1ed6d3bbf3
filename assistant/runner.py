"""The loop that drives a session: wait for the next utterance or the next timer.

Who waits, and how, is the input source's business: a script moves a virtual clock
forward (a whole session in milliseconds), a queue fed by the keyboard or the
recognizer blocks in real time. The session itself never knows the difference.
"""

from __future__ import annotations

import bisect
import functools
import logging
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from assistant.clock import VirtualClock, WallClock
from assistant.events.kinds import End
from assistant.intents import Vocabulary, parse
from assistant.recognizers.listener import Heard
from assistant.session import Session

__all__ = [
    "END",
    "Fault",
    "QueueInput",
    "ScriptInput",
    "Utterance",
    "read_keyboard",
    "run_interactive",
    "run_session",
    "typed",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, order=True)
class Utterance:
    """Something said (or typed) at ``at`` seconds since the session started.

    ``heard`` is the listener's verdict when a recognizer heard it (intent, confidence);
    without one the text was typed or scripted, and the keyboard adapter parses it.
    """

    at: float
    text: str
    heard: Heard | None = field(default=None, compare=False)


def typed(text: str, vocabulary: Vocabulary, at: float = 0.0) -> Heard:
    """The keyboard adapter: typed (or scripted) text read as a recognizer would hear it."""
    return Heard(at, text, parse(text, vocabulary))


@dataclass(frozen=True)
class Fault:
    """A device or engine failure reported at ``at`` seconds; the session pauses."""

    at: float
    message: str


class _End:
    def __repr__(self) -> str:
        return "END"


#: Returned by an input source when no more input will ever come.
END = _End()


class InputSource(Protocol):
    def next_before(self, deadline: float | None) -> Utterance | Fault | _End | None:
        """The next utterance due no later than ``deadline`` (None: no deadline), None when
        the deadline came first, or END when input is over and nothing else can happen."""
        ...


class ScriptInput:
    """Scripted utterances on a virtual clock: time jumps straight to the next event."""

    def __init__(self, clock: VirtualClock, lines: Iterable[Utterance] = ()) -> None:
        self.clock = clock
        self._lines = sorted(lines)

    def add(self, line: Utterance) -> None:
        """Schedule one more utterance (a simulated person answering)."""
        bisect.insort(self._lines, line)

    def next_before(self, deadline: float | None) -> Utterance | _End | None:
        if self._lines and (deadline is None or self._lines[0].at <= deadline):
            line = self._lines.pop(0)
            self.clock.advance_to(line.at)
            return line
        if deadline is None:
            return END
        self.clock.advance_to(deadline)
        return None


class QueueInput:
    """Utterances put on a queue by another thread (keyboard, recognizer), in real time."""

    def __init__(self, clock: WallClock) -> None:
        self.clock = clock
        self.queue: queue.Queue[str | Heard | Fault | None] = queue.Queue()

    def put(self, item: str | Heard | None) -> None:
        """Called from the producing thread: typed text or what the listener heard; None
        means the input has closed."""
        self.queue.put(item)

    def fault(self, message: str) -> None:
        """Called from any thread when a device or the speech engine fails."""
        self.queue.put(Fault(self.clock.now(), message))

    def next_before(self, deadline: float | None) -> Utterance | Fault | _End | None:
        timeout = None if deadline is None else max(0.0, deadline - self.clock.now())
        try:
            item = self.queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is None:
            return END
        if isinstance(item, Fault):
            return item
        if isinstance(item, Heard):
            return Utterance(self.clock.now(), item.text, item)
        return Utterance(self.clock.now(), item)


def run_session(session: Session, source: InputSource) -> str:
    """Run until the session ends; return its outcome (finished, stopped or declined)."""
    _safely(session, session.start)
    while not session.done:
        item = source.next_before(session.scheduler.next_due())
        _safely(session, functools.partial(_deliver, session, item))
    for event in reversed(session.log.events):
        match event:
            case End(outcome=outcome):
                return outcome
    return "stopped"  # pragma: no cover - done implies an end event


def read_keyboard(source: QueueInput, lines: Iterable[str]) -> None:
    """Copy typed lines to ``source`` from a thread of their own; end of input closes it."""

    def copy() -> None:  # the only job of this thread
        for line in lines:
            source.put(line.strip())
        source.put(None)

    threading.Thread(target=copy, name="keyboard", daemon=True).start()


def run_interactive(session: Session, source: InputSource) -> str:
    """:func:`run_session` where Ctrl-C stops the session safely instead of a traceback."""
    try:
        return run_session(session, source)
    except KeyboardInterrupt:
        try:
            session.quit()
        except Exception as exc:  # even here: end safely, keep the events, no traceback
            session.log_error(f"{type(exc).__name__}: {exc}")
        return "stopped"


def _deliver(session: Session, item: Utterance | Fault | _End | None) -> None:
    if item is END:
        session.quit()
    elif isinstance(item, Utterance):
        session.hear(item.heard or typed(item.text, session.vocabulary, item.at))
    elif isinstance(item, Fault):
        session.fault(item.message)
    session.scheduler.run_due()


def _safely(session: Session, step: Callable[[], None]) -> None:
    try:
        step()
    except Exception as exc:  # a bug; the person on the table comes first
        # the last line of defence: end safely, keep every event, no traceback for users
        log.error(
            "internal error, session ended safely: %s",
            exc,
            exc_info=log.isEnabledFor(logging.DEBUG),
        )
        session.log_error(f"{type(exc).__name__}: {exc}")

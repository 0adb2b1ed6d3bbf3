"""Timed playback of what the session says: lines, stroke cues on the beat, and waits.

A :class:`Player` runs one agenda at a time on the scheduler. ``interrupt`` voids
everything still pending (every timer of the current activity is cancelled, and any
callback already queued is ignored through a generation counter) and silences the
voice. This is the one mechanism behind stop, pause, asides and every change of
state, so nothing said before an interruption can leak out after it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.clock import Scheduler, Timer
from assistant.narration.voice import Voice

__all__ = ["Cue", "Player", "Run", "Say", "Step", "Wait"]


@dataclass(frozen=True)
class Say:
    """A line to speak; the next step starts when it has been said."""

    text: str
    kind: str  # instruction, landmark, pressure, question, ack, stop, ...


@dataclass(frozen=True)
class Cue:
    """A stroke cue due ``offset`` seconds into a run of cues; no text marks the run's end.

    Cues are timed from the start of their run rather than one after another, so a
    long stage keeps the beat without drifting.
    """

    offset: float  # seconds from the start of the run
    text: str | None
    position: tuple[int, int]  # (set, stroke) the cue belongs to


@dataclass(frozen=True)
class Wait:
    """Silence for a while (a hold, a moment to settle)."""

    seconds: float


Step = Say | Cue | Wait

#: Kinds of line that are never repeated after an interruption.
REPLAYLESS = frozenset({"ack"})


@dataclass
class Run:
    """An agenda being played: its steps, where it is, and what to do at the end."""

    steps: list[Step]
    on_done: Callable[[], object]
    cursor: int = 0
    anchor: float | None = None  # clock time at offset 0 of the current run of cues
    aside: bool = False  # an aside: a short reply that broke into other work
    aside_of: Run | None = None  # for an aside, the run it broke into (if any)

    def rewind(self) -> None:
        """Back to the step under way: an interrupted line is said again, a wait redone.

        An interrupted acknowledgement is not said again: it did its job when it began.
        """
        self.anchor = None
        if self.cursor > 0:
            step = self.steps[self.cursor - 1]
            if isinstance(step, Wait) or (isinstance(step, Say) and step.kind not in REPLAYLESS):
                self.cursor -= 1


class Player:
    """Plays agendas on a scheduler through a voice; hooks report what happens."""

    def __init__(
        self,
        scheduler: Scheduler,
        voice: Voice,
        *,
        on_say: Callable[[Say], None],
        on_cue: Callable[[Cue], None],
        on_cut: Callable[[str], None],
    ) -> None:
        self.scheduler = scheduler
        self.voice = voice
        self._on_say = on_say
        self._on_cue = on_cue
        self._on_cut = on_cut
        self._gen = 0
        self._run: Run | None = None
        self._timers: list[Timer] = []
        self._speaking: tuple[str, float] | None = None  # (text, clock time it ends)

    def play(
        self,
        steps: Sequence[Step],
        on_done: Callable[[], object],
        *,
        aside: bool = False,
        aside_of: Run | None = None,
    ) -> None:
        """Start an agenda now; ``on_done`` runs after its last step.

        An ``aside`` is a short reply that broke into ``aside_of`` (None when nothing was
        playing); a second aside over it carries on with ``aside_of``, not with the first.
        """
        self._run = Run(list(steps), on_done, aside=aside, aside_of=aside_of)
        self._advance(self._gen)

    def resume(self, run: Run) -> None:
        """Carry on with an agenda that an aside interrupted (it was rewound then)."""
        self._run = run
        self._advance(self._gen)

    def later(self, delay: float, fn: Callable[[], object]) -> None:
        """Run ``fn`` after ``delay`` seconds, unless an interruption comes first."""
        gen = self._gen

        def fire() -> None:
            if gen == self._gen:
                fn()

        self._timers.append(self.scheduler.call_later(delay, fire))

    def interrupt(self, cut: bool = True) -> Run | None:
        """Void every pending step and timer, silence the voice; return the run, rewound."""
        self._gen += 1
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        run, self._run = self._run, None
        if cut:
            speaking = self._speaking
            if speaking is not None and speaking[1] > self.scheduler.clock.now():
                self._on_cut(speaking[0])
            self.voice.cut()
        self._speaking = None
        if run is not None:
            run.rewind()
        return run

    def _advance(self, gen: int) -> None:
        run = self._run
        if gen != self._gen or run is None:
            return
        now = self.scheduler.clock.now()
        while run.cursor < len(run.steps):
            step = run.steps[run.cursor]
            if isinstance(step, Say | Wait):
                run.anchor = None  # a line or a wait breaks the beat: re-anchor after it
                run.cursor += 1
                seconds = step.seconds if isinstance(step, Wait) else self._say(step, now)
                self.later(seconds, lambda: self._advance(gen))
                return
            if run.anchor is None:
                run.anchor = now - step.offset
            due = run.anchor + step.offset
            if due > now + 1e-9:
                self.later(due - now, lambda: self._advance(gen))
                return
            run.cursor += 1
            self._on_cue(step)
            if step.text is not None:
                self.voice.cue(step.text)
        self._run = None
        run.on_done()

    def _say(self, step: Say, now: float) -> float:
        self._on_say(step)
        seconds = max(0.0, self.voice.say(step.text))
        self._speaking = (step.text, now + seconds)
        return seconds

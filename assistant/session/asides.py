"""Asides: say something, then carry on exactly where the agenda was broken into."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.events import kinds as ev
from assistant.narration.agenda import Cue, Run, Say, Step
from assistant.session.machine import STAGE_STATES
from assistant.session.state import SessionState


class AsidesMixin(SessionState):
    """Methods of :class:`~assistant.session.Session` (``self`` is the session)."""

    def _aside(self, lines: Sequence[Step]) -> None:
        if self.done:
            return
        interrupted = self.player.interrupt()
        # an aside over an aside carries on with what the first one broke into
        base = interrupted
        if interrupted is not None and interrupted.aside:
            base = interrupted.aside_of
        self.player.play(lines, lambda: self._after_aside(base), aside=True, aside_of=base)

    def _after_aside(self, saved: Run | None) -> None:
        """Carry on exactly where the aside broke in."""
        if self.state == "stroking" and not self.progress.done:
            # strokes restart from the stroke under way
            self.player.play(self._stroke_steps(), self._strokes_done)
        elif saved is not None:
            if self.phase in STAGE_STATES:  # "lighter" mid-instruction: no stale pressure line
                saved.steps[saved.cursor :] = [
                    self._pressure_say() if isinstance(st, Say) and st.kind == "pressure" else st
                    for st in saved.steps[saved.cursor :]
                ]
            self.player.resume(saved)
        else:
            self._rewind_current()

    def _said(self, step: Say) -> None:
        self._emit(ev.Said(text=step.text, kind=step.kind, stage=self._stage_id()))

    def _cued(self, cue: Cue) -> None:
        self.progress.stroke_pos = cue.position
        if cue.text is not None:
            self.progress.cued = True
            self._emit(
                ev.Cue(
                    text=cue.text,
                    stage=self._stage_id(),
                    set=cue.position[0],
                    stroke=cue.position[1],
                )
            )

    def _rewind_current(self) -> None:
        """Re-enter the current state from its last resume point (used after asides)."""
        if self.state == "screening":
            self._ask_screening()
        elif self.state == "setup":
            self._remind_ready()
        else:
            entry = getattr(self, f"_enter_{self.phase}", None)
            if entry is not None:
                entry()

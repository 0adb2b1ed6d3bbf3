"""The voice's speed and loudness by voice: "speak faster", "speak slower", "louder", "quieter".

These change how the assistant talks, never the strokes: "slower" and "faster" alone pace
the strokes (see :mod:`assistant.session.pressure`). The next step is decided by
:func:`~assistant.narration.delivery.next_delivery`; the session applies it to the voice at
once, so the acknowledgement is already said in the new setting, and records it as a
``voice_setting`` event, which the journal remembers for this person's next session.
"""

from __future__ import annotations

from assistant.events import kinds as ev
from assistant.intents import Intent
from assistant.narration.agenda import Say
from assistant.narration.delivery import Change, Delivery, next_delivery
from assistant.narration.voice import Tunable
from assistant.session.state import SessionState

__all__ = ["VoiceSettingsMixin"]

#: what is said at each limit
_LIMIT = {"faster": "fastest", "slower": "slowest", "louder": "loudest", "quieter": "quietest"}


class VoiceSettingsMixin(SessionState):
    """Methods of :class:`~assistant.session.Session` (``self`` is the session)."""

    def _on_speak_faster(self, _: Intent) -> None:
        self._change_voice("faster")

    def _on_speak_slower(self, _: Intent) -> None:
        self._change_voice("slower")

    def _on_louder(self, _: Intent) -> None:
        self._change_voice("louder")

    def _on_quieter(self, _: Intent) -> None:
        self._change_voice("quieter")

    def _change_voice(self, change: Change) -> None:
        voice = self.voice
        if not isinstance(voice, Tunable):  # a voice that cannot change: say so, kindly
            self._aside([Say(self.prompts("not_now"), "ack")])
            return
        new = next_delivery(voice.delivery, change)
        if new is None:
            self._aside([Say(self.prompts(f"voice.{_LIMIT[change]}"), "ack")])
            return
        self._tune(new, remembered=False)
        self._aside([Say(self.prompts(f"voice.{change}"), "ack")])

    def _tune(self, delivery: Delivery, *, remembered: bool) -> bool:
        """Apply a delivery to the voice (if it can change) and record it; True if it changed."""
        voice = self.voice
        if not isinstance(voice, Tunable) or voice.delivery == delivery:
            return False
        voice.tune(delivery)
        self._emit(
            ev.VoiceSet(
                rate=delivery.rate, volume=delivery.volume, remembered=True if remembered else None
            )
        )
        return True

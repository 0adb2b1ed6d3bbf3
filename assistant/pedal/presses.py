"""Key presses in, ``next`` or ``stop`` out: the pure rule behind a foot pedal or any key.

A single short press means *next*. A long press or a double press means *stop*. Stop is
decided as early as it can be known: a long press is stop once it has been held for
``long_press`` seconds (the foot need not lift first), a double press is stop the instant
the second press goes down. Only *next* has to wait: a short press is next once
``double_gap`` has passed without a second press, because until then it might be the start
of a double press. Safety leans one way: anything in doubt is stop, never next.

The classifier keeps no clock of its own: every call carries the time of the edge (seconds,
any monotonic origin), and :meth:`PressClassifier.poll` lets a reader act on timeouts, so
tests drive it on a virtual timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.intents import Intent

__all__ = [
    "NEXT",
    "PEDAL_SETTINGS",
    "STOP",
    "TERMINAL_SETTINGS",
    "PressClassifier",
    "PressSettings",
]

#: times are sums of floats: a poll at exactly :meth:`PressClassifier.deadline` must decide
_EPS = 1e-9

NEXT = Intent("next")
STOP = Intent("stop")


@dataclass(frozen=True)
class PressSettings:
    """Thresholds in seconds, chosen for a foot, which is slower and heavier than a finger.

    A tap with the foot lasts about 0.1 to 0.3 s, so ``long_press`` at 0.8 s is never reached
    by a tap yet short enough for someone who wants the session to stop. Two deliberate taps
    of a foot come 0.15 to 0.35 s apart (release to press); ``double_gap`` of 0.45 s catches
    them while a single press still turns into *next* in under half a second. Cheap pedal
    switches bounce for a few milliseconds: an edge within ``debounce`` of the previous one
    is contact chatter, not a second press.
    """

    long_press: float = 0.8
    double_gap: float = 0.45
    debounce: float = 0.03

    def __post_init__(self) -> None:
        if not 0.0 <= self.debounce < self.double_gap < self.long_press:
            raise ValueError(
                "press settings need 0 <= debounce < double_gap < long_press, got "
                f"{self.debounce}, {self.double_gap}, {self.long_press}"
            )


#: The defaults, for a foot pedal or keyboard read through evdev.
PEDAL_SETTINGS = PressSettings()

#: The terminal sees no key releases, only characters, and a held key repeats after a delay
#: of 0.25 to 0.66 s. A gap long enough to span that delay turns a held key into a double
#: press (stop) instead of a next followed by a stop; terminal characters never bounce.
TERMINAL_SETTINGS = PressSettings(long_press=1.0, double_gap=0.7, debounce=0.0)


class PressClassifier:
    """Turns the down and up edges of one key into intents (not thread-safe: one reader owns it).

    Each method returns the intent decided by that edge or moment, or None. Call
    :meth:`poll` at :meth:`deadline` (or any time after) to let pending decisions fall due.
    A press that starts within ``double_gap`` of the release of a stop press is stop again:
    someone pressing in a hurry wants it to stop, and must never get *next* by pressing thrice.
    """

    def __init__(self, settings: PressSettings = PEDAL_SETTINGS) -> None:
        self.settings = settings
        self._down_at: float | None = None  # the key is held since then
        self._up_at: float | None = None  # a short press ended then; next is pending
        self._stop_up_at = float("-inf")  # the last stop press ended then
        self._last_edge = float("-inf")
        self._maybe_up: float | None = None  # an up too soon after the down: chatter, or real?
        self._decided = False  # the current press already gave stop; ignore its release

    def down(self, t: float) -> Intent | None:
        """The key went down at ``t``."""
        if self._down_at is not None:  # a repeat, or contact chatter of a held key: no news
            self._maybe_up = None
            return self.poll(t)
        if t - self._last_edge < self.settings.debounce:  # chatter after a release
            self._last_edge = t
            return None
        self._last_edge = t
        gap = self.settings.double_gap
        soon_after_stop = t - self._stop_up_at < gap
        if soon_after_stop or (self._up_at is not None and t - self._up_at < gap - _EPS):
            self._up_at = None  # a double press: decided at once
            self._down_at = t
            self._decided = True
            return STOP
        due = self.poll(t)  # a pending next whose gap has passed
        self._down_at = t
        self._decided = False
        return due

    def up(self, t: float) -> Intent | None:
        """The key came up at ``t``."""
        if self._down_at is None:  # an up with no down (the reader started mid-press)
            return None
        if t - self._last_edge < self.settings.debounce:  # chatter, unless no down follows
            self._maybe_up = t
            return None
        self._maybe_up = None
        return self._release(t)

    def tap(self, t: float) -> Intent | None:
        """A press whose down and up are seen at once (a terminal character)."""
        first = self.down(t)
        second = self._release(t) if self._down_at is not None else None
        return first or second

    def _release(self, t: float) -> Intent | None:
        due = self.poll(t)  # a long press reached its threshold before this release
        held_from = self._down_at
        assert held_from is not None
        self._down_at = None
        self._last_edge = t
        if due is not None or self._decided:
            self._decided = False
            self._stop_up_at = t
            return due
        if t - held_from >= self.settings.long_press - _EPS:
            self._stop_up_at = t
            return STOP
        self._up_at = t  # a short press: next, unless a second one follows soon
        return None

    def poll(self, t: float) -> Intent | None:
        """Whatever falls due by ``t``: a long press held long enough, or a lone short press."""
        if self._maybe_up is not None and t - self._maybe_up >= self.settings.debounce - _EPS:
            at, self._maybe_up = self._maybe_up, None  # no down followed: the key is up
            released = self._release(at)
            if released is not None:
                return released
        if self._down_at is not None:
            if not self._decided and t - self._down_at >= self.settings.long_press - _EPS:
                self._decided = True
                return STOP
            return None
        if self._up_at is not None and t - self._up_at >= self.settings.double_gap - _EPS:
            self._up_at = None
            return NEXT
        return None

    def deadline(self) -> float | None:
        """When :meth:`poll` can next decide something without a new edge, or None."""
        times = []
        if self._maybe_up is not None:
            times.append(self._maybe_up + self.settings.debounce)
        if self._down_at is not None and not self._decided:
            times.append(self._down_at + self.settings.long_press)
        if self._up_at is not None:
            times.append(self._up_at + self.settings.double_gap)
        return min(times, default=None)

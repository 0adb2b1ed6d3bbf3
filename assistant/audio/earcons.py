"""Short generated sounds that say, without words, what just happened.

Each earcon is a few soft sine tones with smooth edges (no clicks). They differ first in
melodic shape, which a listener learns fastest, then in length and register: "heard you"
goes up once, "didn't catch that" goes down once, a new stage climbs three notes, paused is
one low note twice with a gap, stopped steps down three times to a long low note, and the
end of a session rises and settles back (an arch). A quiet tick marks each stroke.
``massage-assistant sounds`` plays them, each named first.
"""

from __future__ import annotations

import functools

import numpy as np

from assistant.audio.pcm import RATE, Pcm, from_float

__all__ = ["EARCONS", "TOUR", "earcon"]

#: name -> ((frequency Hz, seconds), ...), gain; a frequency of 0 is a rest.
EARCONS: dict[str, tuple[tuple[tuple[float, float], ...], float]] = {
    "heard": (((660.0, 0.07), (880.0, 0.09)), 0.25),
    "not_caught": (((523.0, 0.09), (392.0, 0.14)), 0.25),
    "stage": (((523.0, 0.10), (659.0, 0.10), (784.0, 0.18)), 0.22),
    "paused": (((392.0, 0.12), (0.0, 0.06), (392.0, 0.12)), 0.25),
    "stopped": (((440.0, 0.10), (349.0, 0.10), (262.0, 0.32)), 0.30),
    "ended": (((523.0, 0.10), (784.0, 0.12), (523.0, 0.30)), 0.22),
    "beat": (((1046.0, 0.035),), 0.12),
}


#: The earcon tour: each sound that means something, in the order it is learned, with the
#: words that name it (English; the tour speaks them before playing the sound).
TOUR: tuple[tuple[str, str], ...] = (
    ("heard", "Heard you: a command was understood."),
    ("not_caught", "Not understood: please say it again."),
    ("stage", "A new stage begins."),
    ("paused", "Paused: hands resting."),
    ("stopped", "Stopped: hands off."),
    ("ended", "The session has ended."),
    ("beat", "The beat: one tick for each stroke."),
)


@functools.cache
def earcon(name: str) -> Pcm:
    """The named earcon as 16 kHz int16 samples (computed once)."""
    notes, gain = EARCONS[name]
    parts = []
    for freq, seconds in notes:
        n = int(seconds * RATE)
        t = np.arange(n) / RATE
        fade = min(n // 2, int(0.008 * RATE))  # 8 ms edges: no clicks
        env = np.ones(n)
        env[:fade] = np.linspace(0.0, 1.0, fade)
        env[n - fade :] = np.linspace(1.0, 0.0, fade)
        env *= np.exp(-t * 6.0)  # a gentle decay, like a struck bell
        tone = np.sin(2 * np.pi * freq * t) + 0.25 * np.sin(4 * np.pi * freq * t)
        parts.append(tone * env * gain / 1.25 if freq else np.zeros(n))
    return from_float(np.concatenate(parts))

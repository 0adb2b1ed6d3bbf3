"""argparse types for the narration and audio options: a bad value is refused at once.

Each is a pure function from the typed text to the value, raising
:class:`argparse.ArgumentTypeError` with a sentence saying what is allowed, so a typo in
``--rate`` or ``--output`` is a one-line message before anything starts, not a session
that speaks at a crawl or a stack trace from the sound library.
"""

from __future__ import annotations

import argparse
import math

__all__ = ["MAX_WPM", "MIN_WPM", "device", "rate_wpm", "voice", "volume"]

#: espeak-ng speaks from 80 words per minute; past 600 not even trained screen-reader
#: users follow it (450 is the fastest the narration is checked at)
MIN_WPM, MAX_WPM = 80, 600
_MAX_TEXT = 100


def rate_wpm(value: str) -> int:
    """``--rate``: whole words per minute from :data:`MIN_WPM` to :data:`MAX_WPM`."""
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 4) or not (
        MIN_WPM <= int(text) <= MAX_WPM
    ):
        raise argparse.ArgumentTypeError(
            f"'{_short(value)}' is not a speaking rate: give words per minute, a whole number "
            f"from {MIN_WPM} to {MAX_WPM} (200 by default, 300 and more for screen-reader users)"
        )
    return int(text)


def volume(value: str) -> float:
    """``--volume``: a number from 0 (silent) to 1 (full)."""
    try:
        x = float(value)
    except ValueError:
        x = math.nan
    if not 0.0 <= x <= 1.0:  # NaN fails this too
        raise argparse.ArgumentTypeError(
            f"'{_short(value)}' is not a volume: give a number from 0 (silent) to 1 (full), "
            "such as 0.6"
        )
    return x


def voice(value: str) -> str:
    """``--voice``: a speech engine voice id or a language code (``en-us``, ``ko``)."""
    text = value.strip()
    if not text or len(text) > _MAX_TEXT or not text.isprintable():
        raise argparse.ArgumentTypeError(
            f"'{_short(value)}' is not a voice: give a language code such as en-us or ko, or "
            "a voice id of the speech engine (espeak-ng --voices lists them)"
        )
    return text


def device(value: str) -> str:
    """``--input`` / ``--output``: a device index or part of its name, as ``devices`` lists."""
    text = value.strip()
    number = text.lstrip("+-")
    signed = number.isdigit() and text != number  # "-1", "+2": no device has such an index
    odd_index = text.isdigit() and (not text.isascii() or len(text) > 4)
    if signed or odd_index or not text or len(text) > _MAX_TEXT or not text.isprintable():
        raise argparse.ArgumentTypeError(
            f"'{_short(value)}' is not a sound device: give its number or part of its name, "
            "as 'massage-assistant devices' lists them"
        )
    return text


def _short(value: str) -> str:
    """The typed value, cut and made printable for the message."""
    cut = value[:30] + ("..." if len(value) > 30 else "")
    return cut.encode("unicode_escape").decode("ascii") if not cut.isprintable() else cut

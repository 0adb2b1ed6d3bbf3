"""A routine name as people type it, matched to the one they meant, or a helpful refusal.

Typed names vary: ``Gentle-First``, ``gentle first``, ``gentle`` all mean ``gentle-first``
when no other routine fits. A name that fits none, or fits several, is refused with the
routines it could have been (difflib's close matches), never guessed: the wrong routine
would guide hands over the wrong part of a body.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

__all__ = ["UnknownRoutine", "match_routine_name", "normalize_name"]


class UnknownRoutine(ValueError):
    """No routine, or more than one, fits the name; the message says which were meant."""


def normalize_name(name: str) -> str:
    """Lower case, and any run of spaces, underscores or hyphens as one hyphen."""
    return re.sub(r"[\s_-]+", "-", name.strip().lower()).strip("-")


def match_routine_name(given: str, names: Sequence[str]) -> str:
    """The one name in ``names`` that ``given`` means: exactly, ignoring case, or by a
    unique prefix. :class:`UnknownRoutine` otherwise, suggesting what it might have been."""
    if given in names:
        return given
    key = normalize_name(given)
    by_key: dict[str, list[str]] = {}
    for name in names:
        by_key.setdefault(normalize_name(name), []).append(name)
    exact = by_key.get(key, [])
    if len(exact) == 1:
        return exact[0]
    starts = sorted(n for k, ns in by_key.items() if key and k.startswith(key) for n in ns)
    if len(starts) == 1:
        return starts[0]
    available = ", ".join(sorted(names)) or "none found"
    if len(starts) > 1:
        raise UnknownRoutine(
            f"'{given}' could be any of {_quoted(starts)}: type more of the name "
            f"(available: {available})"
        )
    close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)
    hint = f"did you mean {_quoted([n for k in close for n in by_key[k]])}? " if close else ""
    raise UnknownRoutine(f"no such routine '{given}' ({hint}available: {available})")


def _quoted(names: Sequence[str]) -> str:
    q = [f"'{n}'" for n in names]
    return q[0] if len(q) == 1 else ", ".join(q[:-1]) + " or " + q[-1]

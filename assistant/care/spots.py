"""Which body areas are one spot: declared by the routine, never guessed from names."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["spot_of"]


def spot_of(area: str, same_spot: Iterable[Iterable[str]]) -> frozenset[str]:
    """``area`` and every area declared in a group with it.

    Not transitive on purpose: the whole back overlaps the neck and the lower back, but
    the neck does not overlap the lower back.
    """
    spot = {area}
    for group in same_spot:
        members = set(group)
        if area in members:
            spot |= members
    return frozenset(spot)

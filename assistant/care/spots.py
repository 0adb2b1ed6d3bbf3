"""Which body areas are one spot: declared by the routine, never guessed from names."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["spot_of"]


def spot_of(area: str, same_spot: Iterable[Iterable[str]]) -> frozenset[str]:
    """``area`` and every area a routine declares as overlapping it (transitively)."""
    groups = [set(g) for g in same_spot]
    spot = {area}
    grown = True
    while grown:
        grown = False
        for g in groups:
            if g & spot and not g <= spot:
                spot |= g
                grown = True
    return frozenset(spot)

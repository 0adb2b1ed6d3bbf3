"""``history --plot``: pain and pressure over time, one row of panels per body area.

Made to be read at a glance: each body area gets its own row, with pain (0-10) on
the left and the pressure the area ended at on the right, so no panel mixes two
scales. Each person is one line in one colour throughout, named once in a legend
placed below the panels where it covers no reading; the title has its own space.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates

from assistant.files import written_by
from assistant.journal.history import SessionSummary
from assistant.routine.model import PRESSURE_LEVELS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["history_figure", "plot_history"]


def plot_history(rows: Sequence[SessionSummary], path: Path) -> list[str]:
    """Draw the sessions (any order) into a PNG; returns the body areas drawn.

    Raises ValueError when nothing can be drawn, :class:`~assistant.files.OutputError`
    when the file cannot be written.
    """
    import matplotlib.pyplot as plt

    fig, areas = history_figure(rows)
    try:
        written_by(path, lambda p: fig.savefig(p, dpi=100, format="png"))
    finally:
        plt.close(fig)
    return areas


def history_figure(rows: Sequence[SessionSummary]) -> tuple[Figure, list[str]]:
    """The chart itself (closed by the caller), and the body areas it shows.

    A session's pain point is the mean of its readings for that area (the lowest and
    highest are shown as a bar).
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: works headless, on a kiosk or over SSH
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    ordered = sorted(rows, key=lambda s: (s.started, s.id))
    areas = sorted({a for s in ordered for a in (*s.pain, *s.pressure)})
    if not areas:
        raise ValueError("no pain readings or pressure changes to draw yet")
    # only people with something to draw; one colour each, the same in every panel
    people = sorted({s.person for s in ordered if s.pain or s.pressure}, key=str.casefold)
    colours = {p: plt.get_cmap("tab10")(i % 10) for i, p in enumerate(people)}

    fig, axes = plt.subplots(
        len(areas),
        2,
        figsize=(11, 1.2 + 2.4 * len(areas)),
        squeeze=False,
        sharex=True,
        layout="constrained",
    )
    for row, area in enumerate(areas):
        pain_ax, pressure_ax = axes[row]
        drawn = [False, False]
        for i, person in enumerate(people):
            mine = [s for s in ordered if s.person == person]
            drawn[0] |= _pain_line(pain_ax, mine, area, colours[person], person)
            # people at the same level would hide each other: a slight, even offset each
            nudge = (i - (len(people) - 1) / 2) * 0.08
            drawn[1] |= _pressure_line(pressure_ax, mine, area, colours[person], nudge)
        for ax, done, what in zip(axes[row], drawn, ("pain readings", "pressure"), strict=True):
            if not done:
                ax.text(0.5, 0.5, f"no {what} for this area", transform=ax.transAxes,
                        ha="center", va="center", color="0.4")  # fmt: skip
        pain_ax.set_ylim(-0.5, 10.5)
        pain_ax.set_yticks(range(0, 11, 2))
        pain_ax.set_ylabel("pain (0-10)")
        pain_ax.set_title(f"{area}: pain", loc="left", fontsize=11)
        pressure_ax.set_ylim(-0.5, len(PRESSURE_LEVELS) - 0.5)
        pressure_ax.set_yticks(range(len(PRESSURE_LEVELS)), PRESSURE_LEVELS)
        pressure_ax.set_title(f"{area}: pressure at the end", loc="left", fontsize=11)
        for ax in (pain_ax, pressure_ax):
            ax.grid(True, axis="y", alpha=0.3)
    for ax in axes[-1]:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        ax.set_xlabel("session date")
    if len({s.started.date() for s in ordered}) == 1:  # one day: give the axis some width
        day = ordered[0].started
        for ax in axes[-1]:
            ax.set_xlim(_date2num(day) - 1, _date2num(day) + 1)
    fig.suptitle(
        f"Pain and pressure by body area, {len(ordered)} sessions", fontsize=14, weight="bold"
    )
    handles = [Line2D([], [], color=colours[p], marker="o", linewidth=2, label=p) for p in people]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(people), 6),
        title="person  (pain: mean of a session's readings, bar from lowest to highest)",
        frameon=False,
    )
    return fig, areas


def _pain_line(
    ax: Axes, sessions: Sequence[SessionSummary], area: str, colour: Any, person: str
) -> bool:
    points = [(s.started, v) for s in sessions if (v := s.pain.get(area))]
    if not points:
        return False
    xs = _date2num([when for when, _ in points])
    means = [sum(v) / len(v) for _, v in points]
    lows = [m - min(v) for m, (_, v) in zip(means, points, strict=True)]
    highs = [max(v) - m for m, (_, v) in zip(means, points, strict=True)]
    ax.errorbar(
        xs,
        means,
        yerr=[lows, highs],
        color=colour,
        marker="o",
        linewidth=2,
        capsize=3,
        label=person,
    )
    return True


def _pressure_line(
    ax: Axes, sessions: Sequence[SessionSummary], area: str, colour: Any, nudge: float
) -> bool:
    levels = [
        (s.started, PRESSURE_LEVELS.index(lvl))
        for s in sessions
        if (lvl := s.pressure.get(area)) in PRESSURE_LEVELS
    ]
    if not levels:
        return False
    ax.step(
        _date2num([x for x, _ in levels]),
        [y + nudge for _, y in levels],
        where="post",
        marker="s",
        linewidth=2,
        color=colour,
    )
    return True


def _date2num(when: Any) -> Any:
    """matplotlib's date2num, which has no type hints."""
    return mdates.date2num(when)  # type: ignore[no-untyped-call]

"""``history --plot``: pain readings and pressure over sessions, one panel per body area."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..files import written_by
from ..routine import PRESSURE_LEVELS
from .history import SessionSummary

__all__ = ["plot_history"]


def plot_history(rows: Sequence[SessionSummary], path: Path) -> list[str]:
    """Draw the sessions (any order) into a PNG; returns the body areas drawn.

    Each panel shows every pain reading of a session as a dot, their mean as a line,
    and (on the right axis) the pressure the area ended at.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: works headless, on a kiosk or over SSH
    import matplotlib.pyplot as plt

    ordered = sorted(rows, key=lambda s: (s.started, s.id))
    areas = sorted({a for s in ordered for a in (*s.pain, *s.pressure)})
    if not areas:
        raise ValueError("no pain readings or pressure changes to draw yet")
    fig, axes = plt.subplots(len(areas), 1, figsize=(8, 2.6 * len(areas)), squeeze=False)
    x_of = {s.id: i for i, s in enumerate(ordered)}
    labels = [f"{s.started.astimezone():%d %b}\n#{s.id}" for s in ordered]
    for ax, area in zip(axes[:, 0], areas, strict=True):
        xs = [x_of[s.id] for s in ordered for _ in s.pain.get(area, [])]
        ys = [v for s in ordered for v in s.pain.get(area, [])]
        ax.scatter(xs, ys, color="tab:red", alpha=0.5, s=18, label="pain reading")
        means = [(x_of[s.id], sum(v) / len(v)) for s in ordered if (v := s.pain.get(area))]
        if means:
            ax.plot(
                [x for x, _ in means],
                [y for _, y in means],
                color="tab:red",
                marker="o",
                label="mean pain",
            )
        ax.set_ylim(-0.5, 10.5)
        ax.set_ylabel("pain (0-10)")
        ax.set_title(area)
        right = ax.twinx()
        levels = [
            (x_of[s.id], PRESSURE_LEVELS.index(lvl))
            for s in ordered
            if (lvl := s.pressure.get(area)) in PRESSURE_LEVELS
        ]
        if levels:
            right.step(
                [x for x, _ in levels],
                [y for _, y in levels],
                where="mid",
                marker="s",
                color="tab:blue",
                label="pressure at end",
            )
        right.set_ylim(-0.5, len(PRESSURE_LEVELS) - 0.5)
        right.set_yticks(range(len(PRESSURE_LEVELS)), PRESSURE_LEVELS)
        ax.set_xticks(range(len(ordered)), labels, fontsize=7)
        ax.set_xlim(-0.5, len(ordered) - 0.5)
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        ax.legend(handles=handles, loc="upper left", fontsize=7)
    fig.suptitle("Pain and pressure over sessions")
    fig.tight_layout()
    try:
        written_by(path, lambda p: fig.savefig(p, dpi=100, format="png"))
    finally:
        plt.close(fig)
    return areas

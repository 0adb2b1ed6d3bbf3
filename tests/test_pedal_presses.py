"""The press classifier on a virtual timeline: exact intents at exact moments."""

from __future__ import annotations

import pytest

from assistant.intents import Intent
from assistant.pedal.presses import (
    NEXT,
    STOP,
    TERMINAL_SETTINGS,
    PressClassifier,
    PressSettings,
)

S = PressSettings()  # long_press 0.8, double_gap 0.45, debounce 0.03


def run(edges: list[tuple[str, float]], until: float, settings: PressSettings = S) -> list:
    """Feed edges in order, polling at every deadline as a reader would; (time, intent) out."""
    c = PressClassifier(settings)
    out: list[tuple[float, Intent]] = []

    def drain(before: float) -> None:
        while (d := c.deadline()) is not None and d <= before:
            got = c.poll(d)
            if got is not None:
                out.append((round(d, 6), got))
            elif c.deadline() == d:  # nothing more can fall due now
                break

    for kind, t in edges:
        drain(t)
        got = {"down": c.down, "up": c.up, "tap": c.tap}[kind](t)
        if got is not None:
            out.append((t, got))
    drain(until)
    return out


def test_a_short_press_is_next_once_the_double_gap_has_passed() -> None:
    assert run([("down", 1.0), ("up", 1.15)], until=5) == [(1.6, NEXT)]


def test_next_is_not_given_before_the_gap_has_passed() -> None:
    c = PressClassifier()
    c.down(1.0)
    assert c.up(1.15) is None
    assert c.deadline() == pytest.approx(1.6)
    assert c.poll(1.599) is None
    assert c.poll(1.6) == NEXT
    assert c.poll(9.0) is None  # given once


def test_a_long_press_is_stop_while_still_held() -> None:
    c = PressClassifier()
    assert c.down(2.0) is None
    assert c.deadline() == pytest.approx(2.8)
    assert c.poll(2.79) is None
    assert c.poll(2.8) == STOP
    assert c.deadline() is None
    assert c.up(5.0) is None  # the release of a decided press adds nothing


def test_a_long_press_seen_only_at_its_release_is_still_stop() -> None:
    assert run([("down", 0.0), ("up", 1.2)], until=5, settings=S) == [(0.8, STOP)]
    c = PressClassifier()
    c.down(0.0)
    assert c.up(1.2) == STOP  # a reader that never polled


def test_a_double_press_is_stop_at_the_second_down() -> None:
    edges = [("down", 0.0), ("up", 0.15), ("down", 0.45), ("up", 0.6)]
    assert run(edges, until=5) == [(0.45, STOP)]


def test_a_second_press_after_the_gap_is_two_nexts() -> None:
    edges = [("down", 0.0), ("up", 0.15), ("down", 0.7), ("up", 0.85)]
    assert run(edges, until=5) == [(0.6, NEXT), (1.3, NEXT)]


def test_a_late_second_press_gives_the_pending_next_even_without_polling() -> None:
    c = PressClassifier()
    c.down(0.0)
    c.up(0.1)
    assert c.down(3.0) == NEXT
    assert c.up(3.1) is None


def test_pressing_again_and_again_after_a_stop_never_gives_next() -> None:
    edges = [("down", 0.0), ("up", 0.1), ("down", 0.3), ("up", 0.4), ("down", 0.6), ("up", 0.7)]
    edges += [("down", 1.0), ("up", 1.1)]
    assert run(edges, until=5) == [(0.3, STOP), (0.6, STOP), (1.0, STOP)]


def test_a_stop_then_a_calm_press_later_is_next_again() -> None:
    edges = [("down", 0.0), ("up", 1.0), ("down", 3.0), ("up", 3.2)]
    assert run(edges, until=9) == [(0.8, STOP), (3.65, NEXT)]


def test_contact_chatter_on_press_and_release_counts_as_one_press() -> None:
    edges = [("down", 0.0), ("up", 0.004), ("down", 0.009), ("up", 0.2), ("down", 0.206)]
    edges += [("up", 0.21)]
    assert run(edges, until=5) == [(0.65, NEXT)]  # 0.45 s after the real release


def test_chatter_while_held_does_not_hide_a_long_press() -> None:
    edges = [("down", 0.0), ("up", 0.01), ("down", 0.02), ("up", 1.5)]
    assert run(edges, until=5) == [(0.8, STOP)]


def test_a_very_short_press_with_no_chatter_after_it_is_next() -> None:
    # the up came within the debounce time, but no down followed: it was real
    assert run([("down", 0.0), ("up", 0.01)], until=5) == [(0.46, NEXT)]


def test_an_up_without_a_down_and_repeats_are_ignored() -> None:
    c = PressClassifier()
    assert c.up(0.0) is None
    assert c.down(1.0) is None
    assert c.down(1.1) is None  # autorepeat of a held key
    assert c.up(1.2) is None
    assert c.poll(1.65) == NEXT


def test_terminal_taps_a_single_character_is_next() -> None:
    assert run([("tap", 1.0)], until=9, settings=TERMINAL_SETTINGS) == [(1.7, NEXT)]


def test_terminal_taps_two_quick_characters_are_stop() -> None:
    assert run([("tap", 1.0), ("tap", 1.3)], until=9, settings=TERMINAL_SETTINGS) == [(1.3, STOP)]


def test_terminal_a_held_key_repeating_is_stop_without_a_next_first() -> None:
    # a key held down: one character, the repeat delay (0.66 s at most), then 30 a second
    taps = [("tap", 0.0)] + [("tap", 0.66 + i / 30) for i in range(20)]
    got = run(taps, until=9, settings=TERMINAL_SETTINGS)
    assert got[0] == (0.66, STOP)
    assert {i for _, i in got} == {STOP}


@pytest.mark.parametrize(
    ("long_press", "double_gap", "debounce"),
    [(0.5, 0.5, 0.0), (0.8, 0.45, 0.45), (0.8, 0.45, -0.01)],
)
def test_settings_that_cannot_work_are_refused(
    long_press: float, double_gap: float, debounce: float
) -> None:
    with pytest.raises(ValueError, match="debounce < double_gap < long_press"):
        PressSettings(long_press, double_gap, debounce)

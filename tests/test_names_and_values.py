"""Routine names as people type them, and option values refused with a clear message."""

from __future__ import annotations

import argparse

import pytest

from assistant import cli
from assistant.errors import RoutineError
from assistant.routine.loader import find_routine, load_routine
from assistant.routine.names import UnknownRoutine, match_routine_name, normalize_name
from assistant.subcommands.values import device, rate_wpm, voice, volume

NAMES = ["classic-regional", "gentle-first", "gentle-first-ko", "knot-relief", "swedish-back"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("gentle-first", "gentle-first"),
        ("Gentle-First", "gentle-first"),
        ("GENTLE FIRST", "gentle-first"),
        ("gentle_first_ko", "gentle-first-ko"),
        ("swe", "swedish-back"),
        ("Knot", "knot-relief"),
        ("c", "classic-regional"),
        ("  swedish back  ", "swedish-back"),
    ],
)
def test_names_match_ignoring_case_and_by_a_unique_prefix(typed: str, meant: str) -> None:
    assert match_routine_name(typed, NAMES) == meant


def test_an_exact_name_wins_over_a_longer_one_it_begins() -> None:
    assert match_routine_name("gentle-first", NAMES) == "gentle-first"


def test_a_prefix_of_several_names_is_refused_with_each_of_them() -> None:
    with pytest.raises(UnknownRoutine) as err:
        match_routine_name("gentle", NAMES)
    assert str(err.value) == (
        "'gentle' could be any of 'gentle-first' or 'gentle-first-ko': type more of the name "
        "(available: classic-regional, gentle-first, gentle-first-ko, knot-relief, swedish-back)"
    )


def test_a_misspelt_name_gets_did_you_mean() -> None:
    with pytest.raises(UnknownRoutine) as err:
        match_routine_name("sweedish-bak", NAMES)
    assert str(err.value).startswith("no such routine 'sweedish-bak' (did you mean 'swedish-back'?")


def test_a_name_like_nothing_gets_the_list_only() -> None:
    with pytest.raises(UnknownRoutine) as err:
        match_routine_name("xyzzy", NAMES)
    assert "did you mean" not in str(err.value)
    assert str(err.value).endswith("available: " + ", ".join(NAMES) + ")")
    with pytest.raises(UnknownRoutine, match=r"\(available: none found\)"):
        match_routine_name("x", [])
    with pytest.raises(UnknownRoutine):
        match_routine_name("   ", NAMES)  # nothing typed is no prefix of everything


def test_normalize_name() -> None:
    assert normalize_name(" Gentle__First -- KO ") == "gentle-first-ko"


def test_the_routine_loader_finds_routines_by_the_same_rules() -> None:
    assert find_routine("Gentle-First").stem == "gentle-first"
    assert load_routine("knot").id == "knot-relief"
    with pytest.raises(RoutineError, match="did you mean 'knot-relief'"):
        load_routine("knot-releif")


def test_the_command_line_says_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["show", "swedish-bak"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'swedish-back'" in err and "Traceback" not in err
    assert cli.main(["show", "SWED"]) == 0
    assert "swedish" in capsys.readouterr().out.lower()


@pytest.mark.parametrize(("typed", "value"), [("80", 80), (" 450 ", 450), ("600", 600)])
def test_rates_allowed(typed: str, value: int) -> None:
    assert rate_wpm(typed) == value


@pytest.mark.parametrize("typed", ["79", "601", "fast", "-200", "3.5", "", "٣٠٠", "1e3"])
def test_rates_refused(typed: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="from 80 to 600"):
        rate_wpm(typed)


@pytest.mark.parametrize(("typed", "value"), [("0", 0.0), ("0.6", 0.6), ("1", 1.0)])
def test_volumes_allowed(typed: str, value: float) -> None:
    assert volume(typed) == value


@pytest.mark.parametrize("typed", ["1.5", "-0.1", "nan", "inf", "loud", ""])
def test_volumes_refused(typed: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"from 0 \(silent\) to 1 \(full\)"):
        volume(typed)


def test_voices() -> None:
    assert voice(" en-us ") == "en-us"
    assert voice("English (America)") == "English (America)"
    for bad in ("", "   ", "en\x00us", "x" * 101):
        with pytest.raises(argparse.ArgumentTypeError, match="is not a voice"):
            voice(bad)


def test_devices() -> None:
    assert device("3") == "3"
    assert device(" USB Audio ") == "USB Audio"
    for bad in ("-1", "+2", "", "   ", "12345", "mi\nc", "x" * 101):
        with pytest.raises(argparse.ArgumentTypeError, match="is not a sound device"):
            device(bad)


def test_the_message_shows_an_unprintable_value_safely() -> None:
    with pytest.raises(argparse.ArgumentTypeError) as err:
        device("\x1b[2Jmic")
    assert "\x1b" not in str(err.value) and "\\x1b" in str(err.value)


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--rate", "5000"], "argument --rate: '5000' is not a speaking rate"),
        (["--volume", "2"], "argument --volume: '2' is not a volume"),
        (["--voice", ""], "argument --voice: '' is not a voice"),
        (["--input", "-1"], "argument --input: '-1' is not a sound device"),
        (["--output", ""], "argument --output: '' is not a sound device"),
    ],
)
def test_the_run_command_refuses_bad_values_before_starting(
    option: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["run", "gentle-first", *option])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err

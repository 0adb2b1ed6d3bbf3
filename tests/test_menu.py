"""The spoken start menu: by number, by title, help, repeat, silence and stop, on a virtual
clock; and real people's recorded digits heard through the real recognizer."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.clock import VirtualClock
from assistant.menu import MenuTimes, make_menu, menu_routines, menu_vocabulary, run_menu
from assistant.menu.words import load_menu_text
from assistant.narration.voice import SilentVoice
from assistant.routine.model import Routine
from assistant.runner import ScriptInput, Utterance

ROUTINES = menu_routines("en")


class Heard(SilentVoice):
    """The speaker's edge: keeps each line said, timed by words per minute."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def say(self, text: str) -> float:
        self.lines.append(text)
        return super().say(text)


def menu_with(
    answers: list[tuple[float, str]], times: MenuTimes | None = None
) -> tuple[Routine | None, Heard, list[str], VirtualClock]:
    times = times or MenuTimes()
    clock = VirtualClock()
    voice = Heard()
    notes: list[str] = []
    menu = make_menu(ROUTINES, voice=voice, clock=clock, times=times, note=notes.append)
    source = ScriptInput(clock, [Utterance(at, text) for at, text in answers])
    return run_menu(menu, source), voice, notes, clock


def test_the_menu_offers_every_english_routine_numbered_with_title_and_length() -> None:
    ids = [r.id for r in ROUTINES]
    assert "gentle-first" in ids and "swedish-back" in ids
    assert "gentle-first-ko" not in ids  # its title cannot be said to an English menu
    chosen, voice, _, _ = menu_with([(60.0, "stop")])
    assert chosen is None
    assert voice.lines[0].startswith("Hello, I am your massage assistant")
    items = [line for line in voice.lines if "minutes" in line]
    assert len(items) == len(ROUTINES)
    for i, (line, r) in enumerate(zip(items, ROUTINES, strict=True), start=1):
        number = ["One", "Two", "Three", "Four", "Five", "Six"][i - 1]
        minutes = max(1, round(r.planned_seconds() / 60))
        assert line == f"{number}: {r.title}, about {minutes} minutes."


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("two", 2),
        ("2", 2),
        ("number three", 3),
        ("um, four please", 4),
        ("the second one", 2),
        ("Swedish", "swedish-back"),
        ("knot relief", "knot-relief"),
        ("gentle first massage", "gentle-first"),
        ("classic", "classic-regional"),
    ],
)
def test_a_routine_is_chosen_by_number_or_by_title(said: str, expected: int | str) -> None:
    chosen, voice, notes, _ = menu_with([(30.0, said)])
    assert chosen is not None
    if isinstance(expected, int):
        assert chosen is ROUTINES[expected - 1]
    else:
        assert chosen.id == expected
    assert voice.lines[-1] == f"Starting {chosen.title}."
    assert notes[-1] == f"menu: chose {chosen.id}"


def test_help_says_what_can_be_said_here_and_repeat_lists_again() -> None:
    chosen, voice, _, _ = menu_with([(30.0, "help"), (45.0, "repeat"), (90.0, "one")])
    n = len(ROUTINES)
    helped = next(i for i, line in enumerate(voice.lines) if line.startswith("Here you can"))
    assert "a number from one to four" in voice.lines[helped]
    assert "repeat" in voice.lines[helped] and "stop" in voice.lines[helped]
    listed = [i for i, line in enumerate(voice.lines) if line == f"There are {n} routines."]
    assert len(listed) == 2 and listed[1] > helped  # the list, read again
    assert chosen is ROUTINES[0]


def test_unknown_words_are_answered_and_numbers_beyond_the_list_are_not_taken() -> None:
    chosen, voice, notes, _ = menu_with([(30.0, "banana"), (40.0, "nine"), (50.0, "two")])
    sorry = [line for line in voice.lines if line.startswith("Sorry")]
    assert len(sorry) == 2 and chosen is ROUTINES[1]
    assert notes.count("menu: not understood") == 2


def test_silence_asks_once_more_then_waits_quietly_for_as_long_as_it_takes() -> None:
    chosen, voice, _, clock = menu_with([(3600.0, "three")])
    reprompts = [line for line in voice.lines if line.startswith("Which routine")]
    waits = [line for line in voice.lines if line.startswith("I will wait")]
    assert len(reprompts) == 1 and len(waits) == 1  # no nagging for the rest of the hour
    assert chosen is ROUTINES[2] and clock.now() == 3600.0


def test_a_kiosk_menu_nobody_answers_is_left_after_its_patience() -> None:
    times = MenuTimes(answer=5.0, reprompt=5.0, give_up=30.0)
    chosen, _, notes, clock = menu_with([], times)
    assert chosen is None and notes[-1] == "menu: nobody answered, left"
    assert clock.now() < 120.0


def test_stop_leaves_the_menu_at_once_and_nothing_starts() -> None:
    chosen, voice, notes, _ = menu_with([(2.0, "stop"), (30.0, "one")])
    assert chosen is None and voice.cuts == 1 and voice.lines[-1] == "Leaving the menu."
    assert notes == ["menu: left by stop"]


def test_input_that_ends_leaves_the_menu() -> None:
    chosen, _, notes, _ = menu_with([(1.0, "help")])
    assert chosen is None  # a script that has said all it will: once waiting, END
    assert notes == ["menu: help", "menu: input closed"]


def test_every_menu_phrase_means_one_thing_and_titles_reach_the_grammar() -> None:
    from assistant.recognizers.whisper_engine import prompt_words

    vocab = menu_vocabulary(ROUTINES)
    words = prompt_words(vocab)
    for key in ("swedish", "knot", "gentle", "classic", "one", "two", "help", "stop"):
        assert key in words
    assert len({p.words for p in vocab.phrases}) == len(vocab.phrases)


def test_real_people_saying_a_number_choose_it_through_the_real_recognizer() -> None:
    """Recorded digits from the shared corpus (two sets of speakers, ten takes of each of
    one to four), heard by Whisper with the menu's vocabulary (its prompt and parser built
    from the routines), then taken by the menu. A take may go unheard (the menu asks
    again); none may choose another routine. Measured: 24 or 25 of 36 chosen."""
    pytest.importorskip("faster_whisper")
    from assistant.recognizers import RecognizerError, open_recognizer, settled
    from assistant.recognizers.listener import Listener
    from tests.audiokit import corpus_clips, quiet

    vocab = menu_vocabulary(ROUTINES)
    try:
        recognizer = settled(open_recognizer(vocab, "whisper").recognizer)
    except RecognizerError as exc:
        pytest.skip(f"no Whisper model here: {exc}")
    right = wrong = total = 0
    for number, word in enumerate(["one", "two", "three", "four"], start=1):
        clips = corpus_clips(word, 400)
        takes = [c for c in clips if "fsdd" not in c[0].parts][:4]
        takes += [c for c in clips if "fsdd" in c[0].parts][::40][:6]
        assert len(takes) >= 8, f"too few recordings of {word!r}"
        for i, (_, pcm) in enumerate(takes):
            listener = Listener(recognizer, vocab)
            audio = np.concatenate([quiet(0.5, seed=i), pcm, quiet(1.0, seed=50 + i)])
            heard = []
            for start in range(0, len(audio), 512):
                heard += listener.feed(audio[start : start + 512])
            heard += listener.flush()
            said = [(20.0 + h.t, h.text) for h in heard if h.intent is not None]
            chosen, _, _, _ = menu_with(said)
            total += 1
            right += chosen is ROUTINES[number - 1]
            wrong += chosen is not None and chosen is not ROUTINES[number - 1]
    assert wrong == 0
    assert right >= 0.6 * total, f"{right} of {total} recorded numbers chose their routine"


@pytest.mark.parametrize(
    ("title", "routine_id"),
    [("gentle first massage", "gentle-first"), ("swedish back massage", "swedish-back")],
)
def test_a_spoken_title_chooses_its_routine_through_the_real_recognizer(
    title: str, routine_id: str
) -> None:
    """Titles said by espeak-ng's voices (real speech synthesis), heard by Whisper."""
    pytest.importorskip("faster_whisper")
    from assistant.recognizers import RecognizerError, open_recognizer, settled
    from assistant.recognizers.listener import Listener
    from assistant.simulation.voices import SPEAKERS, synthesize
    from tests.audiokit import need_espeak, quiet

    need_espeak()
    vocab = menu_vocabulary(ROUTINES)
    try:
        recognizer = settled(open_recognizer(vocab, "whisper").recognizer)
    except RecognizerError as exc:
        pytest.skip(f"no Whisper model here: {exc}")
    right = wrong = 0
    for i, speaker in enumerate(SPEAKERS):
        audio = np.concatenate([quiet(0.5, seed=i), synthesize(title, speaker), quiet(1.0)])
        listener = Listener(recognizer, vocab)
        heard = []
        for start in range(0, len(audio), 512):
            heard += listener.feed(audio[start : start + 512])
        heard += listener.flush()
        chosen, _, _, _ = menu_with([(20.0 + h.t, h.text) for h in heard if h.intent])
        right += chosen is not None and chosen.id == routine_id
        wrong += chosen is not None and chosen.id != routine_id
    assert wrong == 0 and right >= len(SPEAKERS) - 2, (right, wrong)


@pytest.mark.parametrize("asked", ["where are we", "how much longer"])
def test_where_are_we_in_the_menu_says_nothing_has_begun(asked: str) -> None:
    chosen, voice, notes, _ = menu_with([(30.0, asked), (60.0, "two")])
    assert chosen is ROUTINES[1]
    told = [line for line in voice.lines if line.startswith("We are in the start menu")]
    assert told == [load_menu_text("en").line("status", n="four")]
    assert "menu: where are we" in notes

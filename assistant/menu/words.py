"""What the start menu listens for: each routine's number and name, help, repeat, stop.

The menu has a vocabulary of its own, built from the routines on offer and the
locale's number words, so that the same :class:`~assistant.intents.Vocabulary`
feeds the text parser and every recognizer's grammar. Each routine gets an intent
of its own (``routine1``, ``routine2``...) whose first one-word phrase is a word of
its title found in no other title ("swedish", "knot"): grammar recognizers put each
intent's first one-word phrase in their grammar and Whisper in its prompt, so the
titles are heard, not only the numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from assistant.errors import Problem, VocabularyError
from assistant.intents import Phrase, Vocabulary, expand, load_vocabulary, normalize
from assistant.routine.model import Routine

__all__ = ["MenuText", "choice_number", "load_menu_text", "menu_vocabulary"]

#: Intents named so are single title words: heard, but no choice by themselves.
WORD = "word_"
#: The intents of the menu besides the routines' own.
COMMANDS = ("help", "repeat", "stop", "start", "next", "status")
#: Title words too common to name a routine by.
_PLAIN = frozenset({"a", "an", "the", "of", "and", "for", "back", "massage", "session"})


@dataclass(frozen=True)
class MenuText:
    """A locale's menu lines and word templates (``assistant/menu/<locale>.yaml``)."""

    locale: str
    lines: dict[str, str]
    words: dict[str, list[str]]
    sounds_like: dict[str, list[str]]

    def line(self, key: str, **values: object) -> str:
        return self.lines[key].format(**values)


@functools.cache
def load_menu_text(locale: str = "en") -> MenuText:
    """The menu's lines for ``locale``; English where the locale has none of its own."""
    name = f"{locale}.yaml"
    try:
        text = resources.files(__package__).joinpath(name).read_text("utf-8")
    except (FileNotFoundError, OSError):
        if locale != "en":
            return load_menu_text("en")
        raise VocabularyError([Problem(name, 0, "no menu text for English")]) from None
    try:
        data: Any = yaml.safe_load(text)
        lines = {str(k): str(v) for k, v in data["lines"].items()}
        words = {str(k): [str(w) for w in v] for k, v in data["words"].items()}
        alike = {str(k): [str(w) for w in v] for k, v in data.get("sounds_like", {}).items()}
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise VocabularyError([Problem(name, 0, f"broken menu text: {exc}")]) from exc
    return MenuText(locale, lines, words, alike)


def choice_number(intent_name: str) -> int | None:
    """``routine3`` -> 3; None for the menu's other intents."""
    if intent_name.startswith("routine") and intent_name[7:].isdigit():
        return int(intent_name[7:])
    return None


def key_word(routine: Routine, others: Sequence[Routine], base: Vocabulary) -> str | None:
    """The first word of the title that no other title has and that is no command."""
    taken = {w for r in others if r is not routine for w in normalize(r.title, base)}
    for word in normalize(routine.title, base):
        if word not in taken and word not in _PLAIN and (word,) not in base.index:
            return word
    return None


def menu_vocabulary(routines: Sequence[Routine], locale: str = "en") -> Vocabulary:
    """The menu's vocabulary for these routines, numbered from one in the order given.

    Every number word of the locale stays in it (Whisper's prompt lists them): with only
    the list's numbers, Whisper heard fewer recorded digits (20 of 36 against 25) and no
    more titles (19 of 36 either way).
    """
    base = load_vocabulary(locale)
    text = load_menu_text(locale)
    spoken = {v: w for w, v in base.numbers.items()}
    phrases: dict[tuple[str, ...], Phrase] = {}

    def add(words: tuple[str, ...], intent: str) -> None:
        if not words:
            return
        variants: list[tuple[str, ...]] = [()]  # each word, or what a recognizer may write
        for word in words:
            variants = [(*v, w) for v in variants for w in (word, *text.sounds_like.get(word, []))]
        for variant in variants:
            if variant not in phrases:  # the first meaning wins: commands come first
                phrases[variant] = Phrase(variant, intent)

    for intent in COMMANDS:
        for template in text.words.get(intent, []):
            for words in expand(template):
                add(words, intent)
    ordinals = text.words.get("ordinals", [])
    for i, routine in enumerate(routines, start=1):
        intent = f"routine{i}"
        key = key_word(routine, routines, base)
        if key is not None:
            add((key,), intent)
        number = spoken.get(i)
        if number is not None:
            add((number,), intent)
            for prefix in text.words.get("number_prefix", []):
                add((*normalize(prefix, base), number), intent)
        if i <= len(ordinals):
            add(("the", ordinals[i - 1], "one"), intent)
            add((ordinals[i - 1], "one"), intent)
        add(tuple(normalize(routine.title, base)), intent)
        add(tuple(normalize(routine.id.replace("-", " "), base)), intent)
        if key is not None:
            add((key, *normalize("massage", base)), intent)
    # every other title word as an intent of its own: Whisper's prompt lists each intent's
    # first one-word phrase, and a title it has been told about is heard (measured: "Gentle
    # first massage" in 4 of 4 espeak-ng voices with "first" and "massage" listed, 0 without)
    for routine in routines:
        for word in normalize(routine.title, base):
            if (word,) not in phrases:
                add((word,), f"{WORD}{word}")
    stop_words = frozenset(w for w in base.anywhere if w in phrases)
    return Vocabulary(
        locale=locale,
        phrases=tuple(phrases.values()),
        fillers=base.fillers,
        numbers=base.numbers,
        anywhere=stop_words,
        templates=tuple((p.intent, " ".join(p.words)) for p in phrases.values()),
    )

"""A locale's spoken vocabulary, expanded from its YAML templates.

One expansion feeds both the text parser and the recognizer grammar, so a phrase
the recognizer can emit is always a phrase the parser understands.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from assistant.errors import Problem, VocabularyError

__all__ = ["INTENT_NAMES", "Phrase", "Vocabulary", "expand", "load_vocabulary"]

#: Every intent the session understands; ``pain`` carries a value 0-10.
INTENT_NAMES = (
    "next",
    "back",
    "repeat",
    "lighter",
    "firmer",
    "slower",
    "faster",
    "speak_faster",
    "speak_slower",
    "louder",
    "quieter",
    "learn",
    "pause",
    "resume",
    "stop",
    "help",
    "status",
    "yes",
    "no",
    "ouch",
    "warning",
    "unsure",
    "pain",
)

_TOKEN = re.compile(r"\(|\)|\[|\]|\||\{n\}|[^\s()\[\]|{}]+")


def expand(template: str) -> list[tuple[str, ...]]:
    """Every word sequence a template allows: ``(a|b)``, ``[opt]``, ``{n}`` kept as a slot."""
    tokens = _TOKEN.findall(template)
    pos = 0

    def seq(stop: set[str]) -> list[tuple[str, ...]]:
        nonlocal pos
        out: list[tuple[str, ...]] = [()]
        while pos < len(tokens) and tokens[pos] not in stop:
            tok = tokens[pos]
            pos += 1
            if tok in "([":
                alts = group(")" if tok == "(" else "]")
                if tok == "[":
                    alts = [(), *alts]
                out = [a + b for a in out for b in alts]
            elif tok in ")]|":
                raise ValueError(f"unbalanced '{tok}' in {template!r}")
            else:
                out = [(*a, tok) for a in out]
        return out

    def group(close: str) -> list[tuple[str, ...]]:
        nonlocal pos
        alts: list[tuple[str, ...]] = []
        while True:
            alts.extend(seq({"|", close}))
            if pos >= len(tokens):
                raise ValueError(f"missing '{close}' in {template!r}")
            sep = tokens[pos]
            pos += 1
            if sep == close:
                return alts

    result = seq(set())
    if pos != len(tokens):  # pragma: no cover - seq consumes everything at top level
        raise ValueError(f"unbalanced template {template!r}")
    return [r for r in dict.fromkeys(result) if r]


@dataclass(frozen=True)
class Phrase:
    """One concrete word sequence and what it means."""

    words: tuple[str, ...]
    intent: str
    value: int | None = None


@dataclass(frozen=True)
class Vocabulary:
    """Every phrase of a locale, plus the words that may surround them."""

    locale: str
    phrases: tuple[Phrase, ...]
    fillers: frozenset[str]
    numbers: dict[str, int]
    anywhere: frozenset[tuple[str, ...]] = frozenset()  # stop phrases that win anywhere
    #: ``(intent, template)`` as written, ``{n}`` unfilled: a recognizer can build a compact
    #: grammar from these instead of listing thousands of expanded phrases.
    templates: tuple[tuple[str, str], ...] = ()
    #: stop phrases understood in typed text only, never put in the grammar: the English
    #: "stop" in every locale, which a locale's speech model may not have as a word
    typed: tuple[Phrase, ...] = ()
    #: phrases as a person writes them ("I can't breathe") that a recognizer biased by a
    #: text prompt should be told of beside the one-word commands: a decoder primed with
    #: single words wrote "My leg is." for "my leg is numb" (bench/README.md)
    cues: tuple[str, ...] = ()

    @functools.cached_property
    def index(self) -> dict[tuple[str, ...], Phrase]:
        return {p.words: p for p in (*self.typed, *self.phrases)}

    @functools.cached_property
    def longest(self) -> int:
        return max(len(p.words) for p in (*self.phrases, *self.typed))

    def words(self) -> list[str]:
        """Every word the recognizer must know, fillers included, sorted."""
        found = {w for p in self.phrases for w in p.words} | set(self.fillers)
        return sorted(found)

    def grammar(self) -> list[str]:
        """The recognizer grammar: every phrase as text, plus ``[unk]`` for anything else."""
        return [*sorted({" ".join(p.words) for p in self.phrases}), "[unk]"]

    def sentences(self, intent: str | None = None) -> Iterator[Phrase]:
        """Every phrase (of one intent, if given): the grammar and the round-trip test use it."""
        return (p for p in self.phrases if intent is None or p.intent == intent)


@functools.cache
def load_vocabulary(locale: str = "en") -> Vocabulary:
    """The vocabulary shipped for ``locale``; :class:`VocabularyError` if missing or broken."""
    name = f"{locale}.yaml"
    try:
        text = resources.files(__package__).joinpath(name).read_text("utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise VocabularyError([Problem(name, 0, f"no vocabulary for locale '{locale}'")]) from exc
    try:
        data = yaml.safe_load(text)
        return _build(data, name)
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise VocabularyError([Problem(name, 0, f"broken vocabulary: {exc}")]) from exc


def _build(data: dict[str, Any], name: str) -> Vocabulary:
    numbers = {str(k): int(v) for k, v in data["numbers"].items()}
    phrases: dict[tuple[str, ...], Phrase] = {}
    templates_seen: list[tuple[str, str]] = []

    def add(words: tuple[str, ...], intent: str, value: int | None) -> None:
        old = phrases.get(words)
        if old is not None and (old.intent, old.value) != (intent, value):
            raise ValueError(f"'{' '.join(words)}' means both {old.intent} and {intent}")
        phrases[words] = Phrase(words, intent, value)

    for intent, templates in data["intents"].items():
        if intent not in INTENT_NAMES or intent == "pain":
            raise ValueError(f"unknown intent '{intent}'")
        for template in templates:
            templates_seen.append((str(intent), str(template)))
            for words in expand(template):
                add(words, intent, None)
    for template in data["pain"]["templates"]:
        templates_seen.append(("pain", str(template)))
        for words in expand(template):
            slots = [i for i, w in enumerate(words) if w == "{n}"]
            for combo in itertools.product(numbers.items(), repeat=len(slots)):
                filled = list(words)
                for i, (word, _) in zip(slots, combo, strict=True):
                    filled[i] = word
                add(tuple(filled), "pain", max(v for _, v in combo))
    for value, templates in data["pain"].get("fixed", {}).items():
        for template in templates:
            templates_seen.append(("pain", str(template)))
            for words in expand(template):
                add(words, "pain", int(value))
    typed: dict[tuple[str, ...], Phrase] = {}
    for template in data.get("typed_stop", []):
        for words in expand(template):
            if words in phrases and phrases[words].intent != "stop":
                raise ValueError(f"typed stop '{' '.join(words)}' already means something else")
            typed[words] = Phrase(words, "stop", None)
    anywhere = frozenset(w for t in data.get("anywhere", []) for w in expand(t)) | set(typed)
    known = {**phrases, **typed}
    if any(known.get(w) is None or known[w].intent != "stop" for w in anywhere):
        raise ValueError("every 'anywhere' phrase must be a stop phrase")
    cues = tuple(str(c) for c in data.get("prompt", []))
    for cue in cues:
        words = tuple(cue.lower().replace("'", "").split())
        if words not in known:
            raise ValueError(f"prompt phrase '{cue}' is no phrase of the vocabulary")
    missing = set(INTENT_NAMES) - {p.intent for p in phrases.values()}
    if missing:
        raise ValueError(f"no phrases for {', '.join(sorted(missing))}")
    return Vocabulary(
        locale=str(data["locale"]),
        phrases=tuple(phrases.values()),
        fillers=frozenset(str(f) for f in data.get("fillers", [])),
        numbers=numbers,
        anywhere=anywhere,
        templates=tuple(templates_seen),
        typed=tuple(typed.values()),
        cues=cues,
    )

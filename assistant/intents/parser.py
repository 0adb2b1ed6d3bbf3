"""Text in, :class:`Intent` out: no I/O, never raises on what people say."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.intents.vocabulary import Phrase, Vocabulary, load_vocabulary

__all__ = ["MAX_CHARS", "Intent", "normalize", "parse"]


@dataclass(frozen=True)
class Intent:
    """What a person meant; ``value`` is the 0-10 reading for ``pain``."""

    name: str
    value: int | None = None


#: Longer text is no spoken command; it is only searched for "stop". Bounding it keeps a
#: pasted page or a runaway recognizer from holding up the commands behind it.
MAX_CHARS = 400
# the lookbehind starts a match only at the first digit of a run: without it, each of
# n digits is tried as a start and the scan is quadratic
_OUT_OF = re.compile(r"(?<!\d)(\d+)\s*/\s*10\b")
_NON_WORD = re.compile(r"[^\w\s]+")


def normalize(text: str, vocab: Vocabulary) -> list[str]:
    """Lower-case words without punctuation or apostrophes, digits spelled out."""
    text = text.lower().replace("’", "'").replace("'", "")
    text = _OUT_OF.sub(r"\1 out of ten", text)
    text = _NON_WORD.sub(" ", text)
    spelled = {str(v): w for w, v in vocab.numbers.items()}
    return [spelled.get(tok, tok) for tok in text.split()]


def parse(text: str, vocab: Vocabulary | None = None) -> Intent | None:
    """The one intent an utterance expresses, or None when unknown or ambiguous.

    Every phrase occurrence is found; "stop" anywhere wins (safety first). Otherwise
    an intent is taken when its occurrences plus filler words cover the whole
    utterance, so "okay next please" is next but "next week is busy" is nothing.
    """
    vocab = vocab or load_vocabulary("en")
    tokens = normalize(text, vocab)
    if len(text) > MAX_CHARS:  # not a command; but stop still wins, safety first
        return Intent("stop") if _has_stop(tokens, vocab) else None
    intent = _match(tokens, vocab)
    if intent is None:  # fillers inside a phrase: "it's a seven"
        intent = _match([t for t in tokens if t not in vocab.fillers], vocab)
    return intent


def _has_stop(tokens: list[str], vocab: Vocabulary) -> bool:
    """Whether a stop phrase that wins anywhere occurs in the tokens (linear in their number)."""
    lengths = {len(words) for words in vocab.anywhere}
    return any(
        tuple(tokens[i : i + n]) in vocab.anywhere for i in range(len(tokens)) for n in lengths
    )


def _match(tokens: list[str], vocab: Vocabulary) -> Intent | None:
    if not tokens:
        return None
    found: list[tuple[int, int, Phrase]] = []
    for start in range(len(tokens)):
        for end in range(start + 1, min(len(tokens), start + vocab.longest) + 1):
            phrase = vocab.index.get(tuple(tokens[start:end]))
            if phrase is not None:
                found.append((start, end, phrase))
    if any(p.words in vocab.anywhere for _, _, p in found):
        return Intent("stop")
    best: list[tuple[int, Intent]] = []
    for meaning in {(p.intent, p.value) for _, _, p in found}:
        spans = [(s, e) for s, e, p in found if (p.intent, p.value) == meaning]
        if _covers(tokens, spans, vocab):
            best.append((max(e - s for s, e in spans), Intent(*meaning)))
    if not best:
        return None
    best.sort(key=lambda item: item[0], reverse=True)
    if len(best) > 1 and best[0][0] == best[1][0]:
        return None  # two meanings fit equally well: safer to ask again
    return best[0][1]


def _covers(tokens: list[str], spans: list[tuple[int, int]], vocab: Vocabulary) -> bool:
    covered = [False] * len(tokens)
    # longest spans first, never overlapping, so "ow ow" counts once
    for s, e in sorted(spans, key=lambda sp: sp[0] - sp[1]):
        if not any(covered[s:e]):
            covered[s:e] = [True] * (e - s)
    return all(c or tok in vocab.fillers for c, tok in zip(covered, tokens, strict=True))

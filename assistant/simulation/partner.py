"""A simulated couple for demos: answers questions the way cooperative people would.

It listens to the session's events (it is an event sink) and replies after each
line has been said, through the same input path as a script.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from assistant.clock import VirtualClock
from assistant.events import Event
from assistant.events.kinds import Await, Said
from assistant.intents import Vocabulary
from assistant.narration.voice import estimate_seconds
from assistant.prompts import load_prompts
from assistant.runner import ScriptInput, Utterance

__all__ = ["SimulatedPartner"]


class SimulatedPartner(ScriptInput):
    """Says "no" to screening questions, "next" when asked, and pain readings in turn.

    ``extra`` utterances (for example a "lighter" at a given time) are mixed in.
    """

    def __init__(
        self,
        clock: VirtualClock,
        *,
        pain_answers: Iterable[int] = (8, 6, 5, 4, 3),
        delay: float = 1.5,
        duration: Callable[[str], float] = estimate_seconds,
        extra: Iterable[Utterance] = (),
        deliver: Callable[[Utterance], None] | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        super().__init__(clock, extra)
        # where replies go: this script by default, or a simulated room that speaks them
        self.deliver = deliver or self.add
        self.delay = delay
        self.duration = duration
        self._pain: Iterator[int] = _cycle_last(list(pain_answers))
        self._last_line_end = 0.0
        self._words = _replies(vocabulary)

    def emit(self, event: Event) -> None:
        """Event sink: note when lines end, and answer whatever the session waits for."""
        match event:
            case Said(text=text):
                self._last_line_end = event.t + self.duration(text)
            case Await(want=want):
                self._answer(event.t, want)

    def _answer(self, t: float, want: str) -> None:
        """Reply to what the session waits for, once its last line has been said."""
        if want == "pain":
            value = next(self._pain)
            reply = self._words.get(f"pain {value}") or _spoken_number(value)
        elif want == "person":  # the first name offered
            reply = self._words.get("pain 1") or "one"
        else:  # yes_no, next, or a command asked for by name (learner mode's practice)
            key = "no" if want == "yes_no" else want
            reply = self._words.get(key, key)
        self.deliver(Utterance(max(t, self._last_line_end) + self.delay, reply))


def _replies(vocabulary: Vocabulary | None) -> dict[str, str]:
    """What the couple says: English defaults, or the shortest phrases of another language."""
    if vocabulary is None or vocabulary.locale == "en":
        return {"no": "no", "next": "next"}
    shortest: dict[str, tuple[str, ...]] = {}
    for phrase in vocabulary.sentences():
        key = phrase.intent if phrase.value is None else f"{phrase.intent} {phrase.value}"
        if key not in shortest or len(phrase.words) < len(shortest[key]):
            shortest[key] = phrase.words
    words = {key: " ".join(w) for key, w in shortest.items()}
    prompts = load_prompts(vocabulary.locale)  # a locale may name the answers it hears best
    for key in ("no", "next"):
        if prompts.has(f"partner.{key}"):
            words[key] = prompts(f"partner.{key}")
    return words


def _cycle_last(values: list[int]) -> Iterator[int]:
    """The values in turn, then the last one for ever."""
    yield from values
    while True:
        yield values[-1] if values else 3


_NUMBER_WORDS = (
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
    "ten",
)


def _spoken_number(value: int) -> str:
    word = _NUMBER_WORDS[max(0, min(10, value))]
    return f"it's {'an' if word == 'eight' else 'a'} {word}"

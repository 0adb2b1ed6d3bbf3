"""Confirmed in the full window: a command one hearing half-heard, decoded once more in
Whisper's own 30 s window.

Real recordings of people and of a kitchen, through the real detector and models.
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant.audio.pcm import Pcm
from assistant.bench.snr import mix_at_snr
from assistant.intents import Intent, load_vocabulary, parse
from assistant.recognizers import whisper_engine
from assistant.recognizers.whisper_engine import (
    FULL_WINDOW,
    MAX_TOKENS,
    Decoded,
    WhisperRecognizer,
    proposals,
)
from tests.audiokit import corpus_clips, quiet, whisper_recognizer
from tests.test_denoise import kitchen_noise

VOCAB = load_vocabulary("en")
RATE = 16000


@pytest.fixture(autouse=True)
def _any_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """More hearings are asked on any processor here (a slow or busy one goes without
    them, by design, and one test sets those gates)."""
    monkeypatch.setattr(whisper_engine, "SECOND_OPINION_CPU", float("inf"))
    monkeypatch.setattr(whisper_engine, "CONFIRM_BUDGET", float("inf"))


def test_proposals_are_the_commands_a_hearing_wrote_at_the_looser_score() -> None:
    views = [
        Decoded("Open.", -2.24, 0.01),
        Decoded("Seven.", -1.52, 0.01),  # below the usual -1.3, above -1.6
        Decoded("That's it.", -0.69, 0.01),  # sure, but no command
        Decoded("I feel sick.", -0.5, 0.2),  # a warning: never proposed
        Decoded("Three.", -1.5, 0.7),  # Whisper heard no speech
        Decoded("Firmer.", -1.4, 0.01),  # more pressure is asked for plainly
    ]
    assert proposals(views, VOCAB) == {Intent("pain", 7)}
    assert proposals(views, VOCAB, min_logprob=-1.3) == set()
    assert proposals([], VOCAB) == set()


def _in_kitchen(word: str, name: str, snr: float, seed: int) -> Pcm:
    """A real person's ``word`` in the corpus's kitchen noise at ``snr`` dB."""
    clip = next((pcm for path, pcm in corpus_clips(word, 2000) if path.name == name), None)
    if clip is None:
        pytest.skip(f"{name} is not in the corpus")
    seg = np.concatenate([quiet(0.8, seed=1), clip, quiet(1.2, seed=2)])
    rng = np.random.default_rng(seed)
    mixed = mix_at_snr(seg, kitchen_noise(), snr, rng, at=int(0.8 * RATE), length=len(clip))
    return np.concatenate([quiet(0.5, seed=3), mixed])


def _fresh() -> tuple[WhisperRecognizer, list[float]]:
    """A recognizer with its second model open, and the windows its decodes use."""
    recognizer = whisper_recognizer(VOCAB)
    recognizer.finish_opening()
    windows: list[float] = []
    decode = recognizer.decoder.decode

    def spy(audio: np.ndarray, window: float = 0.0, tokens: int = MAX_TOKENS) -> Decoded:
        windows.append(window)
        return decode(audio, window, tokens)

    recognizer.decoder.decode = spy  # type: ignore[method-assign]
    return recognizer, windows


def _heard(recognizer: WhisperRecognizer, audio: Pcm) -> list[Intent]:
    out = []
    for i in range(0, len(audio), 512):
        out += recognizer.accept(audio[i : i + 512].tobytes())
    out += recognizer.flush()
    return [i for i in (parse(h.text, VOCAB) for h in out if h.text) if i is not None]


# A real "eight" at 12 dB that every 10 s hearing of both models rejects; one of them
# wrote "Eight." at a score too low to believe alone.
EIGHT = ("eight", "8_jackson_23.wav", 12.0, 4)


def test_a_word_half_heard_in_noise_is_confirmed_in_the_full_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    audio = _in_kitchen(*EIGHT)
    monkeypatch.setattr(whisper_engine, "CONFIRM", False)
    recognizer, windows = _fresh()
    assert _heard(recognizer, audio) == []
    assert FULL_WINDOW not in windows
    monkeypatch.setattr(whisper_engine, "CONFIRM", True)
    recognizer, windows = _fresh()
    assert _heard(recognizer, audio) == [Intent("pain", 8)]
    assert windows.count(FULL_WINDOW) == 1


def test_the_full_window_must_write_the_command_proposed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same word, with another command proposed in its place: the full window writes
    "eight", not that one, so nothing is taken (it confirms; it does not choose)."""
    monkeypatch.setattr(whisper_engine, "proposals", lambda views, vocabulary: {Intent("pain", 3)})
    recognizer, windows = _fresh()
    assert _heard(recognizer, _in_kitchen(*EIGHT)) == []
    assert FULL_WINDOW in windows


def test_nothing_proposed_costs_no_full_window_decode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real words that are not commands, and a short stretch of kitchen noise: rejected
    in every hearing, none of which wrote a command, so the full window is never
    decoded."""
    asked: list[set[Intent]] = []
    real = whisper_engine.proposals

    def recorded(hearings: list[Decoded], vocabulary: object) -> set[Intent]:
        asked.append(real(hearings, VOCAB))
        return asked[-1]

    monkeypatch.setattr(whisper_engine, "proposals", recorded)
    recognizer, windows = _fresh()
    others = [pcm for _, pcm in corpus_clips(None, 6, "oov_word")]
    assert others
    noise = kitchen_noise()[20 * RATE : 21 * RATE]
    for audio in [*others, noise]:
        assert _heard(recognizer, np.concatenate([quiet(0.5, seed=4), audio, quiet(1.2)])) == []
    assert asked and all(p == set() for p in asked)  # they reached it, and nothing was proposed
    assert FULL_WINDOW not in windows


@pytest.mark.parametrize("gate", ["SECOND_OPINION_CPU", "CONFIRM_BUDGET"])
def test_a_machine_too_slow_for_it_goes_without(gate: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a decode took longer than the budget (a Pi 4), or the word's other hearings
    already took what the end of an utterance may spend (the microphone's queue holds
    about a second, and a stop said next must not be dropped), no full-window decode,
    though a command is proposed."""
    monkeypatch.setattr(
        whisper_engine, "proposals", lambda hearings, vocabulary: {Intent("pain", 8)}
    )
    monkeypatch.setattr(whisper_engine, gate, 0.0)
    recognizer, windows = _fresh()
    assert _heard(recognizer, _in_kitchen(*EIGHT)) == []
    assert FULL_WINDOW not in windows
    monkeypatch.setattr(whisper_engine, gate, float("inf"))
    recognizer, windows = _fresh()
    assert _heard(recognizer, _in_kitchen(*EIGHT)) == [Intent("pain", 8)]
    assert FULL_WINDOW in windows

"""What the Whisper encoder is given: silence after the word, and the whole utterance.

Issue 14d traced 38 of the 91 real-people misses on the clean benchmark stream to how
an utterance reached the encoder: zeros appended to the log-mel spectrogram read as a
steady sound after the word, and an early look's decode of a word cut short served the
end of the utterance. The window is now padded with silence before the spectrogram,
and a look rejected early in an utterance is decoded again, whole, when it ends. These
tests run the real model on real recordings from the shared corpus (skipped where it
is absent).
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant.intents import load_vocabulary
from assistant.recognizers import RecognizerError

pytest.importorskip("faster_whisper")
from assistant.recognizers.whisper_engine import (
    RATE,
    Decoded,
    WhisperDecoder,
    WhisperRecognizer,
    judge,
    pad_audio,
)
from assistant.recognizers.whisper_model import find_whisper_model
from tests.audiokit import corpus_clips, quiet

VOCAB = load_vocabulary("en")


@pytest.fixture(scope="module")
def decoder() -> WhisperDecoder:
    try:
        return WhisperDecoder(find_whisper_model(None), VOCAB)
    except RecognizerError as exc:
        pytest.skip(f"no Whisper model here: {exc}")


def spread(word: str, n: int, category: str = "command") -> list[np.ndarray]:
    """``n`` recordings of ``word`` spread over the corpus (many speakers and sources)."""
    found = corpus_clips(word, 2000, category)
    picked = [found[(2 * i + 1) * len(found) // (2 * n)][1] for i in range(min(n, len(found)))]
    return [pcm.astype(np.float32) / 32768.0 for pcm in picked]


def test_padding_is_silence_up_to_the_window() -> None:
    audio = np.full(RATE, 0.5, np.float32)
    padded = pad_audio(audio, 10.0)
    assert len(padded) == 10 * RATE
    assert np.array_equal(padded[:RATE], audio)
    assert not padded[RATE:].any()
    longer = np.ones(12 * RATE, np.float32)
    assert pad_audio(longer, 10.0) is longer  # nothing cut, nothing added


def test_silence_after_a_word_does_not_change_what_is_heard(decoder: WhisperDecoder) -> None:
    """A word decoded alone and the same word followed by a second of digital silence
    give the same text: the window's padding is the same silence. (With zeros
    appended to the spectrogram instead, five of these eight clips changed.)"""
    clips = [pcm for word in ("four", "eight", "one", "no") for pcm in spread(word, 2)]
    differ = []
    for pcm in clips:
        alone = decoder.decode(pcm)
        after = decoder.decode(np.concatenate([pcm, np.zeros(RATE, np.float32)]))
        if alone.text != after.text or abs(alone.logprob - after.logprob) > 0.05:
            differ.append((alone, after))
    assert len(differ) <= 1, differ  # int8 arithmetic may tip one


def test_the_words_missed_most_are_heard_alone(decoder: WhisperDecoder) -> None:
    """eight, five, four and six were the words the full benchmark missed most; decoded
    one by one (spread over speakers and sources, 8 kHz FSDD included) most are heard,
    and hardly any as another command."""
    words = ("eight", "five", "four", "six")
    right = wrong = 0
    report = []
    for word in words:
        for pcm in spread(word, 6):
            text, intent = judge(decoder.decode(pcm), VOCAB)
            got = None if intent is None else intent.value
            right += got == VOCAB.numbers[word]
            wrong += got is not None and got != VOCAB.numbers[word]
            report.append((word, text))
    assert right >= 14, report  # of 24 (16 here)
    assert wrong <= 1, report


class _Spy:
    """The real decoder, with the length of every piece of audio it was given."""

    def __init__(self, decoder: WhisperDecoder) -> None:
        self.decoder = decoder
        self.seconds: list[float] = []

    def decode(self, audio: np.ndarray) -> Decoded:
        self.seconds.append(len(audio) / RATE)
        return self.decoder.decode(audio)


def _stream(decoder: WhisperDecoder, pcm: np.ndarray) -> tuple[list[float], list[str]]:
    spy = _Spy(decoder)
    recognizer = WhisperRecognizer(spy, VOCAB)  # type: ignore[arg-type]
    audio = np.concatenate([quiet(0.4), (pcm * 32768).astype(np.int16), quiet(1.1, seed=1)])
    texts = [h.text for h in recognizer.accept(audio.tobytes())]
    texts += [h.text for h in recognizer.flush()]
    return spy.seconds, texts


def test_a_rejected_look_is_decoded_again_whole_at_the_end(decoder: WhisperDecoder) -> None:
    """Words outside the vocabulary: every early look is rejected, so the end of the
    utterance decodes the whole cut again, tail included, rather than reuse the look."""
    for word in ("marvin", "sheila", "dog"):
        (pcm,) = spread(word, 1, "oov_word")
        seconds, texts = _stream(decoder, pcm)
        assert len(seconds) >= 2, (word, seconds)
        assert seconds[-1] > seconds[-2], (word, seconds)  # the whole cut, after the look
        assert len(texts) <= 1, texts  # one result for one utterance


def test_an_accepted_look_serves_the_end_of_the_utterance(decoder: WhisperDecoder) -> None:
    """A command heard at the look is not decoded again when the utterance ends."""
    for pcm in spread("yes", 3):
        seconds, texts = _stream(decoder, pcm)
        if texts != ["yes"]:
            continue  # a miss is measured elsewhere; here only what a hit costs
        solo = decoder.decode(pcm)
        assert judge(solo, VOCAB)[1] is not None
        assert len(seconds) == 1, seconds
        return
    pytest.fail("none of three real 'yes' recordings was heard")


def test_the_window_is_the_spectrogram_of_the_word_then_silence(decoder: WhisperDecoder) -> None:
    """Only half a second of silence is transformed; the rest of the window holds the
    value silence takes. It must equal the spectrogram of the whole padded window."""
    for pcm in [*spread("seven", 2), np.zeros(RATE // 2, np.float32), spread("no", 1)[0] * 1e-4]:
        whole = decoder.features(pad_audio(pcm, decoder.window))[:, : int(decoder.window * 100)]
        assert np.allclose(decoder.spectrogram(pcm), whole, atol=1e-5)

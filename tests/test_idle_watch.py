"""The watch over idle audio: words the voice detector never noticed, heard by a look.

Real recordings of people and of rooms, through the real detector and the real model.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from assistant.audio.pcm import Pcm, read_wav, to_float
from assistant.bench.snr import mix_at_snr
from assistant.intents import load_vocabulary
from assistant.recognizers import idle_watch, whisper_engine
from assistant.recognizers.idle_watch import IdleWatch, levels, word_ended
from assistant.recognizers.vad import CHUNK
from assistant.recognizers.whisper_engine import WhisperRecognizer
from tests.audiokit import CORPUS, quiet, spread_clips, whisper_recognizer
from tests.test_denoise import kitchen_noise, pcm

VOCAB = load_vocabulary("en")
RATE = 16000


def floats(x: Pcm) -> np.ndarray:
    return to_float(x).astype(np.float32)


def a_word() -> np.ndarray:
    """A real "five" between two stretches of a quiet room's hiss."""
    word = floats(spread_clips("five", 1)[0])
    return np.concatenate([floats(quiet(1.0, seed=1)), word, floats(quiet(0.6, seed=2))])


def test_a_finished_word_is_worth_a_look_and_one_still_said_is_not() -> None:
    """On a real word: the whole of it, with the quiet after, is worth a look; cut
    inside the word (still being said), it is not; nor is the hiss of a quiet room
    alone, nor digital silence."""
    audio = a_word()
    loud = int(np.argmax(levels(audio))) * CHUNK
    assert word_ended(audio)
    assert not word_ended(audio[: loud + CHUNK])
    assert not word_ended(floats(quiet(3.0, seed=3)))
    assert not word_ended(np.zeros(3 * RATE, np.float32))


@pytest.mark.parametrize("name", ["running_tap", "air_conditioner", "exercise_bike"])
def test_a_steady_noise_that_stops_is_not_a_word(name: str) -> None:
    """Real recordings of a steady noise that stops (then a room's hiss): its loud part
    lasts longer than any command, so it is not looked at; a real word laid in the same
    noise at 6 dB is."""
    path = CORPUS / "noise_felixchenfy" / f"{name}.wav"
    if not path.exists():
        pytest.skip(f"{path} not found")
    noise = read_wav(path)[2 * RATE : 5 * RATE]
    assert not word_ended(np.concatenate([floats(noise[: RATE * 2]), floats(quiet(0.5, seed=12))]))
    five = spread_clips("five", 1)[0]
    seg = np.concatenate([quiet(1.0, seed=13), five, quiet(0.6, seed=14)])
    rng = np.random.default_rng(0)
    noisy = mix_at_snr(seg, noise, 6.0, rng, at=RATE, length=len(five))
    assert word_ended(floats(noisy))


def test_the_watch_hands_out_the_last_seconds_each_hop_once_a_word_ended() -> None:
    """Chunks of a real word said 0.3 s in, then a room's hiss: no window while the word
    is under way or before a second is kept; then one every half second, each the last
    three seconds (or all there is), so the word is handed out for a few looks."""
    word = floats(spread_clips("five", 1)[0])
    audio = np.concatenate([floats(quiet(0.3, seed=11)), word, floats(quiet(3.0, seed=4))])
    watch = IdleWatch()
    handed = []
    for k in range(len(audio) // CHUNK):
        window = watch.push(audio[k * CHUNK : (k + 1) * CHUNK], 0.0)
        if window is not None:
            end = (k + 1) * CHUNK
            assert np.array_equal(window, audio[end - len(window) : end])
            handed.append((end, len(window)))
    assert len(handed) >= 2, handed
    hop = round(idle_watch.HOP * RATE / CHUNK) * CHUNK
    assert all((b - a) % hop == 0 for (a, _), (b, _) in itertools.pairwise(handed))
    assert handed[0][0] >= 0.3 * RATE + len(word) - CHUNK  # not while the word was said
    assert min(end for end, _ in handed) >= 0.99 * RATE
    longest = round(idle_watch.WINDOW * RATE / CHUNK) * CHUNK
    assert [n for _, n in handed] == [min(end, longest) for end, _ in handed]


def test_after_a_command_the_watch_rests_before_keeping_again() -> None:
    """After ``clear(rest=True)`` the next half second is let pass: the first window
    handed out afterwards starts where the rest ended (the tail of the heard word
    is not in it)."""
    audio = np.concatenate([a_word(), floats(quiet(1.0, seed=10))])
    watch = IdleWatch()
    watch.clear(rest=True)
    rest = round(idle_watch.REST * RATE / CHUNK)
    handed = None
    for k in range(len(audio) // CHUNK):
        window = watch.push(audio[k * CHUNK : (k + 1) * CHUNK], 0.0)
        if window is not None and handed is None:
            handed = (k + 1) * CHUNK - len(window)
    assert handed is not None and handed >= rest * CHUNK, handed


def test_no_look_while_the_detector_stirs() -> None:
    """The same real word, the detector's probability at 0.15 from its loudest moment
    on (speech it may yet cut): no window is handed out; at 0.05 one is."""
    audio = a_word()
    loudest = int(np.argmax(levels(audio)))
    for stirring, handed in ((0.15, False), (0.05, True)):
        watch = IdleWatch()
        windows = [
            watch.push(audio[k * CHUNK : (k + 1) * CHUNK], stirring if k >= loudest else 0.0)
            for k in range(len(audio) // CHUNK)
        ]
        assert any(w is not None for w in windows) == handed, stirring


def test_the_echo_gates_silence_starts_the_watch_afresh() -> None:
    """A real word, the echo gate's silence (the assistant speaking), the word again:
    the second is handed out for a look, and no window after the silence reaches back
    into it or before it."""
    word = a_word()
    gated = np.zeros(CHUNK * 10, np.float32)
    audio = np.concatenate([word, gated, word])
    resumed = len(word) + len(gated)
    watch = IdleWatch()
    after = []
    for k in range(len(audio) // CHUNK):
        window = watch.push(audio[k * CHUNK : (k + 1) * CHUNK], 0.0)
        if window is not None and (k + 1) * CHUNK > resumed:
            after.append((k + 1) * CHUNK - len(window))
    assert after, "the word after the gate's silence was never handed out"
    assert min(after) > resumed - CHUNK, after  # chunks need not meet the gate's edge


def hearing(recognizer: WhisperRecognizer, audio: Pcm) -> list[str]:
    got = []
    for i in range(0, len(audio), CHUNK):
        got += recognizer.accept(pcm(floats(audio[i : i + CHUNK])))
    got += recognizer.flush()
    return [h.text for h in got if h.text]


WORDS = ("four", "two", "nine", "five", "stop", "yes")


def words_in_noise(snr: float, per_word: int = 2) -> list[tuple[str, Pcm]]:
    """Real people's words, each with the quiet of a room around it (0.4 s before, 1.1 s
    after) and the corpus's recorded noise under all of it at ``snr``, as the bench
    mixes them."""
    noise = kitchen_noise()
    rng = np.random.default_rng(14)
    out = []
    for i, (word, clip) in enumerate((w, c) for w in WORDS for c in spread_clips(w, per_word)):
        seg = np.concatenate([quiet(0.4, seed=20 + i), clip, quiet(1.1, seed=40 + i)])
        out.append((word, mix_at_snr(seg, noise, snr, rng, at=6400, length=len(clip))))
    return out


@pytest.fixture(autouse=True)
def any_speed(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Looks on any machine (a busy CI runner may take longer than the limit), except in
    the test of the limit itself."""
    if "slow_machine" not in request.node.name:
        monkeypatch.setattr(whisper_engine, "SECOND_OPINION_CPU", 10.0)


def deaf_recognizer() -> WhisperRecognizer:
    """The real decoder and model behind a voice detector that never notices anyone
    (what Silero does, in loud noise, for some words: bench/README.md, "Issue 14q"),
    on a machine whose speed a decode has shown."""
    recognizer = WhisperRecognizer(whisper_recognizer(VOCAB).decoder, VOCAB, lambda _: 0.0)
    recognizer._decode_cpu_known = True
    return recognizer


def test_words_the_detector_never_noticed_are_heard_by_a_look(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Real people in recorded noise at 12 dB, the detector deaf to all of them: looks
    hear most, none wrongly, each once. Without the watch nothing is heard, nor decoded."""
    heard: dict[bool, list[list[str]]] = {}
    decodes = {}
    for watching in (False, True):
        monkeypatch.setattr(whisper_engine, "WATCH", watching)
        recognizer = deaf_recognizer()
        heard[watching] = [hearing(recognizer, audio) for _, audio in words_in_noise(12.0)]
        decodes[watching] = recognizer.decodes
    words = [w for w, _ in words_in_noise(12.0)]
    assert heard[False] == [[] for _ in words] and decodes[False] == 0, heard
    right = sum(h == [w] for h, w in zip(heard[True], words, strict=True))
    wrong = sum(bool(h) and h != [w] for h, w in zip(heard[True], words, strict=True))
    assert right >= len(words) - 3 and wrong == 0, heard


def test_recorded_noise_gets_looks_and_gives_no_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A minute of the corpus's recorded room noise (kitchen, rain, water...) after one
    real command: the watch looks at it, and nothing it hears is taken for a command."""
    recognizer = whisper_recognizer(VOCAB)
    looks = []
    look = recognizer._look_idle
    monkeypatch.setattr(recognizer, "_look_idle", lambda w: looks.append(len(w)) or look(w))
    yes = spread_clips("yes", 1)[0]
    noise = kitchen_noise()[: 60 * RATE]
    assert hearing(recognizer, np.concatenate([quiet(0.5), yes, quiet(1.5)])) == ["yes"]
    assert hearing(recognizer, noise) == []
    assert len(looks) >= 10, looks


def test_no_look_at_silence_nor_on_a_slow_machine() -> None:
    """The echo gate's silence is never looked at; and on a machine whose whole decode
    took longer than the second opinion allows (a Pi 4), no look is taken, so a stop
    never waits behind one; nor before a first decode has shown the machine's speed."""
    recognizer = whisper_recognizer(VOCAB)
    recognizer._decode_cpu_known = True
    assert hearing(recognizer, np.zeros(5 * RATE, np.int16)) == []
    assert recognizer.decodes == 0
    slow = whisper_recognizer(VOCAB)
    slow._decode_cpu_known, slow._decode_cpu = True, whisper_engine.SECOND_OPINION_CPU + 0.1
    assert not slow._may_watch()
    fresh = whisper_recognizer(VOCAB)
    assert not fresh._may_watch()
    fresh._decode_cpu_known = True
    assert fresh._may_watch()


def test_a_look_that_heard_a_command_forgets_what_was_kept_for_the_next() -> None:
    """After a look heard a command (a real "five"), what was kept for a look and for
    the next utterance's start is forgotten: neither hears the word again."""
    recognizer = whisper_recognizer(VOCAB)
    recognizer._decode_cpu_known = True
    assert hearing(recognizer, quiet(1.0, seed=8)) == []
    assert len(recognizer.cutter._before) > 0  # the pre-roll a cut would start with
    five = floats(spread_clips("five", 1)[0])
    window = np.concatenate([floats(quiet(1.0, seed=6)), five, floats(quiet(0.5, seed=7))])
    got = recognizer._look_idle(window)
    assert [h.text for h in got] == ["five"]
    assert got[0].start == pytest.approx(got[0].end - len(window) / RATE)  # for the echo check
    assert len(recognizer.watch._chunks) == 0
    assert len(recognizer.cutter._before) == 0


def test_the_tail_of_a_word_a_look_gave_is_not_reported_again() -> None:
    """The listener, after a look's "five" (a result with a start): the same command or
    nothing understood within 1.5 s is the detector's late cut of the word's tail, and
    dropped; another command passes, and so does "five" said again later. A look's
    result dropped as the narration's echo does not hide a person's next command."""
    from assistant.recognizers import Hypothesis
    from assistant.recognizers.listener import TWICE_SECONDS, Listener

    recognizer = whisper_recognizer(VOCAB)

    def said(text: str, at: float, start: float | None = None) -> Hypothesis:
        return Hypothesis(text, final=True, end=at, start=start)

    listener = Listener(recognizer, VOCAB)
    assert [h.text for h in listener._take([said("five", 3.0, start=0.5)])] == ["five"]
    tail = [said("five", 3.5), said("", 3.6), said("stop", 3.7)]
    assert [h.text for h in listener._take(tail)] == ["stop"]
    later = 3.0 + TWICE_SECONDS + 0.1
    assert [h.text for h in listener._take([said("five", later)])] == ["five"]

    def narration(a: int, b: int) -> set[str]:
        return {"slowly"} if a <= RATE < b else set()  # said at 1 s

    over = Listener(recognizer, VOCAB, narration=narration)
    assert over._take([said("five", 3.0, start=0.5)]) == []  # the look heard the echo
    assert [h.text for h in over._take([said("five", 3.5)])] == ["five"]


def test_a_slow_look_is_judged_again_by_the_next_decode() -> None:
    """A look that took longer than the limit (a busy moment) stops the looks until the
    next whole decode of a real word shows the machine fast again."""
    recognizer = whisper_recognizer(VOCAB)
    yes = np.concatenate([quiet(0.5), spread_clips("yes", 1)[0], quiet(1.5)])
    assert hearing(recognizer, yes) == ["yes"]
    assert recognizer._may_watch()
    recognizer._look_cpu = whisper_engine.SECOND_OPINION_CPU + 1.0
    assert not recognizer._may_watch()
    assert hearing(recognizer, yes) == ["yes"]
    assert recognizer._may_watch()

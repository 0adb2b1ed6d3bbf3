"""The real recognizer hearing people over the assistant's own voice, in a simulated room.

English goes through PocketSphinx (no English vosk model can be fetched here). The
narration is really rendered by pyttsx3, echoed into the simulated microphone and
cancelled by the real echo canceller; people are espeak-ng voices.
"""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile

from assistant.audio_setup import routine_lines, simulate_with_audio
from assistant.cli import main
from assistant.clock import Scheduler, VirtualClock
from assistant.echo import EchoCanceller
from assistant.events import EventLog
from assistant.intents import load_vocabulary
from assistant.listener import Heard, Listener
from assistant.mixer import Mixer
from assistant.pcm import RATE, to_float
from assistant.recognizers import open_recognizer
from assistant.room import Room
from assistant.routine_loader import load_routine
from assistant.runner import Utterance
from assistant.session import Session
from assistant.speech_synth import SPEAKERS, synthesize
from assistant.voice import SilentVoice
from tests.audiokit import corpus_clips, line_audio, need_espeak
from tests.test_session_rules import TINY

BLOCK = 512
VOCAB = load_vocabulary("en")


@pytest.fixture(scope="module")
def listener_factory():  # type: ignore[no-untyped-def]
    need_espeak()

    def make(mixer: Mixer | None = None) -> Listener:
        opened = open_recognizer(VOCAB, "pocketsphinx")
        return Listener(opened.recognizer, VOCAB, narration=mixer.words_between if mixer else None)

    return make


def _feed(listener: Listener, pcm: np.ndarray) -> list[Heard]:
    found: list[Heard] = []
    for i in range(0, len(pcm), BLOCK):
        found += listener.feed(pcm[i : i + BLOCK])
    return found + listener.flush()


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.int16)


def test_stop_acts_on_partial_results_before_the_utterance_is_over(listener_factory) -> None:  # type: ignore[no-untyped-def]
    for speaker in SPEAKERS[:4]:
        word = synthesize("stop", speaker)
        pcm = np.concatenate([_silence(0.5), word, _silence(1.5)])
        listener = listener_factory()
        found = _feed(listener, pcm)
        stops = [h for h in found if h.intent and h.intent.name == "stop"]
        assert len(stops) == 1, (speaker, found)  # once, not again from the final result
        spoken_end = (0.5 * RATE + len(word)) / RATE
        assert stops[0].t - spoken_end < 0.5, (speaker, stops[0].t - spoken_end)


def test_commands_and_pain_numbers_from_a_recording(listener_factory) -> None:  # type: ignore[no-untyped-def]
    said = [
        ("next", "next", None),
        ("its about a seven", "pain", 7),
        ("lighter please", "lighter", None),
    ]
    parts = [_silence(0.5)]
    for text, _, _ in said:
        parts += [synthesize(text, SPEAKERS[2]), _silence(1.2)]
    found = _feed(listener_factory(), np.concatenate(parts))
    got = [(h.intent.name, h.intent.value) for h in found if h.intent]
    assert got == [(name, value) for _, name, value in said]


def test_the_whole_narration_echoed_triggers_nothing_but_stop_over_it_is_caught(
    listener_factory,  # type: ignore[no-untyped-def]
) -> None:
    """Every line of a routine plays into the room; a person says stop mid-sentence."""
    routine = load_routine("gentle-first")
    session = Session(
        routine, scheduler=Scheduler(VirtualClock()), voice=SilentVoice(), log=EventLog()
    )
    lines = line_audio()
    texts = routine_lines(session)
    mixer = Mixer()
    for text in texts:
        mixer.say(text, lines.get(text))
    total = sum(len(lines.get(t)) for t in texts)
    room = Room()
    stop_at = total * 2 // 3 / RATE  # some sentence, two thirds of the way through
    spoken = synthesize("stop", SPEAKERS[1])
    room.say(stop_at, spoken)
    echo = EchoCanceller()
    listener = listener_factory(mixer)
    found: list[Heard] = []
    for _ in range(0, total + RATE, BLOCK):
        played, _ = mixer.read(BLOCK)
        found += listener.feed(echo.process(room.mic(played), played))
    found += listener.flush()
    commands = [(round(h.t, 2), h.text) for h in found if h.intent]
    assert len(commands) == 1 and found[0].intent is not None, commands
    assert found[0].intent.name == "stop"
    assert 0 < found[0].t - (stop_at + len(spoken) / RATE) < 1.0
    assert mixer.words_between(int(stop_at * RATE), int(stop_at * RATE) + RATE), "mid-sentence"
    lines.close()


def test_in_a_session_stop_mid_sentence_silences_the_voice_within_one_block(tmp_path: Path) -> None:
    need_espeak()
    routine_file = tmp_path / "tiny.yaml"
    routine_file.write_text(TINY)
    routine = load_routine(str(routine_file))
    log = EventLog()
    # "no" to the safety question, "next" after the set-up list, then stop mid-instruction
    probe = simulate_with_audio(
        routine, EventLog(), script=[Utterance(6.0, "no"), Utterance(14.0, "next")],
        engine="pocketsphinx", record=False,
    )  # fmt: skip
    instruction = next(
        e for e in probe.session.log.events if e.type == "say" and e.data["kind"] == "instruction"
    )
    stop_at = instruction.t + 1.0
    run = simulate_with_audio(
        routine, log, engine="pocketsphinx", record=True,
        script=[Utterance(6.0, "no"), Utterance(14.0, "next"), Utterance(stop_at, "stop")],
    )  # fmt: skip
    assert run.outcome in ("stopped", "ended")
    decided = next(e for e in log.events if e.type == "intent" and e.data["name"] == "stop")
    assert next(e for e in log.events if e.type == "cut").t == decided.t
    voice = run.source.recording("narration")
    first_block_after = (int(decided.t * RATE) // BLOCK + 1) * BLOCK
    assert voice[first_block_after - 2 * BLOCK : first_block_after - BLOCK].any(), "mid-word"
    next_line = next(e.t for e in log.events if e.type == "say" and e.t > decided.t)
    quiet = voice[first_block_after : int(next_line * RATE)]
    assert len(quiet) > 0 and not quiet.any()


def test_listen_reads_any_wav_and_prints_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    need_espeak()
    pcm = np.concatenate([_silence(0.4), synthesize("next", SPEAKERS[0]), _silence(1.0),
                          synthesize("eight", SPEAKERS[3]), _silence(1.0)])  # fmt: skip
    # 44.1 kHz, stereo, 32-bit float: nothing like what the recognizer wants
    import soxr

    stereo = np.stack([to_float(pcm)] * 2, axis=1)
    wav = tmp_path / "odd.wav"
    soundfile.write(wav, soxr.resample(stereo, RATE, 44100), 44100, subtype="FLOAT")
    assert main(["listen", "--wav", str(wav), "--engine", "pocketsphinx"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["name"], r.get("value")) for r in records] == [("next", None), ("pain", 8)]
    assert 0.4 < records[0]["t"] < records[1]["t"] < len(pcm) / RATE + 0.1


def test_listen_on_a_real_8khz_recording(capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = corpus_clips("seven", 1)[0]
    assert main(["listen", "--wav", str(path), "--engine", "pocketsphinx"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["name"], r.get("value")) for r in records] == [("pain", 7)]


def test_demo_completes_without_a_sound_card_and_writes_both_signals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    need_espeak()
    routine_file = tmp_path / "tiny.yaml"
    routine_file.write_text(TINY)
    out = tmp_path / "demo"
    assert main(["demo", str(routine_file), "--out", str(out), "--engine", "pocketsphinx"]) == 0
    err = capsys.readouterr().err
    assert "outcome: finished" in err
    lengths = []
    for name in ("narration.wav", "microphone.wav"):
        with wave.open(str(out / name)) as w:
            assert w.getframerate() == RATE and w.getnchannels() == 1
            lengths.append(w.getnframes())
    assert lengths[0] == lengths[1] > 60 * RATE

"""The benchmark's own parts: noise mixing, labelled sets, measurement and verdicts.

`massage-assistant bench --quick` itself runs in CI (.ci/run); these tests check that
the instruments measure what they claim, on real recordings and the real recognizer.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

import numpy as np
import pytest

from assistant.audio.pcm import to_float
from assistant.bench.measure import BLOCK_SECONDS, effect_time, run_clips, stop_over_narration
from assistant.bench.report import markdown, targets
from assistant.bench.run import _crossings, _machine, vector_extensions
from assistant.bench.sets import (
    CHAT,
    WARNING_PHRASES,
    Clip,
    contains_command,
    spread,
    synthesized_commands,
)
from assistant.bench.snr import loudest_frame_energy, mix_at_snr
from assistant.bench.systems import Found, available_systems
from assistant.intents import Intent, load_vocabulary
from assistant.simulation.voices import SPEAKERS, synthesize
from tests.audiokit import corpus_clips, line_audio, need_espeak, recognized_clips

VOCAB = load_vocabulary("en")


@pytest.fixture(scope="module")
def ours():  # type: ignore[no-untyped-def]
    return next(s for s in available_systems("en")[0] if s.name == "ours")


def test_mixing_hits_the_loudest_frame_snr_on_real_noise() -> None:
    speech = (corpus_clips("stop", 1)[0][1] // 8).astype(np.int16)  # room to mix without clipping
    noise = np.concatenate([pcm for _, pcm in corpus_clips("NOISE:rain", 1, "noise")])
    lead = 4000
    padded = np.concatenate([np.zeros(lead, np.int16), speech, np.zeros(8000, np.int16)])
    for snr in (24, 12, 6):
        mixed = mix_at_snr(
            padded, noise, snr, np.random.default_rng(snr), at=lead, length=len(speech)
        )
        added = to_float(mixed).astype(np.float64) - to_float(padded)
        words = to_float(speech).astype(np.float64)
        measured = 10 * np.log10(
            loudest_frame_energy(words) / loudest_frame_energy(added[lead : lead + len(words)])
        )
        assert measured == pytest.approx(snr, abs=0.2)


def test_chat_lines_hold_no_command_and_hidden_commands_are_found() -> None:
    assert not any(contains_command(line, VOCAB) for line in CHAT)
    assert contains_command("god bless them i hope ill go on seeing them", VOCAB)  # "go on"
    assert contains_command("fifty six thirty two", VOCAB)  # numbers are pain answers
    assert spread(list(range(10)), 3) == [0, 3, 6]


def test_stop_takes_effect_at_the_first_output_block_after_processing() -> None:
    stop, other = Found(1.0, "stop", Intent("stop")), Found(1.0, "next", Intent("next"))
    assert effect_time(stop, 0.001) == pytest.approx(1.0 + BLOCK_SECONDS)
    assert effect_time(stop, 1.5 * BLOCK_SECONDS) == pytest.approx(1.0 + 2 * BLOCK_SECONDS)
    assert effect_time(other, 0.05) == pytest.approx(1.05)


def test_a_clip_stream_is_scored_clip_by_clip(ours) -> None:  # type: ignore[no-untyped-def]
    need_espeak()
    stops = recognized_clips("stop", 2, lambda: ours.open(None).listener)
    chat = synthesize(CHAT[0], SPEAKERS[0])
    clips = [
        Clip(stops[0], "stop", Intent("stop"), "a"),
        Clip(np.zeros(8000, np.int16), "", None, "silence"),
        Clip(stops[1], "stop", Intent("stop"), "b"),
        Clip(chat, CHAT[0], None, "chat"),
    ]
    outcomes, usage = run_clips(ours, clips)
    assert [o.origin for o in outcomes] == ["a", "silence", "b", "chat"]
    assert outcomes[0].got == outcomes[2].got == Intent("stop")
    assert outcomes[1].got is None
    for o in (outcomes[0], outcomes[2]):  # audio time within 0.6 s, plus the compute
        assert o.latency is not None and 0 < o.latency < 0.6 + usage.compute
    assert usage.audio == pytest.approx(sum(len(c.pcm) / 16000 + 1.5 for c in clips))
    assert usage.compute > 0 and usage.wall > 0  # how fast is the bench's to say, not CI's


def test_stop_over_narration_measures_until_the_voice_is_silent(ours) -> None:  # type: ignore[no-untyped-def]
    need_espeak()
    lines = line_audio()
    text = (
        "Glide both hands slowly down the back, keeping the whole palm on the skin, and "
        "sweep them out over the hips before coming back up along the sides of the body."
    )
    stops = recognized_clips("stop", 4, lambda: ours.open(None).listener)
    latencies, usage = stop_over_narration(
        ours, [(text, lines.get(text))], [Clip(s, "stop", Intent("stop"), "x") for s in stops]
    )
    lines.close()
    caught = [t for t in latencies if t is not None]
    assert caught, latencies  # the echo gate loses some stops said under loud narration
    # audio time + compute; a stop may act a little before the word's last loud sample:
    # the early look comes at the closure before the final "p" is released
    assert all(-0.15 < t < 0.8 + usage.compute for t in caught), caught


def test_synthesized_set_is_labelled_by_the_parser() -> None:
    need_espeak()
    clips = synthesized_commands(VOCAB, ("next", "its about a six"), SPEAKERS[:2])
    assert [(c.said, c.expected) for c in clips] == [
        ("next", Intent("next")),
        ("next", Intent("next")),
        ("its about a six", Intent("pain", 6)),
        ("its about a six", Intent("pain", 6)),
    ]
    with pytest.raises(ValueError, match="not a command"):
        synthesized_commands(VOCAB, ("the weather is nice",), SPEAKERS[:1])


def test_every_warning_phrase_is_a_warning_and_crossings_are_counted() -> None:
    from assistant.intents import parse

    assert {parse(p, VOCAB) for p in WARNING_PHRASES} == {Intent("warning")}
    warn = [["im dizzy", "warning", "warning"], ["i feel sick", "warning", "5"],
            ["sharp pain", "warning", "-"]]  # fmt: skip
    assert _crossings("warning", warn) == {"warnings": 3, "warning_as_command": 1}
    cmds = [["next", "next", "warning"], ["stop", "stop", "stop"], ["no", "no", "-"]]
    assert _crossings("real", cmds) == {"commands": 3, "command_as_warning": 1}


def test_the_echo_tasks_run_in_both_rooms_and_slowed_down_in_the_full_run() -> None:
    from assistant.bench.plan import FULL, QUICK
    from assistant.bench.work import NARRATION_SETS
    from assistant.simulation.room import LIVELY_ROOM

    def echo_sets(plan: Any, system: str) -> set[tuple[str, str]]:
        tasks = plan.tasks([(system, "en")])
        return {(t.kind, t.set) for t in tasks if t.kind in ("echo", "stop_latency")}

    both = {(k, s) for k in ("echo", "stop_latency") for s in ("narration", "narration-lively")}
    assert echo_sets(QUICK, "ours") == both
    assert echo_sets(FULL, "ours") == both | {("echo", "narration-slower")}
    assert echo_sets(FULL, "ours-noduck") == {("echo", "narration"), ("stop_latency", "narration")}
    assert NARRATION_SETS["narration-lively"] == (LIVELY_ROOM, None)
    assert NARRATION_SETS["narration-slower"][1] == 140  # two "speak slower" from 200


def test_targets_say_which_are_met_and_by_how_much() -> None:
    results = {
        "date": "2026-11-21", "mode": "quick", "seconds": 1,
        "machine": {"cpu": "x", "cores": 2, "system": "Linux", "python": "3"},
        "accuracy": {"ours": {"real": {"clean": {"rate": 0.99, "right": 99, "total": 100},
                                       "12 dB": {"rate": 0.5, "right": 50, "total": 100}}}},
        "false_accepts": {"ours": {
            "noise": {"audio_hours": 2.0, "commands": 1, "stops": 0, "per_hour": 0.5,
                      "stop_per_hour": 0.0, "rejected": 1.0},
            "narration": {"audio_hours": 1.0, "commands": 0, "stops": 1, "per_hour": 0.0,
                          "stop_per_hour": 1.0},
            "narration-lively": {"audio_hours": 1.0, "commands": 2, "stops": 1,
                                 "per_hour": 2.0, "stop_per_hour": 1.0}}},
        "latency": {"ours": {"stop_over_narration": {"p50": 0.2, "p95": 0.7, "caught": 5,
                                                     "said": 6}}},
        "real_time_factor": {"ours": 0.05}, "confusion": {}, "notes": [],
        "startup": {"peak_memory_mb": 450.0, "first_word_s": 0.5},
    }  # fmt: skip
    verdict = {t["target"]: t for t in targets(results)}
    assert verdict["accuracy, real people, clean (%)"]["met"] is True
    assert verdict["accuracy, real people, 12 dB (%)"]["by"] == "short by 35 pts"
    assert verdict["accuracy, real people, 6 dB (%)"]["met"] is None  # not measured
    assert verdict["false commands per hour of noise"]["met"] is True
    assert verdict["false stops per hour (noise, talk, narration)"]["value"] == 0.5  # 2 in 4 h
    own = verdict["commands from own narration (count, every room and rate)"]
    assert own["value"] == 2 and own["met"] is False  # the lively room's count counts too
    assert verdict["stop latency p95 (s)"]["met"] is False
    assert verdict["stops over narration caught (%)"]["value"] == 83.3  # 5 of 6
    assert verdict["peak memory (MB)"]["by"] == "short by 50 MB"
    results["targets"] = list(verdict.values())
    table = markdown(results)
    assert "| peak memory (MB) | 450 | **no** short by 50 MB |" in table
    assert "| ours | real | 99.0% (99/100) |" in table


def test_each_run_records_the_vector_extensions_and_library_versions_it_ran_with() -> None:
    """The figures move with int8 kernels: a report says what produced them."""
    machine = _machine()
    assert machine["libraries"]["ctranslate2"] == importlib.metadata.version("ctranslate2")
    assert machine["libraries"]["onnxruntime"] == importlib.metadata.version("onnxruntime")
    results = {
        "date": "2026-12-03", "mode": "quick", "seconds": 1, "machine": machine,
        "targets": [], "accuracy": {}, "false_accepts": {}, "latency": {},
        "real_time_factor": {}, "confusion": {}, "notes": [], "startup": {},
    }  # fmt: skip
    head = markdown(results).splitlines()[1]
    assert head.startswith(f"Vector extensions: {machine['vector']}. Libraries: ctranslate2 ")


@pytest.mark.parametrize(
    ("cpuinfo", "vector"),
    [
        ("processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma avx512_vnni ht\nflags : avx\n",
         "avx avx2 avx512_vnni fma"),
        ("processor\t: 0\nFeatures\t: fp asimd evtstrm crc32 cpuid asimddp\n",
         "asimd asimddp"),  # part of a Cortex-A76 line (Pi 5); a Pi 4 lists asimd alone
        ("flags\t\t: fpu sse2\n", "none"),
        ("", "unknown"),
    ],
)  # fmt: skip
def test_vector_extensions_are_read_from_x86_flags_and_arm_features(
    cpuinfo: str, vector: str
) -> None:
    assert vector_extensions(cpuinfo) == vector

"""The commands about sound and speech: a recording's commands (listen), the sound devices,
the speech models, the earcon tour and the benchmark. Each imports its parts when it runs,
so the rest of the command line starts without them."""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path

from assistant.audio.devices import probe_devices
from assistant.errors import AssistantError

__all__ = [
    "cmd_bench",
    "cmd_devices",
    "cmd_listen",
    "cmd_models",
    "cmd_sounds",
    "device_choice",
]


def cmd_listen(args: argparse.Namespace) -> int:
    from assistant.audio.wiring import listen_to_file

    model = Path(args.model) if args.model else None
    for record in listen_to_file(Path(args.wav), args.engine, args.lang, model):
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    from assistant.audio.devices import list_devices

    report = probe_devices()
    rows = list_devices()
    if not rows:
        print(f"No audio devices: {report.describe()}")
        return 1
    for row in rows:
        print(row)
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from assistant.recognizers.second_model import find_second_model, pull_second_model
    from assistant.recognizers.vosk_model import find_model, pull_model
    from assistant.recognizers.whisper_model import find_whisper_model, pull_whisper_model

    if args.action == "pull":
        pulls = {"whisper": pull_whisper_model, "whisper-base": pull_second_model}
        path = pulls[args.lang]() if args.lang in pulls else pull_model(args.lang)
        print(f"model ready in {path}")
        return 0
    status = 0
    if args.lang in ("en", "whisper", "whisper-base"):
        try:
            print(f"whisper (en): {find_whisper_model()}")
        except AssistantError as exc:
            print(f"whisper (en): {exc}")
            status = 1
        second, note = find_second_model()
        print(f"whisper-base (en, second opinion): {second or note or 'off'}")
        if args.lang != "en":
            return status
    try:
        print(f"vosk ({args.lang}): {find_model(args.lang)}")
    except AssistantError as exc:
        print(f"vosk ({args.lang}): {exc}")
        if args.lang != "en":
            print(f"{args.lang}: nothing can listen in this language until a model is pulled")
            return 1
        # open_recognizer falls back the same way: English is heard without vosk too
        if status == 0:
            print("en: sessions will listen with Whisper (vosk is not needed)")
            return 0
        if importlib.util.find_spec("pocketsphinx") is None:
            print("en: nothing can listen until a model is pulled ('models pull whisper')")
            return 1
        print(
            "en: sessions will listen with PocketSphinx instead "
            "('models pull whisper' gets the Whisper model, which hears far better)"
        )
        return 0
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from assistant.bench.run import run_bench

    out = Path(args.out)
    only = set(args.systems.split(",")) if args.systems else None
    corpus = Path(args.corpus) if args.corpus else None
    results = run_bench(args.quick, out, corpus, only=only)
    print((out / "results.md").read_text(encoding="utf-8"))
    print(f"written: {out / 'results.json'}, {out / 'results.md'}")
    missed = [t["target"] for t in results["targets"] if t["met"] is False]
    if missed:
        print(f"targets missed ({len(missed)}): {'; '.join(missed)}")
    return 0


def device_choice(value: str | None) -> int | str | None:
    """A device index when the value is a number, else a part of its name."""
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def cmd_sounds(args: argparse.Namespace) -> int:
    """The earcon tour: each sound named by the narrator's voice, then played (or written)."""
    from assistant.audio.speaker import LineAudio
    from assistant.narration.render import NarrationSettings, Pyttsx3Renderer
    from assistant.subcommands.sounds import tour_audio, write_tour

    renderer = Pyttsx3Renderer(NarrationSettings(rate=args.rate, voice=args.voice))
    try:
        items = tour_audio(LineAudio(renderer).get)
    finally:
        renderer.close()
    if args.out:
        paths = write_tour(items, Path(args.out))
        print(f"Wrote {len(paths)} WAV files to {args.out} (tour.wav is the whole tour).")
        return 0
    import numpy as np

    from assistant.audio.live import play_pcm

    for item in items:
        print(f"{item.name:<11} {item.words}")
    play_pcm(np.concatenate([i.audio for i in items]), device_choice(args.output))
    return 0

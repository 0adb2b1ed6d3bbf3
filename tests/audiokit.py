"""Shared helpers for audio tests: real narration audio, the shared corpus, levels."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import SpeechEngineError
from assistant.narration import Pyttsx3Renderer
from assistant.pcm import Pcm, read_wav, to_float
from assistant.speaker import LineAudio

#: The team's shared recordings, beside the checkout; tests skip when it is absent.
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def need_espeak() -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")


def line_audio(locale: str = "en") -> LineAudio:
    """Real pyttsx3 narration, or a skip when the engine cannot start here."""
    lines = LineAudio(Pyttsx3Renderer(locale=locale))
    try:
        lines.get("test")
    except SpeechEngineError as exc:  # pragma: no cover - espeak-ng missing
        pytest.skip(f"speech engine unavailable: {exc}")
    return lines


def level_db(x: Pcm) -> float:
    """Mean power in dB relative to full scale (-120 for digital silence)."""
    if not len(x):
        return -120.0
    return float(10 * np.log10(np.mean(to_float(x) ** 2) + 1e-12))


def corpus_clips(word: str, limit: int, category: str = "command") -> list[tuple[Path, Pcm]]:
    """The first ``limit`` recordings of ``word`` (sorted by path), as 16 kHz samples."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    with manifest.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["category"] == category]
    paths = sorted(CORPUS / r["path"] for r in rows if r["transcript"] == word)[:limit]
    return [(p, read_wav(p)) for p in paths]

"""What one utterance costs the Whisper engine on one core, with each encoder window.

The real-time factor spreads the cost over the silence between commands; a Raspberry
Pi's question is how long one utterance takes to decode. Real recordings, padded with
room tone to 2.5 s (a command and its pauses), are decoded one at a time on one thread
with the encoder window the engine uses and with Whisper's stock 30 s.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.audio.pcm import RATE
from assistant.bench.corpus import Corpus, find_corpus
from assistant.bench.sets import spread
from assistant.intents import load_vocabulary

__all__ = ["utterance_cost"]

WORDS = ("stop", "yes", "no", "three", "seven")


def utterance_cost(count: int, corpus: Path | None = None) -> dict[str, Any]:
    """Seconds per decode of ``count`` real 2.5 s utterances, per encoder window."""
    from assistant.recognizers import RecognizerError
    from assistant.recognizers.whisper_engine import WINDOW, WhisperDecoder
    from assistant.recognizers.whisper_model import find_whisper_model

    root = find_corpus(corpus)
    if root is None:
        return {"note": "no corpus: utterance cost not measured"}
    try:
        path = find_whisper_model()
    except RecognizerError as exc:
        return {"note": f"no Whisper model: {exc}"}
    vocab = load_vocabulary("en")
    recs = [r for w in WORDS for r in spread(Corpus(root).select("command", {w}), count)][:count]
    rng = np.random.default_rng(0)
    clips = []
    for r in recs:
        pcm = r.audio()[: int(2.3 * RATE)].astype(np.float32) / 32768
        pad = int(2.5 * RATE) - len(pcm)
        lead = rng.standard_normal(int(0.2 * RATE)).astype(np.float32) * 20 / 32768
        tail = rng.standard_normal(max(0, pad - len(lead))).astype(np.float32) * 20 / 32768
        clips.append(np.concatenate([lead, pcm, tail]))
    out: dict[str, Any] = {"clips": len(clips), "audio_s": 2.5}
    for window in (WINDOW, 30.0):
        decoder = WhisperDecoder(path, vocab, window=window)
        decoder.decode(clips[0])  # the first call allocates
        times = []
        for clip in clips:
            t0 = time.perf_counter()
            decoder.decode(clip)
            times.append(time.perf_counter() - t0)
        out[f"window_{window:g}s"] = {
            "mean": round(float(np.mean(times)), 3),
            "p95": round(float(np.percentile(times, 95)), 3),
        }
    return out

"""The team's shared recordings (``../shared/corpus``), read through their manifest.

The corpus is never copied into the project: it is found beside the checkout, or
wherever ``$MASSAGE_CORPUS`` points, and everything that uses it skips cleanly
when it is absent.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from assistant.audio.pcm import Pcm, read_wav

__all__ = ["CORPUS_ENV", "Corpus", "Recording", "find_corpus"]

CORPUS_ENV = "MASSAGE_CORPUS"
#: ``<checkout>/../shared/corpus``: where the team keeps it.
BESIDE_CHECKOUT = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@dataclass(frozen=True)
class Recording:
    """One manifest row: a file of real speech or noise, and what it holds."""

    path: Path
    transcript: str
    speaker: str
    category: str  # command, oov_word, phrase, phrase_unverified, noise
    source: str  # the corpus folder it came from (fsdd, sc_v002_test, ...)
    duration: float  # seconds

    def audio(self) -> Pcm:
        """The recording as 16 kHz mono samples, whatever its rate and channels."""
        return read_wav(self.path)


def find_corpus(explicit: Path | None = None) -> Path | None:
    """The corpus folder: ``explicit``, ``$MASSAGE_CORPUS`` or beside the checkout."""
    for candidate in (explicit, os.environ.get(CORPUS_ENV), BESIDE_CHECKOUT):
        if candidate and (Path(candidate) / "MANIFEST.tsv").is_file():
            return Path(candidate)
    return None


class Corpus:
    """The manifest's rows, filtered by category and transcript."""

    def __init__(self, root: Path) -> None:
        self.root = root
        with (root / "MANIFEST.tsv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        self.recordings = [
            Recording(
                path=root / r["path"],
                transcript=r["transcript"].strip().lower(),
                speaker=r["speaker_id"],
                category=r["category"],
                source=r["path"].split("/")[0],
                duration=float(r["duration_s"] or 0),
            )
            for r in rows
            if (root / r["path"]).suffix.lower() == ".wav"
        ]

    def select(self, category: str, words: set[str] | None = None) -> list[Recording]:
        """Recordings of a category (and transcripts), sorted by path so runs repeat."""
        found = [
            r
            for r in self.recordings
            if r.category == category and (words is None or r.transcript in words)
        ]
        return sorted(found, key=lambda r: r.path)

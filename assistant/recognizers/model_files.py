"""Whisper model folders: their files checked against pinned sums, and made once with
int8 weights from the pinned float16 release.

Both Whisper models come from third parties' packages, so their files are checked
against the SHA-256 sums of the pinned release before they are loaded. Both are
released with float16 weights, which CTranslate2 quantizes to int8 as it loads: a
passing peak of memory (about 100 MB for tiny.en, 263 MB for base) and time on every
start. ``massage-assistant models pull whisper`` / ``whisper-base`` (``scripts/setup.sh``
runs both; no network) make a folder with the int8 weights written out instead
(:mod:`.int8_weights`: the same decodes), owner-only, in ``models/`` or else the user's
cache folder; ``SOURCE.json`` there names the release and records the source's sum and
the written file's, checked again when the folder is used. That check finds a folder
changed or left half-written since; the folder is its owner's alone, like the code and
the environment beside it, which is where the weights' trust comes from (the release is
checked against the sums pinned here before anything is made from it).
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.files import OutputError, private_folder
from assistant.recognizers import RecognizerError
from assistant.recognizers.int8_weights import FormatError, quantized, read_model, write_model

__all__ = [
    "MARKER",
    "PlaceUnavailable",
    "Recipe",
    "file_sha256",
    "homes",
    "is_whisper_model",
    "make",
    "needed",
    "pull",
    "usable",
    "verify",
]

MARKER = "SOURCE.json"
_NEEDED = ("model.bin", "config.json", "tokenizer.json")


def is_whisper_model(path: Path) -> bool:
    """A CTranslate2 Whisper model folder holds ``model.bin``, ``config.json`` and a tokenizer."""
    return path.is_dir() and all((path / name).is_file() for name in _NEEDED)


def needed() -> str:
    """The files a Whisper model folder must hold, for messages."""
    return ", ".join(_NEEDED)


@functools.cache
def _sha256(path: Path, identity: tuple[int, int, int, int]) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """The file's SHA-256, computed once per version of the file (75 MB take a moment):
    a file rewritten since, even at the same size and time, has another inode or change
    time, which no program can set back."""
    st = path.stat()
    return _sha256(path, (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))


def verify(folder: Path, expected: Mapping[str, str], release: str, reinstall: str) -> None:
    """Every file in ``expected`` is in ``folder`` with that SHA-256, else
    :class:`RecognizerError` naming the file, the ``release`` it should come from, and
    how to put it right."""
    for name, want in expected.items():
        path = folder / name
        try:
            got = file_sha256(path)
        except OSError as exc:
            raise RecognizerError(
                f"the Whisper model file {path} cannot be read ({exc.strerror or exc}); "
                f"reinstall it: {reinstall}"
            ) from exc
        if got != want:
            raise RecognizerError(
                f"the Whisper model file {path} is not the one released in {release} "
                f"(SHA-256 {got[:16]}..., expected {want[:16]}...); it is not loaded. "
                f"Reinstall it: {reinstall}"
            )


@dataclass(frozen=True)
class Recipe:
    """How one model folder is made from its pinned release."""

    folder: str  # its name under models/ and under the user's cache folder
    release: str  # "package version", named in messages and in the marker
    reinstall: str  # the command that puts the release's files right
    pull: str  # the command that makes the folder
    source_sha256: str  # of the release's float16 model.bin
    files_sha256: Mapping[str, str]  # the other files, copied as they are
    env_var: str  # names a folder of the person's own instead


def homes(recipe: Recipe) -> list[Path]:
    """Where a made model is kept: ``models/``, then the user's cache folder."""
    from platformdirs import user_cache_path

    from assistant.recognizers.vosk_model import REPO_MODELS

    return [REPO_MODELS / recipe.folder, user_cache_path("massage-assistant") / recipe.folder]


class PlaceUnavailable(RecognizerError):
    """The model's folder cannot be written, or holds files this program did not write:
    another place may do."""


def _ours(recipe: Recipe, folder: Path) -> bool:
    """``folder`` was written by :func:`make` (its marker names the release), so it may be
    replaced; anything else there is the person's own and is left alone."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        return isinstance(marker, dict) and marker.get("release") == recipe.release
    except (OSError, ValueError):
        return False


def make(recipe: Recipe, target: Path, weights: bytes | bytearray, files: Path) -> Path:
    """Write the model with int8 weights into ``target`` (owner-only), replacing nothing
    until it is complete: ``weights`` are the release's float16 ``model.bin`` (checked
    here, the very bytes that are rewritten), the other files come from ``files``
    (checked too). :class:`RecognizerError` says why it cannot be done."""
    got = hashlib.sha256(weights).hexdigest()
    if got != recipe.source_sha256:
        raise RecognizerError(
            f"the weights from {files} are not the ones released in {recipe.release} "
            f"(SHA-256 {got[:16]}..., expected {recipe.source_sha256[:16]}...); nothing "
            f"is made from them. Reinstall: {recipe.reinstall}"
        )
    verify(files, recipe.files_sha256, recipe.release, recipe.reinstall)
    try:
        model = quantized(read_model(weights))
    except FormatError as exc:  # the sum matched, so this is a bug here, not the release
        raise RecognizerError(f"cannot read the model's weights: {exc}") from exc
    if target.exists() and not _ours(recipe, target):
        raise PlaceUnavailable(
            f"{target} holds files this program did not write; they are left as they are "
            f"(name a model folder with ${recipe.env_var} to use them)"
        )
    try:
        private_folder(target.parent)
        scratch = Path(tempfile.mkdtemp(prefix=f".{recipe.folder}-", dir=target.parent))
    except (OutputError, OSError) as exc:
        raise PlaceUnavailable(f"cannot write the model into {target.parent}: {exc}") from exc
    try:
        write_model(model, scratch / "model.bin")
        for name in recipe.files_sha256:
            shutil.copyfile(files / name, scratch / name)
        marker = {"release": recipe.release, "source_sha256": recipe.source_sha256,
                  "model_sha256": file_sha256(scratch / "model.bin")}  # fmt: skip
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
    if target.exists():  # ours, found incomplete or stale (make checked)
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


def usable(recipe: Recipe, folder: Path, weights: bool = True) -> bool:
    """``folder`` holds the model as :func:`make` wrote it, unchanged since; with
    ``weights`` False the weights' SHA-256 (a read of 40 to 75 MB) is left for later."""
    if not is_whisper_model(folder):
        return False
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        verify(folder, recipe.files_sha256, recipe.release, recipe.reinstall)
        return bool(
            marker.get("source_sha256") == recipe.source_sha256
            and (not weights or marker.get("model_sha256") == file_sha256(folder / "model.bin"))
        )
    except (OSError, ValueError, AttributeError, RecognizerError):
        return False


def pull(
    recipe: Recipe, places: list[Path], source: Callable[[], tuple[bytes | bytearray, Path]]
) -> Path:
    """The recipe's folder: the first of ``places`` that holds it already, else made in
    the first that can be written. ``source`` gives the release's float16 weights,
    checked, and the folder of its other files (read only when something is made)."""
    for home in places:
        if usable(recipe, home):
            return home
    weights, files = source()
    error: RecognizerError | None = None
    for home in places:
        try:
            return make(recipe, home, weights, files)
        except RecognizerError as exc:
            error = exc
            if not isinstance(exc, PlaceUnavailable):
                break  # another folder would not help
    assert error is not None
    raise error

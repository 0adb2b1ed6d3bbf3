"""The kiosk's systemd unit: the settings a studio relies on, and systemd's own check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.journal import ENV_VAR
from assistant.recognizers.whisper_engine import THREADS_ENV

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
INSTALLED = "/opt/massage-assistant"
# keys newer than the systemd of Raspberry Pi OS bookworm (252): it names them and goes on
NEWER_KEYS = ("RestartSteps", "RestartMaxDelaySec")


def settings(path: Path) -> dict[str, list[str]]:
    """Each ``Key=value`` of a unit file, every value of a key repeated, comments skipped."""
    out: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def test_there_is_a_unit_to_check() -> None:
    assert [u.name for u in UNITS] == ["massage-assistant.service"]


def test_the_kiosk_unit_runs_the_installed_program_confined_and_offline() -> None:
    s = settings(DEPLOY / "massage-assistant.service")
    one = {k: v[-1] for k, v in s.items()}
    assert one["ExecStart"] == f"{INSTALLED}/.venv/bin/massage-assistant kiosk"
    assert one["Restart"] == "always" and float(one["RestartSec"]) >= 1
    assert one["StartLimitIntervalSec"] == "0"  # never gives up
    assert one["MemoryMax"].endswith("M")
    assert one["User"] == "massage" and "audio" in one["SupplementaryGroups"].split()
    for key in ("PrivateTmp", "ProtectHome", "NoNewPrivileges"):
        assert one[key] == "yes", key
    assert one["ProtectSystem"] == "strict"
    assert one["RestrictAddressFamilies"] == "AF_UNIX"
    assert one["IPAddressDeny"] == "any"
    assert one["StateDirectory"] == "massage-assistant"
    assert one["UMask"] == "0077"  # every file it writes is the owner's only
    env = dict(e.split("=", 1) for e in s["Environment"])
    assert env[ENV_VAR] == "%S/massage-assistant/journal.db"
    assert env[THREADS_ENV] == "3"  # Whisper on three of a Pi's four cores: stops act sooner


def verify(text: str, name: str, folder: Path) -> list[str]:
    """What ``systemd-analyze verify`` says of a unit as installed on this machine.

    /opt/massage-assistant becomes this checkout and its virtual environment, so systemd
    checks that the program the unit names really is there to run. systemd exits 0 on
    many a bad value and only prints it, so every line printed counts as a problem.
    """
    exe = shutil.which("systemd-analyze")
    if exe is None:
        pytest.skip("systemd-analyze is not installed here (apt-get install systemd)")
    venv_bin = Path(sys.executable).parent
    assert (venv_bin / "massage-assistant").exists()
    text = text.replace(f"{INSTALLED}/.venv/bin", str(venv_bin)).replace(INSTALLED, str(ROOT))
    local = folder / name
    local.write_text(text)
    done = subprocess.run(
        [exe, "verify", str(local)], capture_output=True, text=True, timeout=120, check=False
    )
    said = (done.stdout + done.stderr).splitlines()
    if done.returncode != 0:
        said.append(f"exit status {done.returncode}")
    return [line for line in said if not any(f"Unknown key '{k}'" in line for k in NEWER_KEYS)]


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_systemd_analyze_verify(unit: Path, tmp_path: Path) -> None:
    assert verify(unit.read_text(), unit.name, tmp_path) == []


def test_the_check_finds_a_broken_unit(tmp_path: Path) -> None:
    text = (DEPLOY / "massage-assistant.service").read_text()
    bad = text.replace("ProtectSystem=strict", "ProtectSystem=bogus")
    assert any("protect system value" in line for line in verify(bad, "bad.service", tmp_path))
    gone = text.replace("massage-assistant kiosk", "no-such-program kiosk")
    assert any("not executable" in line for line in verify(gone, "gone.service", tmp_path))


def test_the_install_script_is_valid_bash_and_installs_what_the_unit_runs() -> None:
    script = DEPLOY / "install-pi.sh"
    subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)
    text = script.read_text()
    assert f"dest={INSTALLED}" in text
    assert 'setup.sh" --pedal' in text  # the venv the unit's ExecStart points into
    assert "massage-assistant.service" in text and "systemctl enable" in text

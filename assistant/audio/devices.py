"""Which microphone and speaker this machine has, asked without opening either."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DeviceReport", "list_devices", "probe_devices"]


@dataclass(frozen=True)
class DeviceReport:
    """Default input and output device names, or why there are none."""

    microphone: str | None
    speaker: str | None
    problem: str | None = None

    def describe(self) -> str:
        if self.problem:
            return self.problem
        mic = self.microphone or "no microphone"
        spk = self.speaker or "no speaker"
        return f"microphone: {mic}; speaker: {spk}"


def probe_devices() -> DeviceReport:
    """Ask PortAudio (through sounddevice) for the default devices; never raises."""
    try:
        import sounddevice as sd
    except (ImportError, OSError) as exc:
        return DeviceReport(
            None,
            None,
            f"audio is unavailable ({exc}); on Debian or "
            "Raspberry Pi OS: sudo apt-get install libportaudio2",
        )
    try:
        devices = sd.query_devices()
        inp, out = sd.default.device
    except Exception as exc:  # PortAudio reports device trouble as many exception types
        return DeviceReport(None, None, f"cannot list audio devices: {exc}")

    def name(index: int, channels_key: str) -> str | None:
        if index is None or index < 0 or index >= len(devices):
            candidates = [d for d in devices if d[channels_key] > 0]
            return str(candidates[0]["name"]) if candidates else None
        device = devices[index]
        return str(device["name"]) if device[channels_key] > 0 else None

    return DeviceReport(name(inp, "max_input_channels"), name(out, "max_output_channels"))


def list_devices() -> list[str]:
    """One line per device: index, name, input/output channels, defaults marked; never raises.

    The index or any part of the name can be given as ``--input``/``--output``.
    """
    try:
        import sounddevice as sd

        devices = sd.query_devices()
        inp, out = sd.default.device
    except Exception:  # no PortAudio, or no devices: the caller reports the probe's reason
        return []
    rows = []
    for i, d in enumerate(devices):
        marks = ("<" if i == inp else " ") + (">" if i == out else " ")
        rows.append(
            f"{marks} {i:3d}  {d['name']}  (in {d['max_input_channels']}, "
            f"out {d['max_output_channels']})"
        )
    return rows

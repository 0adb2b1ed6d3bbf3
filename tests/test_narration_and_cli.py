"""The real speech engine into WAV files, and the command line as people use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

import assistant
from assistant.cli import main
from assistant.clock import Scheduler, VirtualClock
from assistant.errors import ScriptError
from assistant.events import EventLog, JsonlWriter
from assistant.events.kinds import Said
from assistant.narration.render import NarrationSettings, Pyttsx3Renderer
from assistant.narration.voice import estimate_seconds
from assistant.simulation.script import load_script

DATA = Path(__file__).parent / "data"
REQUIRED = {
    "say": {"text"},
    "cue": {"text"},
    "heard": {"text"},
    "intent": {"name"},
    "state": {"state", "stage"},
    "pain": {"value"},
    "end": {"outcome"},
}


def _renderer(**kw: object) -> Pyttsx3Renderer:
    renderer = Pyttsx3Renderer(NarrationSettings(**kw))  # type: ignore[arg-type]
    try:
        renderer.seconds("test")
    except assistant.SpeechEngineError as exc:  # pragma: no cover - espeak-ng missing
        pytest.skip(f"speech engine unavailable: {exc}")
    return renderer


def test_pyttsx3_renders_real_speech_of_plausible_length() -> None:
    r = _renderer()
    short = r.render("Stop.")
    long = r.render("Lift your hands away gently and rest them beside the receiver.")
    with wave.open(str(long.path), "rb") as wav:
        frames = wav.readframes(wav.getnframes())
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
    assert any(frames[i] != 0 for i in range(0, len(frames), 97))  # not silence
    assert 0.2 < short.seconds < 1.5
    assert 2.0 < long.seconds < 7.0 and long.seconds > 2 * short.seconds
    assert r.render("Stop.") is short  # cached
    r.close()


@pytest.mark.parametrize(
    "text",
    [
        "Stop.",
        "Step three of five: settling strokes.",
        "Lift your hands away gently and rest them beside the receiver.",
    ],
)
def test_rendered_lines_are_complete(text: str, tmp_path: Path) -> None:
    """pyttsx3's espeak driver drops each file's last buffer; ours must keep every sample.

    Reference: the espeak-ng command line with the same voice and rate writes it whole.
    """
    import shutil

    if shutil.which("espeak-ng") is None:  # pragma: no cover - installed by scripts/setup.sh
        pytest.skip("espeak-ng command line not installed")
    r = _renderer(rate=200, voice="en")
    cli = tmp_path / "cli.wav"
    subprocess.run(["espeak-ng", "-v", "en", "-s", "200", "-w", str(cli), text], check=True)
    with wave.open(str(cli), "rb") as wav:
        expected = wav.getnframes() / wav.getframerate()
    # the fault loses up to a second; espeak-ng's own length varies by a few ms from run
    # to run once other voices and rates have been used in the same process
    assert r.seconds(text) == pytest.approx(expected, abs=0.03)
    r.close()


def test_the_default_rate_does_not_depend_on_when_espeak_applies_its_settings(
    tmp_path: Path,
) -> None:
    """On a loaded machine espeak-ng can still report its own 175 words a minute just
    after the engine starts (pyttsx3's driver sets 200, and that waits in espeak-ng's
    command queue). The renderer must not take that as its default: a fresh process
    in which espeak-ng answers 175 renders a line as the espeak-ng command line does
    at 200."""
    import shutil

    if shutil.which("espeak-ng") is None:  # pragma: no cover - installed by scripts/setup.sh
        pytest.skip("espeak-ng command line not installed")
    _renderer().close()  # skips here when the engine cannot start
    text = "Lift your hands away gently and rest them beside the receiver."
    late = (
        "from pyttsx3.drivers import _espeak\n"
        "real = _espeak.GetParameter\n"
        "_espeak.GetParameter = lambda p, *a: 175 if p == _espeak.RATE else real(p, *a)\n"
        "from assistant.narration.render import NarrationSettings, Pyttsx3Renderer\n"
        "r = Pyttsx3Renderer(NarrationSettings(voice='en'))\n"
        f"print(r.seconds({text!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", late], capture_output=True, text=True, check=True)
    cli = tmp_path / "cli.wav"
    subprocess.run(["espeak-ng", "-v", "en", "-s", "200", "-w", str(cli), text], check=True)
    with wave.open(str(cli), "rb") as wav:
        expected = wav.getnframes() / wav.getframerate()
    assert float(out.stdout.split()[-1]) == pytest.approx(expected, abs=0.03)


def test_a_faster_rate_gives_shorter_narration() -> None:
    text = "Step three of eight: friction circles on the shoulders."
    normal, fast = _renderer(), _renderer(rate=350)
    assert fast.seconds(text) < 0.75 * normal.seconds(text)
    normal.close()
    fast.close()


def test_any_thread_may_render_but_the_engine_runs_in_one() -> None:
    import threading

    from assistant.narration.render import on_engine_thread

    r = _renderer()
    results: dict[str, float] = {}

    def other(text: str) -> None:
        results[text] = r.seconds(text)

    threads = [threading.Thread(target=other, args=(f"line number {i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["line number 0", "line number 1", "line number 2"]
    assert all(seconds > 0.5 for seconds in results.values())
    engine_threads = {on_engine_thread(threading.get_ident) for _ in range(3)}
    assert len(engine_threads) == 1 and threading.get_ident() not in engine_threads
    r.close()


def test_simulate_with_engine_durations_times_lines_by_the_real_audio(tmp_path: Path) -> None:
    r = _renderer()
    events = tmp_path / "events.jsonl"
    assert (
        main(
            [
                "simulate",
                "gentle-first",
                "--durations",
                "engine",
                "--quiet",
                "--events",
                str(events),
            ]
        )
        == 0
    )
    rows = [json.loads(line) for line in events.read_text().splitlines()]
    says = [row for row in rows if row["type"] == "say"]
    # the welcome line lasts as long as its rendering (espeak-ng varies by a few tens of
    # milliseconds between renders), not as long as the words-per-minute estimate
    gap = says[1]["t"] - says[0]["t"]
    rendered = r.seconds(says[0]["text"])
    assert gap == pytest.approx(rendered, rel=0.02)
    assert abs(estimate_seconds(says[0]["text"]) - rendered) > 0.1 * rendered
    r.close()


def test_simulate_script_writes_every_event_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "out.jsonl"
    script = DATA / "scripts" / "lighter-and-stop.yaml"
    assert (
        main(
            [
                "simulate",
                "gentle-first",
                "--script",
                str(script),
                "--events",
                str(events),
                "--durations",
                "wpm",
            ]
        )
        == 0
    )
    rows = [json.loads(line) for line in events.read_text().splitlines()]
    for row in rows:
        assert isinstance(row["t"], int | float) and row["t"] >= 0
        assert REQUIRED.get(row["type"], set()) <= row.keys(), row
    assert {r["type"] for r in rows} >= set(REQUIRED)
    assert [r["t"] for r in rows] == sorted(r["t"] for r in rows)
    assert rows[-1] == {"t": rows[-1]["t"], "type": "end", "outcome": "stopped"}
    assert {"type": "intent", "name": "pain", "value": 7}.items() <= next(
        r for r in rows if r["type"] == "intent" and r["name"] == "pain"
    ).items()
    out = capsys.readouterr()
    assert "Session over: stopped." in out.out and "outcome: stopped" in out.err


def test_a_broken_script_is_refused_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text('- {at: 1.0, say: "next"}\n- {at: soon, say: "stop"}\n- {sey: "x"}\n')
    with pytest.raises(ScriptError) as err:
        load_script(bad)
    text = str(err.value)
    assert f"{bad}:2: [1].at: expected a number" in text
    assert f"{bad}:3: [2].sey: unknown field, did you mean 'say'?" in text


def _cli(*args: str, stdin: str = "", timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_text_mode_reads_typed_commands_and_stops_safely_at_end_of_input(tmp_path: Path) -> None:
    events = tmp_path / "typed.jsonl"
    done = _cli(
        "run", "gentle-first", "--keyboard", "--events", str(events), stdin="where are we\nstop\n"
    )
    assert done.returncode == 0, done.stderr
    assert "Text mode" in done.stderr
    assert "> where are we" in done.stdout and "Stopping. Lift your hands away" in done.stdout
    rows = [json.loads(line) for line in events.read_text().splitlines()]
    assert [r["name"] for r in rows if r["type"] == "intent"] == ["status", "stop"]
    assert rows[-1]["type"] == "end" and rows[-1]["outcome"] == "stopped"


def test_run_without_microphone_or_keyboard_shows_a_simulated_session() -> None:
    done = _cli("run", "gentle-first", "--durations", "wpm")
    assert done.returncode == 0, done.stderr
    assert "No microphone found" in done.stderr and "simulated session" in done.stderr
    assert "outcome: finished" in done.stderr
    assert "The session is complete." in done.stdout


def test_errors_are_messages_not_tracebacks() -> None:
    done = _cli("run", "no-such-routine")
    assert done.returncode == 2
    assert "no such routine" in done.stderr and "Traceback" not in done.stderr


def test_jsonl_writer_flushes_each_event(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    log = EventLog(JsonlWriter(path))
    log.emit(Said(t=1.23456, text="héllo", kind="line", stage=None))
    # readable before close: a crash right now loses nothing
    assert json.loads(path.read_text("utf-8")) == {
        "t": 1.235,
        "type": "say",
        "text": "héllo",
        "kind": "line",
        "stage": None,
    }
    log.close()


def test_scheduler_runs_due_timers_in_order_and_skips_cancelled() -> None:
    clock = VirtualClock()
    sched = Scheduler(clock)
    ran: list[str] = []
    sched.call_at(2.0, lambda: ran.append("b"))
    sched.call_at(1.0, lambda: ran.append("a"))
    sched.call_at(1.5, lambda: ran.append("x")).cancel()
    assert sched.next_due() == 1.0
    clock.advance_to(2.0)
    assert sched.run_due() == 2 and ran == ["a", "b"]
    clock.advance_to(1.0)
    assert clock.now() == 2.0  # virtual time never runs backwards
    assert sched.next_due() is None


def test_public_surface_is_complete() -> None:
    for name in assistant.__all__:
        assert hasattr(assistant, name), name
    public = {n for n in vars(assistant) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(assistant.__all__)

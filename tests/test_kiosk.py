"""The kiosk: its loop and supervisor, the speech engine restarted after a crash, and a
whole kiosk turn on the live path (a microphone missing, then unplugged and replugged;
"start" said; the menu heard; a session run and stopped; the log written)."""

from __future__ import annotations

import functools
import io
import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from assistant.app import AppConfig, AudioConfig, NarrationConfig
from assistant.audio.devices import DeviceReport
from assistant.intents import load_vocabulary
from assistant.kiosk import Kiosk, KioskEvents, KioskLog
from assistant.kiosk.live import run_kiosk
from assistant.menu import menu_routines, menu_vocabulary
from assistant.recognizers import Hypothesis, Recognizer, open_recognizer
from assistant.recognizers.listener import Listener
from assistant.recognizers.supervised import SupervisedRecognizer
from assistant.routine.loader import load_routine
from assistant.routine.model import Routine
from tests.audiokit import quiet, recognized_clips
from tests.test_live_audio import BLOCK, WAIT, Card, FakeStream

# --- the loop and its supervisor -----------------------------------------------------------


class Turns:
    """Kiosk ports that play a list of turns: "start", "crash", "leave" or "end"."""

    def __init__(self, plan: list[str]) -> None:
        self.plan = iter(plan)
        self.current = ""
        self.sessions: list[str] = []

    def wait_for_start(self) -> bool:
        self.current = next(self.plan, "end")
        if self.current == "crash":
            raise RuntimeError("the speech engine crashed")
        if self.current == "interrupt":
            raise KeyboardInterrupt
        return self.current != "end"

    def choose(self) -> Routine | None:
        return None if self.current == "leave" else load_routine("gentle-first")

    def session(self, routine: Routine) -> str:
        self.sessions.append(routine.id)
        return "finished"


def kiosk(plan: list[str]) -> tuple[Kiosk, Turns, list[str], list[float]]:
    lines: list[str] = []
    waits: list[float] = []
    ports = Turns(plan)
    return Kiosk(ports, log=lines.append, wait=waits.append), ports, lines, waits


def test_errors_back_off_doubling_and_a_good_turn_resets_the_back_off() -> None:
    k, ports, lines, waits = kiosk(["crash"] * 8 + ["start", "crash", "start"])
    assert k.run(sessions=2) == 0
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 1]  # capped at a minute, reset after a session
    assert ports.sessions == ["gentle-first", "gentle-first"] and k.errors == 9
    assert sum("error: RuntimeError: the speech engine crashed" in line for line in lines) == 9


def test_a_menu_left_is_no_session_and_closed_input_or_ctrl_c_end_cleanly() -> None:
    k, _, lines, _ = kiosk(["leave", "start", "end"])
    assert k.run() == 0
    assert k.sessions == 1 and "nothing chosen; waiting again" in "\n".join(lines)
    assert lines[-1] == "input closed; the kiosk ends"
    k, _, lines, _ = kiosk(["start", "interrupt"])
    assert k.run() == 0 and lines[-1] == "interrupted; ends"
    k, _, lines, _ = kiosk(["start", "start"])
    k.stopping = True  # SIGTERM: the turn under way ends safely, then the kiosk
    assert k.run() == 0 and lines[-1] == "asked to stop; the kiosk ends" and k.sessions == 0


def test_a_stop_asked_for_during_the_back_off_ends_the_kiosk_quietly() -> None:
    """systemctl stop while the kiosk waits to try again: a clean end, no traceback."""
    lines: list[str] = []

    def wait(seconds: float) -> None:
        raise KeyboardInterrupt  # what the SIGTERM handler raises

    k = Kiosk(Turns(["crash", "start"]), log=lines.append, wait=wait)
    assert k.run() == 0
    assert k.sessions == 0 and lines[-1] == "asked to stop; the kiosk ends"


def test_the_log_has_one_line_per_event_that_matters_and_no_heard_words() -> None:
    from tests.sessionkit import simulate

    lines: list[str] = []
    sink = KioskEvents(lines.append)
    _, log, outcome = simulate("gentle-first", [(100.0, "stop"), (110.0, "my name is Sam")])
    for event in log.events:
        sink.emit(event)
    assert lines[0] == "session started: gentle-first"
    assert "session stopped" in lines and lines[-1] == f"session over: {outcome}"
    assert sink.outcome == outcome
    assert not any("Sam" in line or line == "no" for line in lines)  # nothing heard is logged
    assert len(lines) < 8
    stream = io.StringIO()
    KioskLog(stream)("waiting")
    assert stream.getvalue() == "kiosk: waiting\n"


# --- the speech engine, restarted --------------------------------------------------------


class Crashing:
    """The engine edge: a real recognizer that throws once, after ``after`` blocks."""

    def __init__(self, inner: Recognizer, after: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.sample_rate = inner.sample_rate
        self.blocks = itertools.count()
        self.after = after

    def accept(self, pcm: bytes) -> list[Hypothesis]:
        if next(self.blocks) == self.after:
            raise RuntimeError("native decoder fault")
        return self.inner.accept(pcm)

    def flush(self) -> list[Hypothesis]:
        return self.inner.flush()


def test_a_crashed_recognizer_is_restarted_with_back_off_and_hears_again() -> None:
    vocab = load_vocabulary("en")

    def make() -> Listener:
        return Listener(open_recognizer(vocab, "pocketsphinx").recognizer, vocab)

    stop = recognized_clips("stop", 1, make)[0]
    faults: list[str] = []
    restored: list[int] = []
    opened = itertools.count()

    def open_() -> Recognizer:
        n = next(opened)
        inner = open_recognizer(vocab, "pocketsphinx").recognizer
        return Crashing(inner, after=5) if n < 3 else inner  # the first three crash

    supervised = SupervisedRecognizer(
        open_, on_fault=faults.append, on_restored=lambda: restored.append(1)
    )
    listener = Listener(supervised, vocab)
    heard = []
    audio = np.concatenate([quiet(12.0), stop, quiet(1.0)])
    for i in range(0, len(audio), BLOCK):
        heard += listener.feed(audio[i : i + BLOCK])
    heard += listener.flush()
    assert supervised.failures == 3 and len(restored) == 3
    assert all("native decoder fault" in f and "restarting it in" in f for f in faults)
    assert [f.split("restarting it in ")[1] for f in faults] == ["1 s", "2 s", "4 s"]
    assert [h.intent.name for h in heard if h.intent] == ["stop"]  # heard once it is back


# --- the live kiosk, end to end ------------------------------------------------------------


class Room(threading.Thread):
    """Pushes room tone, and clips when asked, into whichever stream the card has open,
    no faster than the listener takes it (as a real card delivers)."""

    def __init__(self, card: Card) -> None:
        super().__init__(daemon=True)
        self.card = card
        self.clips: queue.Queue[np.ndarray] = queue.Queue()
        self.quit = threading.Event()
        self.tone = quiet(1.0, seed=7)

    def say(self, clip: np.ndarray, after: float = 0.5) -> None:
        self.clips.put(np.concatenate([quiet(after, seed=3), clip, quiet(1.0, seed=4)]))

    def _stream(self) -> FakeStream | None:
        live = [s for s in self.card.streams if s.active]
        return live[-1] if live else None

    def run(self) -> None:
        pending = np.zeros(0, np.int16)
        tone = itertools.cycle(range(0, len(self.tone) - BLOCK, BLOCK))
        while not self.quit.is_set():
            stream = self._stream()
            if stream is None:
                with self.card.opened:
                    self.card.opened.wait(0.05)
                continue
            if not len(pending) and not self.clips.empty():
                pending = self.clips.get()
            if len(pending) >= BLOCK:
                block, pending = pending[:BLOCK], pending[BLOCK:]
            else:
                pending = np.zeros(0, np.int16)
                i = next(tone)
                block = self.tone[i : i + BLOCK]
            stream.push(block)
            blocks: Any = stream.callback.__self__.blocks  # type: ignore[attr-defined]
            with blocks.all_tasks_done:  # a closed link's listener takes no more: time out
                blocks.all_tasks_done.wait_for(functools.partial(_taken, blocks), timeout=0.5)


def _taken(blocks: Any) -> bool:
    return not blocks.unfinished_tasks


class WatchedLog(KioskLog):
    def __init__(self) -> None:
        super().__init__(io.StringIO())
        self.changed = threading.Condition()

    def __call__(self, what: str) -> None:
        with self.changed:
            super().__call__(what)
            self.changed.notify_all()

    def seen(self, what: str, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(
                lambda: any(what in line for line in self.lines), timeout=timeout
            )

    def wait(self, what: str) -> None:
        assert self.seen(what, WAIT * 2), f"never logged {what!r}; log: {self.lines}"

    def say_until(self, room: Room, clip: np.ndarray, what: str, tries: int = 4) -> None:
        """Say it again if it was not heard (said over loud narration, the echo gate may
        take it): as a person would."""
        for _ in range(tries):
            room.say(clip, after=2.0)
            if self.seen(what, 5.0):
                return
        self.wait(what)


def _menu_clip(text_or_word: str, intent: str, corpus: bool) -> np.ndarray:
    """A take of ``text_or_word`` that PocketSphinx hears alone as ``intent`` (last) with
    the menu's vocabulary: a real recording from the corpus, or espeak-ng's voices."""
    from assistant.simulation.voices import SPEAKERS, synthesize
    from tests.audiokit import corpus_clips, need_espeak

    vocab = menu_vocabulary(menu_routines())
    if corpus:
        takes = [pcm for _, pcm in corpus_clips(text_or_word, 40)]
    else:
        need_espeak()
        takes = [synthesize(text_or_word, s) for s in SPEAKERS]
    for pcm in takes:
        listener = Listener(open_recognizer(vocab, "pocketsphinx").recognizer, vocab)
        clip = np.concatenate([quiet(0.5), pcm, quiet(1.0)])
        heard = []
        for i in range(0, len(clip), BLOCK):
            heard += listener.feed(clip[i : i + BLOCK])
        heard += listener.flush()
        names = [h.intent.name for h in heard if h.intent]
        # PocketSphinx's partials may say stop early in "start": the waiting kiosk ignores it
        if names and names[-1] == intent and set(names) <= {intent, "stop"}:
            return pcm
    pytest.fail(f"no take of {text_or_word!r} heard as {intent}")


def test_a_live_kiosk_survives_a_replugged_microphone_and_runs_a_spoken_session(
    tmp_path: Any,
) -> None:
    vocab = load_vocabulary("en")

    def make() -> Listener:
        return Listener(open_recognizer(vocab, "pocketsphinx").recognizer, vocab)

    start = _menu_clip("start", "start", corpus=False)
    two = _menu_clip("two", "routine2", corpus=True)
    stop = recognized_clips("stop", 1, make)[0]
    card = Card(missing=1)  # no microphone when the kiosk starts
    room = Room(card)
    room.start()
    log = WatchedLog()
    cfg = AppConfig(
        routine="",
        journal=str(tmp_path / "journal.db"),
        narration=NarrationConfig(durations="wpm"),
        audio=AudioConfig(engine="pocketsphinx", silent_after=3600.0),
        pedal="/dev/input/no-such-pedal",  # unplugged, or a typo in the unit: voice still works
    )
    probe: Callable[[], DeviceReport] = lambda: DeviceReport(  # noqa: E731
        microphone="test microphone", speaker="test speaker"
    )
    result: dict[str, int] = {}

    def kiosk() -> None:
        result["status"] = run_kiosk(cfg, probe=probe, card=card.factory, sessions=1, log=log)

    thread = threading.Thread(target=kiosk, daemon=True)
    thread.start()
    try:
        log.wait("problem: no microphone found")
        first = card.wait_for(1)  # the supervisor found it
        first.active = False  # unplugged while the kiosk waits
        log.wait("problem: the microphone stopped")
        card.wait_for(2)  # plugged back in
        room.say(start)
        log.wait("start asked for")
        room.say(two, after=40.0)  # once the menu has been read out
        log.wait("menu: chose")
        log.wait("session started: gentle-first")
        log.say_until(room, stop, "session stopped")
        log.say_until(room, stop, "session 1 done")
        thread.join(WAIT)
    finally:
        room.quit.set()
    assert not thread.is_alive() and result == {"status": 0}
    assert "no pedal: " in "\n".join(log.lines) and "voice commands only" in "\n".join(log.lines)
    assert "kiosk: menu: chose gentle-first" in log.lines and "session over: stopped" in "\n".join(
        log.lines
    )
    from assistant.journal import open_journal, summaries

    journal = open_journal(tmp_path / "journal.db")
    try:
        assert [s.outcome for s in summaries(journal)] == ["stopped"]
    finally:
        journal.close()


def test_the_service_units_command_line_is_one_the_program_takes() -> None:
    """deploy/massage-assistant.service runs ``massage-assistant kiosk ...``: the same words,
    given to this checkout's command line (with --help, so it returns at once)."""
    import configparser
    import shlex
    import subprocess
    import sys
    from pathlib import Path

    unit = Path(__file__).parents[1] / "deploy" / "massage-assistant.service"
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read_string(unit.read_text())
    words = shlex.split(parser["Service"]["ExecStart"])
    assert Path(words[0]).name == "massage-assistant" and words[1] == "kiosk"
    done = subprocess.run(
        [sys.executable, "-m", "assistant", *words[1:], "--help"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "--pedal" in done.stdout and "start" in done.stdout

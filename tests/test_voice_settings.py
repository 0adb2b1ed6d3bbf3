"""Voice settings by voice: "speak faster", "speak slower", "louder", "quieter".

They change how the assistant speaks, at once and within limits, never the strokes (plain
"slower" and "faster" still pace the strokes), and the journal remembers them for the
person's next session. The sound itself is checked with the real speech engine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from journalkit import journal_session
from sessionkit import simulate

from assistant.audio.mixer import Mixer
from assistant.audio.speaker import AudioVoice
from assistant.clock import Scheduler, VirtualClock
from assistant.events import Event, EventLog
from assistant.events import kinds as ev
from assistant.intents import Intent, load_vocabulary, parse
from assistant.journal import learned_delivery, open_journal
from assistant.narration.delivery import RATE_LIMITS, VOLUME_LIMITS, Delivery, next_delivery
from assistant.narration.voice import SilentVoice, Tunable, estimate_seconds
from assistant.prompts import load_prompts
from assistant.routine.loader import load_routine
from assistant.runner import ScriptInput, Utterance, run_session
from assistant.session import Session
from assistant.session.carryover import Carryover, Memory, flags_win
from tests.audiokit import line_audio, need_espeak

P = load_prompts("en")
EN = load_vocabulary("en")
KO = load_vocabulary("ko")


# --- the pure decision ------------------------------------------------------------------


def test_each_step_is_a_fifth_faster_or_slower_and_stops_at_the_limits() -> None:
    rates, d = [], Delivery()
    while (step := next_delivery(d, "faster")) is not None:
        d = step
        rates.append(d.rate)
    assert rates == [240, 290, 350, 420, 450]
    assert d.rate == RATE_LIMITS[1] and next_delivery(d, "faster") is None
    d, rates = Delivery(), []
    while (step := next_delivery(d, "slower")) is not None:
        d = step
        rates.append(d.rate)
    assert rates == [165, 140, 120] and next_delivery(d, "slower") is None


def test_volume_steps_by_a_fifth_between_its_limits_and_keeps_the_rate() -> None:
    d, volumes = Delivery(rate=300), []
    while (step := next_delivery(d, "quieter")) is not None:
        d = step
        volumes.append(d.volume)
    assert volumes == [0.8, 0.6, 0.4, 0.2] and d.rate == 300
    assert d.volume == VOLUME_LIMITS[0]
    assert next_delivery(Delivery(volume=1.0), "louder") is None
    assert next_delivery(Delivery(volume=0.5), "louder") == Delivery(volume=0.7)


def test_a_rate_set_outside_the_spoken_range_steps_back_into_it() -> None:
    # --rate allows 80..600; by voice the range is 120..450
    assert next_delivery(Delivery(rate=80), "faster") == Delivery(rate=120)
    assert next_delivery(Delivery(rate=80), "slower") is None
    assert next_delivery(Delivery(rate=600), "slower") == Delivery(rate=450)
    assert next_delivery(Delivery(rate=600), "faster") is None


# --- the words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("speak faster", "speak_faster"),
        ("could you talk a bit quicker please", "speak_faster"),
        ("you speak too slowly", "speak_faster"),
        ("speak slower", "speak_slower"),
        ("please talk more slowly", "speak_slower"),
        ("you talk too fast", "speak_slower"),
        ("louder", "louder"),
        ("speak up", "louder"),
        ("I can't hear you", "louder"),
        ("quieter please", "quieter"),
        ("it's too loud", "quieter"),
        ("volume down", "quieter"),
        # the strokes keep their words
        ("slower", "slower"),
        ("slow down", "slower"),
        ("too fast", "slower"),
        ("faster", "faster"),
        ("speed up", "faster"),
        ("softer", "lighter"),
    ],
)
def test_voice_words_and_stroke_words_stay_apart(text: str, name: str) -> None:
    assert parse(text, EN) == Intent(name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("빨리 말해", "speak_faster"),
        ("천천히 말해 주세요", "speak_slower"),
        ("소리 크게", "louder"),
        ("안 들려", "louder"),
        ("소리 줄여", "quieter"),
        ("천천히", "slower"),
        ("빨리 해", "faster"),
    ],
)
def test_korean_voice_words(text: str, name: str) -> None:
    assert parse(text, KO) == Intent(name)


# --- in a session ---------------------------------------------------------------------------


def _voice_events(events: list[Event]) -> list[ev.VoiceSet]:
    return [e for e in events if isinstance(e, ev.VoiceSet)]


def _acks(events: list[Event]) -> list[str]:
    return [e.text for e in events if isinstance(e, ev.Said) and e.kind == "ack"]


def test_speak_faster_applies_at_once_and_is_acknowledged_in_the_new_rate() -> None:
    session, log, outcome = simulate("gentle-first", [(60.0, "speak faster")])
    assert outcome == "finished"
    [change] = _voice_events(log.events)
    assert (change.t, change.rate, change.volume, change.remembered) == (60.0, 240, 1.0, None)
    assert isinstance(session.voice, Tunable) and session.voice.delivery == Delivery(240)
    said = [e for e in log.events if isinstance(e, ev.Said) and e.t >= 60.0]
    ack, after = said[0], said[1]
    assert ack.text == P("voice.faster") and ack.t == 60.0
    # the acknowledgement itself already takes the time of the faster voice
    assert after.t == pytest.approx(60.0 + estimate_seconds(ack.text) * 200 / 240)
    # the strokes are untouched
    assert session.pace == 1.0 and not any(isinstance(e, ev.Pace) for e in log.events)


def test_slower_alone_still_paces_the_strokes_and_leaves_the_voice() -> None:
    session, log, _ = simulate("gentle-first", [(200.0, "slower")])
    assert session.pace == 1.25
    assert _voice_events(log.events) == []
    assert isinstance(session.voice, Tunable) and session.voice.delivery == Delivery()


def test_at_the_limits_the_voice_says_so_and_does_not_change() -> None:
    words = [*["speak faster"] * 6, *["quieter"] * 5, "louder"]
    _, log, _ = simulate("gentle-first", [(60.0 + 4 * i, w) for i, w in enumerate(words)])
    changes = [(e.rate, e.volume) for e in _voice_events(log.events)]
    assert [r for r, _ in changes[:5]] == [240, 290, 350, 420, 450]
    assert [v for _, v in changes[5:]] == [0.8, 0.6, 0.4, 0.2, 0.4]
    acks = _acks(log.events)
    assert acks.count(P("voice.fastest")) == 1
    assert acks.count(P("voice.quietest")) == 1
    assert acks.count(P("voice.faster")) == 5 and acks.count(P("voice.louder")) == 1


def test_a_voice_that_cannot_change_says_not_now() -> None:
    class Fixed:
        def say(self, text: str) -> float:
            return estimate_seconds(text)

        def cue(self, text: str) -> None:
            pass

        def cut(self) -> None:
            pass

    clock = VirtualClock()
    log = EventLog()
    session = Session(
        load_routine("gentle-first"), scheduler=Scheduler(clock), voice=Fixed(), log=log
    )
    run_session(session, ScriptInput(clock, [Utterance(5.0, "louder"), Utterance(8.0, "stop")]))
    assert P("not_now") in _acks(log.events)
    assert _voice_events(log.events) == []


def test_stop_after_a_voice_change_still_stops_at_once() -> None:
    _, log, outcome = simulate("gentle-first", [(60.0, "louder"), (60.0, "quieter"), (61, "stop")])
    stopped = next(e for e in log.events if isinstance(e, ev.State) and e.state == "stopped")
    assert stopped.t == 61.0
    assert outcome == "stopped"


# --- remembered per person ------------------------------------------------------------------


def test_the_voice_is_remembered_per_person_and_set_at_the_next_start(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    say = [("whole-back", "speak faster"), ("whole-back", "quieter")]
    journal_session(path, "gentle-first", person="Sam", say=say)
    journal = open_journal(path)
    assert learned_delivery(journal, "Sam") == Delivery(rate=240, volume=0.8)
    assert learned_delivery(journal, "Ana") is None
    journal.close()
    log, carry = journal_session(path, "swedish-back", person="Sam")
    assert carry.delivery == Delivery(rate=240, volume=0.8)
    [remembered] = _voice_events(log.events)
    assert (remembered.rate, remembered.volume, remembered.remembered) == (240, 0.8, True)
    assert remembered.t == 0.0  # before the first word is said
    # someone else starts with the voice as configured
    log, carry = journal_session(path, "gentle-first", person="Ana")
    assert carry.delivery is None and _voice_events(log.events) == []
    # the latest word wins: slower again, remembered as it was left
    journal_session(path, "gentle-first", person="Sam", say=[("whole-back", "speak slower")])
    journal = open_journal(path)
    assert learned_delivery(journal, "Sam") == Delivery(rate=200, volume=0.8)
    journal.close()


def test_a_voice_set_without_a_name_is_not_remembered_for_the_next_stranger(
    tmp_path: Path,
) -> None:
    """On a kiosk every visitor is the journal's default person: one visitor's "quieter"
    must not greet the next one at a fifth of the volume."""
    path = tmp_path / "journal.db"
    journal_session(path, "gentle-first", say=[("whole-back", "quieter")] * 3)
    log, carry = journal_session(path, "gentle-first")
    assert carry.delivery is None and _voice_events(log.events) == []


def test_rate_and_volume_given_for_this_run_win_over_the_remembered_voice() -> None:
    carry = Carryover(person="Sam", delivery=Delivery(rate=300, volume=0.2))
    assert flags_win(carry, None, None) is carry
    assert flags_win(carry, 400, None).delivery == Delivery(rate=400, volume=0.2)
    assert flags_win(carry, None, 1.0).delivery == Delivery(rate=300, volume=1.0)
    assert flags_win(Carryover(), 400, 1.0).delivery is None


def test_a_remembered_voice_is_said_aloud_before_the_session_goes_on() -> None:
    log = EventLog()
    session = Session(
        load_routine("gentle-first"),
        scheduler=Scheduler(VirtualClock()),
        voice=SilentVoice(),
        log=log,
        memory=Memory(Carryover(person="Sam", delivery=Delivery(rate=250, volume=0.6))),
    )
    session.start()
    session.scheduler.run_due()
    said = [e.text for e in log.events if isinstance(e, ev.Said)]
    assert said[0] == load_prompts("en")("voice.remembered")


def test_a_remembered_voice_is_applied_to_the_voice_itself() -> None:
    clock = VirtualClock()
    voice = SilentVoice(rate=300)
    session = Session(
        load_routine("gentle-first"),
        scheduler=Scheduler(clock),
        voice=voice,
        log=EventLog(),
        memory=Memory(Carryover(delivery=Delivery(rate=360, volume=0.6))),
    )
    session.start()
    assert voice.delivery == Delivery(rate=360, volume=0.6)
    line = "one two three"
    assert voice.say(line) == pytest.approx(estimate_seconds(line) * 300 / 360)


# --- the real voice ---------------------------------------------------------------------------


def test_the_audio_voice_renders_the_next_line_at_the_new_rate_and_volume() -> None:
    need_espeak()
    lines = line_audio()
    mixer = Mixer()
    voice = AudioVoice(mixer, lines, estimate=estimate_seconds)
    text = P("pause_reminder")
    try:
        slow = voice.say(text)
        mixer.cut()
        voice.tune(Delivery(rate=450, volume=0.4))
        fast = voice.say(text)
        assert voice.delivery == Delivery(rate=450, volume=0.4)
        assert mixer.volume == 0.4
        # a line at 450 words per minute takes well under half the time of one at 200
        assert fast < 0.5 * slow
    finally:
        lines.renderer.close()

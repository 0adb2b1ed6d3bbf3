"""The voice at its fastest, 450 words per minute: real pyttsx3 audio, the real recognizer,
and stroke cues on the session's virtual clock.

Two questions: does the narration stay understandable, and do stroke cues keep their beat?
Understanding is judged by Whisper tiny.en (the English recognizer) transcribing lines
rendered to WAV; the command words in each line (say *next*, *stop*...) must come out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from assistant.audio.pcm import read_wav, to_float
from assistant.clock import Scheduler, VirtualClock
from assistant.errors import SpeechEngineError
from assistant.events import EventLog
from assistant.events import kinds as ev
from assistant.intents import INTENT_NAMES, load_vocabulary
from assistant.narration.delivery import RATE_LIMITS
from assistant.narration.render import NarrationSettings, Pyttsx3Renderer
from assistant.narration.voice import SilentVoice
from assistant.prompts import load_prompts
from assistant.routine.loader import load_routine
from assistant.runner import Utterance, run_session
from assistant.session import Session
from assistant.session.sayable import help_line
from assistant.simulation.partner import SimulatedPartner
from tests.audiokit import need_espeak

P = load_prompts("en")
EN = load_vocabulary("en")
FASTEST = RATE_LIMITS[1]
#: every word that is, on its own, a command (numbers aside)
COMMAND_WORDS = {
    p.words[0] for p in EN.phrases if len(p.words) == 1 and p.intent in set(INTENT_NAMES) - {"pain"}
}
#: share of command words Whisper tiny.en must write down: it gets 15 of 22 at 175 words a
#: minute (espeak-ng's voice is far from what Whisper learned on), so the same bar at 450
CLEAR = 0.6
#: lines that tell the user what to say
LINES = (
    *(help_line(state, EN, P) for state in ("paused", "asking", "setup", "screening")),
    *(P(key) for key in ("stage_done_wait", "paused", "pause_reminder", "warning.ask", "lightest")),
)


@pytest.fixture(scope="module")
def renderers() -> Iterator[Callable[[int], Pyttsx3Renderer]]:
    need_espeak()
    made: dict[int, Pyttsx3Renderer] = {}

    def at(rate: int) -> Pyttsx3Renderer:
        if rate not in made:
            made[rate] = Pyttsx3Renderer(NarrationSettings(rate=rate))
            try:
                made[rate].seconds("test")
            except SpeechEngineError as exc:  # pragma: no cover - espeak-ng missing
                pytest.skip(f"speech engine unavailable: {exc}")
        return made[rate]

    yield at
    for r in made.values():
        r.close()


# --- stroke cues keep their beat ------------------------------------------------------------


def _session(rate: int, renderer: Pyttsx3Renderer, extra: list[Utterance]) -> EventLog:
    clock = VirtualClock()
    log = EventLog()
    partner = SimulatedPartner(clock, duration=renderer.seconds, extra=extra)
    log.add_sink(partner)
    voice = SilentVoice(renderer.seconds, rate=rate)
    session = Session(
        load_routine("swedish-back"), scheduler=Scheduler(clock), voice=voice, log=log
    )
    assert run_session(session, partner) == "finished"
    return log


def _beats(log: EventLog) -> dict[tuple[str, int], list[float]]:
    """Gaps between cues that follow each other with nothing said between, per (stage, set).

    A line said in between (an acknowledgement) restarts the stroke under way, so the gap
    across it is no beat; every other gap must be exactly one.
    """
    out: dict[tuple[str, int], list[float]] = {}
    last: ev.Cue | None = None
    for e in log.events:
        if isinstance(e, ev.Said):
            last = None
        elif isinstance(e, ev.Cue) and e.stage is not None:
            gaps = out.setdefault((e.stage, e.set), [])
            if last is not None and (last.stage, last.set) == (e.stage, e.set):
                gaps.append(e.t - last.t)
            last = e
    return out


def test_at_450_words_per_minute_stroke_cues_land_on_their_beats(
    renderers: Callable[[int], Pyttsx3Renderer],
) -> None:
    fast = renderers(FASTEST)
    log = _session(FASTEST, fast, [])
    routine = load_routine("swedish-back")
    paced = {s.id: s for s in routine.stages if s.pacing is not None}
    beats = _beats(log)
    assert {stage for stage, _ in beats} == set(paced)
    for (stage_id, _), gaps in beats.items():
        pacing = paced[stage_id].pacing
        assert pacing is not None
        beat = pacing.seconds_per_stroke / len(pacing.cues)
        assert len(gaps) >= 3
        assert np.allclose(gaps, beat, atol=1e-6), (stage_id, gaps)
        # each cue word is said and done before the next beat: none is dropped as late
        longest = max(fast.seconds(c) for c in pacing.cues)
        assert longest < beat
        assert fast.seconds(f"{P('last_stroke')} {pacing.cues[0]}") < beat


def test_stroke_timing_does_not_depend_on_the_voice_rate(
    renderers: Callable[[int], Pyttsx3Renderer],
) -> None:
    """The same routine at 175 and at 450 words per minute: every set of strokes lasts the
    same, only the spoken lines between them are shorter."""
    slow = _beats(_session(175, renderers(175), []))
    fast = _beats(_session(FASTEST, renderers(FASTEST), []))
    assert slow.keys() == fast.keys()
    for key in slow:
        assert slow[key] and np.allclose(slow[key], slow[key][0], atol=1e-6), key
        assert fast[key] and np.allclose(fast[key], slow[key][0], atol=1e-6), key


def test_speeding_the_voice_up_mid_strokes_keeps_the_beat(
    renderers: Callable[[int], Pyttsx3Renderer],
) -> None:
    """Six "speak faster" during strokes take the voice to 450; between acknowledgements
    the cues keep exactly the beat they had."""
    said = [Utterance(200.0 + 9 * i, "speak faster") for i in range(6)]
    log = _session(175, renderers(175), said)
    rates = [e.rate for e in log.events if isinstance(e, ev.VoiceSet)]
    assert rates[-1] == FASTEST
    acks = [e.t for e in log.events if isinstance(e, ev.Said) and e.text == P("voice.faster")]
    assert len(acks) == 6
    for (stage_id, _), gaps in _beats(log).items():
        stage = next(s for s in load_routine("swedish-back").stages if s.id == stage_id)
        assert stage.pacing is not None
        beat = stage.pacing.seconds_per_stroke / len(stage.pacing.cues)
        assert np.allclose(gaps, beat, atol=1e-6), (stage_id, gaps)


# --- the words stay understandable ----------------------------------------------------------


@pytest.fixture(scope="module")
def whisper() -> object:
    faster_whisper = pytest.importorskip("faster_whisper")
    from assistant.recognizers.whisper_model import find_whisper_model

    try:
        path = find_whisper_model(None)
    except Exception as exc:  # no model installed here
        pytest.skip(f"no Whisper model: {exc}")
    return faster_whisper.WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=1)


def _command_words_heard(whisper: object, renderer: Pyttsx3Renderer) -> tuple[int, int]:
    """(command words Whisper wrote down, command words in the lines)."""
    heard = total = 0
    for line in LINES:
        audio = to_float(read_wav(renderer.render(line).path))
        pad = np.zeros(8000, np.float32)  # half a second of silence either side
        segments, _ = whisper.transcribe(  # type: ignore[attr-defined]
            np.concatenate([pad, audio, pad]),
            language="en",
            beam_size=5,
            vad_filter=False,
            condition_on_previous_text=False,
            without_timestamps=True,
        )
        written = set(re.findall(r"[a-z]+", " ".join(s.text for s in segments).lower()))
        wanted = [w for w in re.findall(r"[a-z]+", line.lower()) if w in COMMAND_WORDS]
        heard += sum(w in written for w in wanted)
        total += len(wanted)
    print(f"{renderer.settings.rate} wpm: Whisper wrote {heard} of {total} command words")
    return heard, total


def test_at_the_usual_rate_whisper_hears_the_command_words_in_the_narration(
    whisper: object, renderers: Callable[[int], Pyttsx3Renderer]
) -> None:
    heard, total = _command_words_heard(whisper, renderers(175))
    assert total >= 15
    assert heard >= CLEAR * total, f"{heard} of {total}"


@pytest.mark.xfail(
    strict=True,
    reason="measured limit: espeak-ng at 450 wpm (about 530 real words a minute on these "
    "lines) is beyond Whisper tiny.en, which writes down 1 of 22 command words (15 at 175); "
    "trained screen-reader listeners follow it, so the rate stays allowed",
)
def test_at_450_words_per_minute_whisper_hears_the_command_words_in_the_narration(
    whisper: object, renderers: Callable[[int], Pyttsx3Renderer]
) -> None:
    heard, total = _command_words_heard(whisper, renderers(FASTEST))
    assert heard >= CLEAR * total, f"{heard} of {total}"

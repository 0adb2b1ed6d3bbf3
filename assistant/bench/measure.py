"""Run one system over labelled audio and record what it did, when, at what cost.

Everything is fed in 32 ms blocks, as the live stream delivers them, through one
continuous stream per run (the recognizer is not restarted between clips: that is
how it listens in a session). Each clip is padded with room tone, so that the
endpointer can close the utterance before the next one begins. Every block is
timed; a command's latency is measured in the audio timeline from the end of the
spoken word to the moment it takes effect, with the compute time of the block that
produced it added. Compute time is the worker process's processor time, as on a core of
its own: the benchmark runs several workers on a shared machine, and their waits for a
core are the machine's, not the listener's (wall-clock time is kept beside it):

* a command takes effect when that block has been processed;
* ``stop`` takes effect when the narration goes silent: the output block already
  pulled when the microphone block arrived still plays, so silence starts at the
  first output block pulled after processing ends (sound card latency not counted).
"""

from __future__ import annotations

import bisect
import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from assistant.audio.mixer import Mixer
from assistant.audio.pcm import RATE, Pcm
from assistant.bench.sets import Clip
from assistant.bench.snr import mix_at_snr
from assistant.bench.systems import Found, Listening, System
from assistant.intents import Intent
from assistant.simulation.room import Room, RoomSettings

__all__ = [
    "BLOCK",
    "Outcome",
    "Usage",
    "narration_echo",
    "run_clips",
    "stop_over_narration",
    "word_end",
]

BLOCK = 512
BLOCK_SECONDS = BLOCK / RATE
LEAD = 0.4  # room tone before each clip (s)
TAIL = 1.1  # and after it: the endpointer closes within 0.3 s, the final follows


@dataclass
class Usage:
    """Audio listened to and processor time spent on it."""

    audio: float = 0.0  # seconds
    compute: float = 0.0  # seconds of processor time
    wall: float = 0.0  # seconds of wall-clock time (more than compute on a busy machine)

    def add(self, other: Usage) -> None:
        self.audio += other.audio
        self.compute += other.compute
        self.wall += other.wall


@dataclass(frozen=True)
class Outcome:
    """What a system made of one clip."""

    said: str
    expected: Intent | None
    got: Intent | None  # the first command taken from the clip, if any
    extra: int  # further commands taken from the same clip
    latency: float | None  # seconds from end of word to effect, for a right answer
    origin: str
    stop_got: int = 0  # stops among the commands taken (false-accept counting)


@dataclass(frozen=True)
class _Timed:
    found: Found
    effect: float  # audio time at which the action takes effect


def room_tone(samples: int, rng: np.random.Generator) -> Pcm:
    """A microphone's own faint hiss (about -64 dBFS), never digital silence."""
    return (rng.standard_normal(samples) * 20).astype(np.int16)


def word_end(pcm: Pcm) -> float:
    """Seconds to the end of the loud part of a clip (recordings carry silence after)."""
    if not len(pcm):
        return 0.0
    mag = np.abs(pcm.astype(np.int32))
    loud = np.flatnonzero(mag > 0.1 * mag.max())
    return float(loud[-1] + 1) / RATE if len(loud) else 0.0


def effect_time(found: Found, compute: float) -> float:
    """When ``found`` takes effect, given the processing time of its block (module doc)."""
    if found.intent.name == "stop":
        return found.t + max(1, math.ceil(compute / BLOCK_SECONDS)) * BLOCK_SECONDS
    return found.t + compute


def _listen(
    listening: Listening, mic: Pcm, played: Pcm | None = None
) -> tuple[list[_Timed], Usage]:
    out: list[_Timed] = []
    usage = Usage(audio=len(mic) / RATE)
    for i in range(0, len(mic), BLOCK):
        block = mic[i : i + BLOCK]
        out_block = played[i : i + BLOCK] if played is not None else None
        t0, w0 = time.process_time(), time.perf_counter()
        found = listening.feed(block, out_block)
        spent = time.process_time() - t0
        usage.compute += spent
        usage.wall += time.perf_counter() - w0
        out += [_Timed(f, effect_time(f, spent)) for f in found]
    return out, usage


def run_clips(
    system: System,
    clips: list[Clip],
    *,
    noise: Pcm | None = None,
    snr: float | None = None,
    seed: int = 0,
) -> tuple[list[Outcome], Usage]:
    """Every clip in one stream (mixed with ``noise`` at ``snr`` dB when given)."""
    rng = np.random.default_rng(seed)
    lead = int(LEAD * RATE)
    parts: list[Pcm] = []
    starts: list[int] = []
    pos = 0
    for clip in clips:
        seg = np.concatenate([room_tone(lead, rng), clip.pcm, room_tone(int(TAIL * RATE), rng)])
        if snr is not None and noise is not None:
            seg = mix_at_snr(seg, noise, snr, rng, at=lead, length=len(clip.pcm))
        starts.append(pos)
        parts.append(seg)
        pos += len(seg)
    listening = system.open(None)
    try:
        timed, usage = _listen(listening, np.concatenate(parts) if parts else np.zeros(0, np.int16))
    finally:
        listening.close()
    per_clip: list[list[_Timed]] = [[] for _ in clips]
    for t in timed:
        i = bisect.bisect_right(starts, int(t.found.t * RATE)) - 1
        if 0 <= i < len(clips):
            per_clip[i].append(t)
    outcomes = []
    for i, (clip, got) in enumerate(zip(clips, per_clip, strict=True)):
        first = got[0].found.intent if got else None
        latency = None
        if got and first == clip.expected:
            latency = got[0].effect - (starts[i] / RATE + LEAD + word_end(clip.pcm))
        outcomes.append(
            Outcome(
                clip.said, clip.expected, first, max(0, len(got) - 1), latency, clip.origin,
                stop_got=sum(t.found.intent.name == "stop" for t in got),
            )
        )  # fmt: skip
    return outcomes, usage


@dataclass
class EchoRun:
    """Commands a system took from the assistant's own narration, echoed by the room."""

    found: list[Found] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)


def narration_echo(
    system: System,
    lines: list[tuple[str, Pcm]],
    gap: float = 0.8,
    room_settings: RoomSettings | None = None,
) -> EchoRun:
    """Play ``lines`` (text, audio) in turn, with pauses between, into a simulated room
    (the default one unless ``room_settings``); the system hears the microphone (and,
    if it can use it, what was played)."""
    mixer = Mixer()
    room = Room(room_settings or RoomSettings())
    listening = system.open(mixer)
    run = EchoRun()
    try:
        for text, pcm in lines:
            mixer.say(text, pcm)
            quiet_blocks = 0
            while mixer.speaking() or quiet_blocks < gap / BLOCK_SECONDS:
                quiet_blocks = 0 if mixer.speaking() else quiet_blocks + 1
                played, _ = mixer.read(BLOCK)
                timed, usage = _listen(listening, room.mic(played), played)
                run.usage.add(usage)
                run.found += [t.found for t in timed]
    finally:
        listening.close()
    return run


def stop_over_narration(
    system: System,
    lines: list[tuple[str, Pcm]],
    stops: list[Clip],
    *,
    offset: float = 3.0,
    room_settings: RoomSettings | None = None,
) -> tuple[list[float | None], Usage]:
    """Each stop clip said over the narration ``lines`` (long enough to outlast it):
    seconds from the end of the word to the narration falling silent (None: missed).

    The stop comes ``offset`` seconds or more into the narration: the echo canceller
    treats the first two seconds of any playback as echo while it learns the room.
    """
    latencies: list[float | None] = []
    total = Usage()
    for j, clip in enumerate(stops):
        mixer = Mixer()
        for text, pcm in lines:
            mixer.say(text, pcm)
        room = Room(replace(room_settings or RoomSettings(), seed=j))
        at = offset + (j % 7) * 0.23  # spread over the sentence
        room.say(at, clip.pcm)
        listening = system.open(mixer)
        cut_at: int | None = None  # block index from which the narration is cut
        narration: list[Pcm] = []
        try:
            for k in range(int((at + len(clip.pcm) / RATE + 2.0) / BLOCK_SECONDS)):
                if cut_at is not None and k == cut_at:
                    mixer.cut()
                played, voice = mixer.read(BLOCK)
                narration.append(voice)
                timed, usage = _listen(listening, room.mic(played), played)
                total.add(usage)
                for t in timed:
                    if t.found.intent.name == "stop" and cut_at is None:
                        cut_at = round(t.effect / BLOCK_SECONDS)
        finally:
            listening.close()
        if cut_at is None:
            latencies.append(None)
            continue
        voice_all = np.concatenate(narration)
        sounding = np.flatnonzero(voice_all)
        silent = (sounding[-1] + 1) / RATE if len(sounding) else 0.0
        latencies.append(silent - (at + word_end(clip.pcm)))
    return latencies, total

"""Removing the assistant's own voice from the microphone signal.

The mixer knows exactly what went to the speaker, so an adaptive filter can learn
the room's echo path and subtract it: Speex echo cancellation (with its residual
echo suppressor) through the ``pyaec`` package, driven with numpy buffers in 10 ms
frames. Without pyaec the signal passes through unchanged and the listener's
narration filter is the only guard. WebRTC's AEC3 (``pywebrtc-audio``, wheels for
x86_64 and aarch64) was measured in its place and kept fewer stops said over the
narration (2 of 16 against 6 of 16, bench/README.md): its suppressor takes a quiet
person for echo.
"""

from __future__ import annotations

import ctypes
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from assistant.audio.pcm import RATE, Pcm

__all__ = ["DUCK_GAIN", "TAIL_SECONDS", "EchoCanceller", "EchoGate"]

#: Narration gain while someone is heard over it (-12 dB).
DUCK_GAIN = 0.25
#: The canceller has learned the room once its usual enhancement is this far above
#: the margin by which a person must break it.
SCHOOLED_DB = 10.0
#: Seconds of echo the canceller's filter models. A room's echo goes on for its
#: reverberation time; whatever comes later than the filter reaches is left in the
#: output. With 0.128 s, a living room with a 0.4 s reverberation and the speaker
#: louder at the microphone kept only 17 dB of the echo out (27 dB in the benchmark's
#: drier room); the gate let that residue through, and Whisper made 57 commands of
#: the four routines' narration there (1,104 s) and caught 31 of 60 stops said over it.
#: With 0.256 s: 29 dB, no command, 46 of 60 stops; in the benchmark's room 52 to 55
#: of 60. 0.4 s learns slower and gained nothing (bench/README.md, "Issue 14m"). Cost:
#: under 1 % of a core here.
TAIL_SECONDS = 0.256

_P16 = ctypes.POINTER(ctypes.c_int16)


class EchoCanceller:
    """Streaming echo cancellation; any block size in, the same size out."""

    def __init__(
        self,
        tail_seconds: float = TAIL_SECONDS,
        frame: int = 160,
        gate: EchoGate | None = None,
    ) -> None:
        self.frame = frame
        self.gate = gate
        self._lib: Any = None
        self._handle: Any = None
        try:
            from pyaec import lib
        except (ImportError, OSError):  # pragma: no cover - wheel missing for this platform
            lib = None
        if lib is not None:
            self._lib = lib
            self._handle = lib.AecNew(frame, int(tail_seconds * RATE), RATE, True)
        self._mic = np.zeros(0, dtype=np.int16)
        self._ref = np.zeros(0, dtype=np.int16)

    @property
    def active(self) -> bool:
        return self._handle is not None

    def process(self, mic: Pcm, ref: Pcm) -> Pcm:
        """Microphone block minus the echo of ``ref`` (what was played at the same time).

        Output lags input by less than one 10 ms frame when block sizes are not
        multiples of it; the lag is constant, so timing stays true.
        """
        if self._handle is None:
            return self.gate.process(mic, mic, ref) if self.gate is not None else mic
        self._mic = np.concatenate([self._mic, mic])
        self._ref = np.concatenate([self._ref, ref])
        usable = len(self._mic) // self.frame * self.frame
        out = np.empty(usable, dtype=np.int16)
        m = np.ascontiguousarray(self._mic[:usable])
        r = np.ascontiguousarray(self._ref[:usable])
        for i in range(0, usable, self.frame):
            self._lib.AecCancelEcho(
                self._handle,
                m[i:].ctypes.data_as(_P16),
                r[i:].ctypes.data_as(_P16),
                out[i:].ctypes.data_as(_P16),
                self.frame,
            )
        self._mic = self._mic[usable:]
        self._ref = self._ref[usable:]
        return self.gate.process(m, out, r) if self.gate is not None else out

    def close(self) -> None:
        if self._handle is not None:
            self._lib.AecDestroy(self._handle)
            self._handle = None

    def __del__(self) -> None:
        self.close()


class EchoGate:
    """Silences blocks that hold nothing but the assistant's own (cancelled) voice, and
    notices a person talking over it.

    While the speaker is sounding, the canceller's output should be far weaker than
    its input. When it is (the echo return loss enhancement, smoothed over about
    0.1 s, is above ``erle_db``), or when the output is too faint to be a person
    talking (below ``residual_db`` dBFS), what is left is residual echo: the block
    is passed on as silence so that the recognizer does not make words of it. With the
    speaker quiet, the microphone goes through untouched, as recorded.

    A person talking over the voice raises the output: one block whose own enhancement
    falls ``near_db`` below the canceller's usual figure (a sound the echo cannot
    explain), once that figure has reached ``near_db`` + :data:`SCHOOLED_DB` (the
    canceller has learned the room), counts as someone heard,
    for ``near_hold`` seconds after the last such block. While someone is heard,
    ``duck`` (the mixer's gain control, if given) lowers the narration, so that the
    rest of their word stands above the echo, and with ``pass_heard`` the output goes
    through ungated: right for a recognizer that rejects what is not a command
    (Whisper), wrong for a grammar that always answers (PocketSphinx would make
    commands of the residual echo that comes through with a false alarm). It reacts
    within a block, to any sound: a voice detector would wait for the gate to let the
    word through, and under loud narration the gate would not.

    It notices a block or a few late, and the word's onset, silenced meanwhile, is
    what tells "stop" from "top" or "so". So the canceller's output of the blocks it
    silenced just before (up to ``look_back`` seconds) is kept, and when it notices
    someone and passes them through, ``restore`` is handed that audio, to put back in
    place of the silence already sent (the recognizer's ``amend``): no delay added.
    """

    def __init__(
        self,
        erle_db: float = 18.0,
        residual_db: float = -50.0,
        hold_seconds: float = 0.3,
        smooth_seconds: float = 0.1,
        learn_seconds: float = 2.0,
        near_db: float = 20.0,
        near_hold: float = 0.5,
        near_window: int = 10,
        duck: Callable[[float], None] | None = None,
        pass_heard: bool = True,
        restore: Callable[[Pcm], None] | None = None,
        look_back: float = 0.2,
    ) -> None:
        self.erle = 10 ** (erle_db / 10)
        self.residual = 10 ** (residual_db / 10) * 32768.0**2
        self.silent = 10 ** (-60 / 10) * 32768.0**2  # what counts as the speaker being quiet
        self.hold = int(hold_seconds * RATE)  # the echo outlasts what is played (reverberation)
        self.smooth = smooth_seconds
        self._since_sound = self.hold  # samples since the speaker last sounded
        self._e_in = 0.0
        self._e_out = 0.0
        self.gated = 0  # blocks silenced, for diagnostics
        self.blocks = 0
        self.learn = int(learn_seconds * RATE)
        self._heard_sound = 0  # samples of sound played so far: the canceller's schooling
        self.near_db = near_db
        self._erle_db = 0.0  # the canceller's usual enhancement, in dB (about a second's)
        self._recent: deque[float] = deque(maxlen=near_window)  # microphone block energies
        self.near_block = False  # the latest block held a sound the echo cannot explain
        self.near_hold = int(near_hold * RATE)
        self._since_near = self.near_hold  # samples since a block the echo cannot explain
        self.duck = duck
        self.pass_heard = pass_heard
        self._ducked = False
        self.restore = restore
        self.look_back = int(look_back * RATE)
        self._silenced: deque[Pcm] = deque()  # the canceller's output of the latest gated blocks
        self.restored = 0  # onsets handed back, for diagnostics

    @property
    def hearing(self) -> bool:
        """Whether someone was heard over the narration just now."""
        return self._since_near < self.near_hold

    def _notice(self, e_in: float, e_out: float, samples: int) -> None:
        """Someone heard over the narration? Duck while they are, for ``near_hold``.

        The output is weighed against the loudest microphone block of the last
        ``near_window`` blocks, not the current one: when a word of the narration
        ends, its reverberation lingers in the output while the microphone falls, and
        that is no person.
        """
        self._recent.append(e_in)
        block_db = 10 * np.log10(max(max(self._recent), 1.0) / max(e_out, 1.0))
        usual = self._erle_db
        self.near_block = bool(
            samples
            and usual >= self.near_db + SCHOOLED_DB
            and e_out > self.residual
            and block_db < usual - self.near_db
        )
        if self.near_block:
            self._since_near = 0
        else:
            self._since_near += samples
            if samples:  # only the echo alone teaches what is usual
                a = min(1.0, samples / RATE)
                self._erle_db += a * (block_db - self._erle_db)
        if self.duck is not None and self.hearing != self._ducked:
            self._ducked = self.hearing
            self.duck(DUCK_GAIN if self._ducked else 1.0)

    def process(self, mic: Pcm, clean: Pcm, played: Pcm) -> Pcm:
        """``clean`` (the canceller's output for ``mic``) or silence of the same length."""
        if not len(clean):
            return clean
        self.blocks += 1
        a = min(1.0, len(clean) / (self.smooth * RATE))
        e_in = float(np.mean(mic[-len(clean) :].astype(np.float64) ** 2))
        e_out = float(np.mean(clean.astype(np.float64) ** 2))
        self._e_in += a * (e_in - self._e_in)
        self._e_out += a * (e_out - self._e_out)
        e_ref = float(np.mean(played.astype(np.float64) ** 2)) if len(played) else 0.0
        if e_ref > self.silent:
            self._since_sound = 0
            self._heard_sound += len(played)
        else:
            self._since_sound += len(clean)
        if self._since_sound >= self.hold:
            # nothing to cancel: the microphone as it is (the canceller's noise
            # suppression would only colour a person's voice)
            self._since_near = self.near_hold
            self._notice(0.0, 0.0, 0)
            self._silenced.clear()
            return np.ascontiguousarray(mic[-len(clean) :])
        self._notice(e_in, e_out, len(clean))
        if self.hearing and self.pass_heard:
            self._give_back()
            return clean
        if self._heard_sound < self.learn:
            echo_only = True
        else:
            echo_only = self._e_in > self.erle * max(self._e_out, 1.0)
        if echo_only or self._e_out < self.residual:
            self.gated += 1
            self._keep_silenced(clean)
            return np.zeros_like(clean)
        self._silenced.clear()
        return clean

    def _keep_silenced(self, clean: Pcm) -> None:
        self._silenced.append(clean.copy())
        while sum(map(len, self._silenced)) - len(self._silenced[0]) >= self.look_back:
            self._silenced.popleft()

    def _give_back(self) -> None:
        """The silenced onset, handed to ``restore`` once, when a person is noticed."""
        if self._silenced and self.restore is not None:
            self.restored += 1
            self.restore(np.concatenate(self._silenced)[-self.look_back :])
        self._silenced.clear()

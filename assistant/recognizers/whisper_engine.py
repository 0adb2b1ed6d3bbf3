"""English commands with Whisper tiny.en (CTranslate2) on utterances cut by Silero VAD.

Why it is built this way (figures in ``bench/README.md``):

* **Only what the voice detector cuts is decoded**: Whisper's encoder costs the same
  for a word as for silence, so it runs once per utterance, not on the stream.
* **Biased to the vocabulary**: the decoder's prompt lists the vocabulary's command
  words and numbers (built from ``assistant/intents/en.yaml``, so a new intent joins
  by itself), then its ``prompt`` phrases, the warning signs. Plain decoding writes
  "now" for *no* and "nice" for *nine*; the prompt turns most of those misses into
  hits. With single words only, "my leg is numb" came out "My leg is." and "I feel
  sick" as "Five."; named in the prompt, they are heard.
* **Scored, not just transcribed**: one greedy decode at temperature 0 (faster-whisper's
  fallback sampling is where hallucinated commands came from), rejected when Whisper
  thinks there was no speech, when the mean token log-probability is low, or when the
  text is longer than any command and holds no stop (a decoder loop, "seven. seven.
  seven.", is first taken back to its first round); what is left must parse as one
  phrase of the vocabulary, or it is nothing. Better unheard than misheard.
* **The urgent class acts early**: a short pause (0.1 s) inside or after speech gets
  an early decode; when it holds a ``stop`` or ``warning`` phrase, that is reported
  at once as a final result, without waiting for the utterance to end. Long speech is
  also looked at every second, so "stop" inside a sentence is not held up. The same
  decode serves the end of the utterance when no speech followed it.
* **A glance first**: a short utterance's early look is first decoded padded with
  silence to 3 s (a 4 s encoder window), three output tokens at most; only a stop is
  taken from it. The encoder's cost is proportional to its window. Padded with real
  silence, not blank features: in a short window blank features cost a third of the
  stops said over the narration. When the glance holds no stop, the full decode
  follows, as before.
* **Two pairs of ears for the detector**: Silero listens to the raw audio and to the
  audio with the steady noise suppressed (:mod:`.denoise`), and the larger probability
  counts; in loud noise many more words are cut. Whisper decodes the raw audio.
* **Context before the word**: each cut keeps 0.8 s of audio from before the
  detector noticed speech. In noise Silero starts late, inside the word; Whisper,
  given what came before, hears the whole of it. (It also made issue 14g's second
  decode of rejected words, padded with silence, useless: that is gone.) A cut that
  came to nothing (a breath or a click just before a word) leaves its audio as the
  next cut's context instead of taking it away.
* **A word held open by noise fades out**: in loud noise the detector's probability can
  hover above its end threshold for seconds after a word, so the command waited and ran
  into the next one; 0.6 s without clear speech now ends the utterance
  (:class:`.SpeechCutter`'s ``fade``).
* **A second hearing without the noise**: an utterance whose decode is rejected is
  decoded once more from the suppressor's output (the detector's second pair of ears
  keeps it), when the suppressor took out enough of it to matter (``SECOND_HEARING_DB``;
  on a quiet room's words it takes out almost nothing, and a second decode there would
  be a second chance to mishear). It is judged by the same rules. Rejected again, it
  is heard a third time with less of the context before the word (0.3 s instead of
  0.8 s): in loud noise that context holds sounds Whisper takes for part of the word
  ("Hey." for *eight*, "Fine." for *five*, heard right with less of it).
* **A second opinion from a larger model**: a short utterance rejected in every hearing
  is heard once more by Whisper ``base`` (the raw audio, then the suppressed one)
  (:mod:`.second_model`), believed only at a strict score (``SECOND_MIN_LOGPROB``). It
  was trained apart from tiny.en and misses other words: on the bench's real people it
  wrote "Five." where tiny.en wrote "Fine.", "Two." for "Cool.". Alone it hears fewer
  words than tiny.en; as a second opinion it adds some (bench/README.md, "Issue 14n").
  Only for cuts as short as a command (longer talk never pays for it), and only on a
  machine fast enough that the words said next do not wait long for it. It is opened in
  the background the first time a word needs it (:mod:`.deferred`): start-up and a
  machine too slow to ask it (a Pi 4) never pay its load and its 90 MB.
* **A cross-check in noise**: under the same conditions, and where the suppressor found
  noise, a command tiny.en heard is heard by base too; another command in both of its
  views, as surely, takes its place (mostly a digit for its neighbour: a pain reading
  one off). A command that asks for care stands (:func:`overrules`; "Issue 14o").
* **A watch between utterances**: in loud noise the detector never notices some words
  a person says plainly, so while nothing is cut, the last seconds are looked at every
  half second, when a short sound in them has died down (:mod:`.idle_watch`), under
  the same speed rule as the second opinion ("Issue 14q").
* **A shorter encoder window**: the encoder sees ``WINDOW`` seconds instead of 30
  (CTranslate2 accepts shorter inputs); per decode that is about a third of the work.
* **Confirmed in the full window**: a short cut rejected by every hearing, where one of
  them wrote a command at a looser score (:func:`proposals`), is decoded once more in
  Whisper's own 30 s window, which hears words in noise better than the 10 s one at
  three times the cost; the same command there, at the usual score, is taken. Under the
  second opinion's speed rule ("Issue 14r").
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.intents import Intent, Vocabulary, normalize, parse
from assistant.recognizers import Hypothesis, Opened, RecognizerError
from assistant.recognizers.deferred import Deferred
from assistant.recognizers.denoise import removed_db, voice_detector
from assistant.recognizers.idle_watch import IdleWatch
from assistant.recognizers.second_model import find_second_model
from assistant.recognizers.vad import (
    CHUNK,
    ChunkFeed,
    Cut,
    Event,
    SpeechCutter,
    as_floats,
)
from assistant.recognizers.whisper_model import find_whisper_model

__all__ = [
    "FAST_INTENTS",
    "Decoded",
    "WhisperDecoder",
    "WhisperRecognizer",
    "open_whisper",
    "overrules",
]

RATE = 16000
log = logging.getLogger(__name__)
#: Intents that act on an early look, before the utterance ends: stopping, and the
#: warning signs of the care-and-safety work (tingling, numb, sharp...), when the
#: vocabulary has them.
FAST_INTENTS = ("stop", "warning")
#: Seconds of audio the encoder sees (longer utterances get a longer window, up to 30).
WINDOW = 10.0
#: The glance at a short utterance for a stop: seconds of audio it sees (the utterance
#: and silence after it; longer ones get none) and output tokens (" Stop." is two).
#: On the cuts the early look decoded in the bench's 60 stops over the narration: 50
#: heard against the full decode's 52, at 0.13 s of processor time against 0.21 s.
#: With the 0.8 s pre-roll (issue 14i) more of the 3 s is taken by what came before the
#: word, so an utterance longer than about 2 s of speech gets no glance (about 1.7 s
#: after an amended onset, whose pre-roll is longer).
GLANCE_SECONDS = 3.0
GLANCE_TOKENS = 3
#: CTranslate2 weight type: int8 is the fastest on a CPU and keeps accuracy for tiny.en.
COMPUTE_TYPE = "int8"
#: One thread: the benchmark measures one core, and a Pi's other cores play and listen.
#: ``$MASSAGE_WHISPER_THREADS`` raises it (a Raspberry Pi 4 answers faster with 3).
THREADS_ENV = "MASSAGE_WHISPER_THREADS"

#: Mean log-probability per output token below which a result is not trusted.
MIN_LOGPROB = -1.3
#: Warnings are believed at a stricter score: in noise the decoder sometimes writes a
#: prompt phrase ("I feel sick." for a "three" at 6 dB, -1.0 to -1.3), while warnings
#: said scored -0.05 to -0.75 (espeak-ng voices, bench/README.md).
MIN_WARNING_LOGPROB = -0.9
#: Whisper's own no-speech rule: probability above this with a log-probability under
#: ``NO_SPEECH_LOGPROB`` means it heard no speech.
NO_SPEECH = 0.6
NO_SPEECH_LOGPROB = -0.5
#: Tokens a command could need, after the prompt (the longest phrase, with punctuation).
MAX_TOKENS = 16
#: Silero thresholds and timing for utterances (see :class:`SpeechCutter`). The pre-roll
#: is long for Whisper's sake: in noise Silero notices a word late, and a cut that
#: starts at the word loses its onset ("Fine." for *five*); 0.8 s of what came before
#: gave Whisper the whole word (real people clean 88.0 to 91.0 %, at 12 dB 70.1 to
#: 74.0 %, bench/README.md, "Issue 14i"). The cost: at 6 dB more words reach Whisper
#: half-heard, and wrong commands there rose from 18 to 29 of 458.
#: ``fade``: in loud noise the probability can hover above ``keep`` for seconds after
#: a word; 0.6 s without clear speech ends the utterance (on the bench's real set at
#: 6 dB 288 to 293 right, none more wrong; 0.45 s gave the same, 0.8 s 291).
#: ``start`` 0.2: with both pairs of ears and three hearings, the quieter start cuts
#: words the detector barely noticed in loud noise (6 dB 317 to 331 right, 35 to 39
#: wrong; 0.25 gave 325 and 36); in 8 minutes of recorded noise only dish clatter is
#: cut, three times, and no command comes of it (bench/README.md, "Issue 14l").
#: 0.15 was tried with the second model (issue 14o): 3 more words right at 12 and at
#: 6 dB, but noise other than dishes was cut and fragments of talk reached base.
CUT = {"start": 0.2, "keep": 0.2, "pause": 0.1, "end": 0.3, "pre_roll": 0.8, "fade": 0.6}
#: A rejected cut with at most this many chunks of clear speech (0.32 s) was a breath or
#: a click rather than talk: its audio is kept as the next cut's context. Rejected talk
#: is not, or a word at its end ("...and no") would come back with whatever follows.
BLIP_CHUNKS = 10
#: A rejected utterance is decoded again from the suppressed audio when the suppressor
#: took at least this much out of it (dB; an eighth of its energy). On the bench's real
#: people, such a second hearing turned 15 misses into right answers at 6 dB (3 wrong),
#: 9 at 12 dB (2 wrong); words in a quiet room lose 0.0-0.5 dB to the suppressor, and
#: there the second hearing only took 3 of 387 other words for commands, so it is not
#: asked for (bench/README.md, "Issue 14k").
SECOND_HEARING_DB = 0.6
#: Seconds of context before the word for a third hearing, when the second is rejected
#: too: the suppressed audio again, with less of what came before. In loud noise the
#: context that helps most words also carries sounds Whisper folds into the word
#: ("Hey." for *eight*); on the bench's real people this took 6 dB from 305 to 317
#: right (34 to 35 wrong), 12 dB from 364 to 368 (bench/README.md, "Issue 14l").
THIRD_HEARING_CONTEXT = 0.3
#: The second opinion (Whisper base) is believed at this mean log-probability or better:
#: at -0.6, on the bench's real people, rejected cuts gave 6 / 8 / 4 more right (clean,
#: 12 dB, 6 dB, offline) for 2 / 1 / 1 wrong and 5 more of 387 other words taken; at
#: -1.0, 15 other words and 12 wrong at 6 dB. In the full run: 417 to 423 right clean,
#: 369 to 379 at 12 dB, 331 to 334 at 6 dB (bench/README.md, "Issue 14n").
SECOND_MIN_LOGPROB = -0.6
#: ... and asked only for a cut with at most this many chunks of clear speech (1.3 s):
#: every command it heard had under 30, every stretch of the bench's conversation over 38.
SECOND_OPINION_CHUNKS = 40
#: ... and only on a machine where tiny.en decoded the cut in at most this much processor
#: time (s). Base costs 1.4 times tiny.en here, two to three times on a Pi 4, and words
#: said next wait for it: a stop must not wait seconds behind a rescued word. Here one
#: decode takes 0.05-0.2 s; on a Pi 4 about 2 s (0.8 s with three threads, which sums
#: them), so the Pi keeps its speed and goes without (bench/README.md, "Issue 14n").
SECOND_OPINION_CPU = 0.3
#: A command tiny.en heard in noise (where the suppressor took out enough to give a
#: second view) is checked by the second model in the same conditions; where the raw
#: and the suppressed audio both give it another command, the raw at least as surely
#: as tiny.en's own and at the second opinion's score, that command is taken. Mostly
#: digits for neighbours ("Three." for *two*); on the bench's real people it turned
#: 2 / 4 / 5 wrong answers into right ones (clean, 12 dB, 6 dB) and 1 right one at
#: 6 dB into a wrong one (bench/README.md, "Issue 14o"). Never away from a command that
#: asks for care, never into a warning (:func:`overrules`).
CROSS_CHECK = True
#: Look at the audio the voice detector let pass, for words it never noticed
#: (:mod:`.idle_watch`): on the bench's real people 383 to 388 right at 12 dB, 338 to 355
#: at 6 dB, still no command from noise, talk or the narration (bench/README.md, "Issue
#: 14q"). Only where :data:`SECOND_OPINION_CPU` allows.
WATCH = True
#: A short cut rejected in every hearing, where a hearing wrote a command at this mean
#: log-probability or better, is decoded once more in the full window and the command
#: taken when that decode writes it too, at :data:`MIN_LOGPROB`. On the bench's real
#: people (offline, every view of each rejected cut logged): at -1.6, 7 / 5 more right
#: at 12 / 6 dB and none wrong; at -1.3, 4 / 3; at -2.0, 7 / 5 with 2 wrong at 6 dB
#: (bench/README.md, "Issue 14r").
CONFIRM_LOGPROB = -1.6
#: Seconds of Whisper's own window: the one it was trained on. Decoding the same cuts at
#: 12 dB, 10 s heard 251 of 377 words, 20 s 259, 30 s 270; it costs three times as much.
FULL_WINDOW = 30.0
#: Confirm a half-heard command in the full window (:meth:`WhisperRecognizer._confirm`):
#: on the bench's real people 12 dB 388 to 392-395 right, 6 dB 355 to 356 (within the
#: budget below), none more wrong, no other word, noise or talk taken (bench/README.md,
#: "Issue 14r").
CONFIRM = True
#: ... only while the whole end of the utterance (every hearing, then this decode, at
#: three times the latest 10 s decode) stays within this much processor time (s): a
#: stop said next waits behind the hearings of the word before it, and the full window
#: rescues too few words to make it wait over a second on a machine like this. On the
#: bench's 12 dB stream (two workers sharing two cores), the hearings before it and
#: its estimate came to 0.56-1.21 s; 4 of the 7 words it rescued there are within 1 s.
CONFIRM_BUDGET = 1.0
#: Every hearing after an utterance's first decode (the suppressed views, the second
#: opinion, the cross-check, the full window) is asked only while the time the listening
#: thread has spent on that utterance's end, plus the slowest decode of it so far (the
#: next one's estimate), stays within this many seconds of the wall clock. The
#: microphone's queue holds :data:`assistant.audio.live.QUEUE_SECONDS` (6 s) meanwhile,
#: so a stop said right after a rejected word waits about this long at most (plus the
#: first decode, when that alone takes longer) instead of being dropped. The budget
#: counts from the end's start, not from how far behind the thread already was: early
#: looks during a long utterance on a slow machine (a Pi 4 on one thread) can still
#: push it past the queue. On the bench's
#: 12 and 6 dB streams (two workers sharing two cores) an utterance's end took 1.7 s at
#: most and 1.1 s at the 99th percentile, so the budget never bound; on a Pi 4 with
#: three threads (0.8 s a decode) all three tiny.en hearings fit, on one thread (2 s)
#: only the first (bench/README.md, "Issue 14s").
ENDING_BUDGET = 3.0
#: Commands never taken by confirmation: a warning (in noise tiny.en writes the prompt's
#: "I feel sick." for digits), and more pressure, which should be asked for plainly.
UNCONFIRMED = frozenset({"warning", "firmer"})
_THIRD_HEARING_CHUNKS = round(THIRD_HEARING_CONTEXT * RATE / CHUNK)  # 9 chunks: 0.29 s

Floats = npt.NDArray[np.float32]


def _threads() -> int:
    try:
        return max(1, min(8, int(os.environ.get(THREADS_ENV, "1"))))
    except ValueError:
        return 1


@dataclass(frozen=True)
class Decoded:
    """One decode of an utterance: Whisper's text and its scores."""

    text: str
    logprob: float  # mean log-probability per token
    no_speech: float  # Whisper's probability that there was no speech


@functools.cache
def _model(path: str) -> Any:
    """The CTranslate2 model, loaded once per process (bench and tests open many)."""
    import ctranslate2

    try:
        return ctranslate2.models.Whisper(
            path, device="cpu", compute_type=COMPUTE_TYPE, intra_threads=_threads()
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise RecognizerError(f"the Whisper model at {path} cannot be loaded: {exc}") from exc


def prompt_words(vocabulary: Vocabulary) -> list[str]:
    """What the prompt lists: each intent's first one-word phrase (or, for an intent said
    only in phrases, its first phrase: "speak slower", "learner mode"), the numbers, then
    the vocabulary's prompt phrases (the warning signs: "My leg is numb.").

    An intent the prompt did not name was heard worse: "learner mode" came out "Lighter
    mode", drawn to the prompt's "Lighter" (bench/README.md, "Issue 14h")."""
    cued = {vocabulary.index[_cue_words(c)].intent for c in vocabulary.cues}
    words: list[str] = []
    for intent in dict.fromkeys(p.intent for p in vocabulary.phrases):
        if intent == "pain":
            continue
        phrases = list(vocabulary.sentences(intent))
        first = next((p for p in phrases if len(p.words) == 1), None)
        if first is None and intent not in cued:  # the warning signs have their own cues
            first = phrases[0]
        if first is not None:
            words.append(" ".join(first.words))
    return list(dict.fromkeys([*words, *vocabulary.numbers, *vocabulary.cues]))


def _cue_words(cue: str) -> tuple[str, ...]:
    return tuple(cue.lower().replace("'", "").split())


class WhisperDecoder:
    """Audio of one utterance in, :class:`Decoded` out."""

    def __init__(self, path: Path, vocabulary: Vocabulary, window: float = WINDOW) -> None:
        import ctranslate2
        import tokenizers
        from faster_whisper.feature_extractor import FeatureExtractor
        from faster_whisper.tokenizer import Tokenizer

        self._ct2 = ctranslate2
        self.model = _model(str(path))
        try:
            raw = tokenizers.Tokenizer.from_file(str(path / "tokenizer.json"))
        except Exception as exc:  # the tokenizers library raises its own kind
            raise RecognizerError(f"the Whisper tokenizer in {path} is unreadable: {exc}") from exc
        multilingual = self.model.is_multilingual
        self.tokenizer = Tokenizer(raw, multilingual, task="transcribe", language="en")
        self.features = FeatureExtractor(feature_size=self.model.n_mels)
        self.window = window
        text = " " + " ".join(f"{w[0].upper()}{w[1:]}." for w in prompt_words(vocabulary))
        tok = self.tokenizer
        self.prompt = [tok.sot_prev, *tok.encode(text), *tok.sot_sequence, tok.no_timestamps]

    def decode(self, audio: Floats, window: float = 0.0, tokens: int = MAX_TOKENS) -> Decoded:
        """Greedy decode at temperature 0 of ``audio`` (16 kHz floats), in an encoder
        window of ``window`` seconds (this decoder's own when 0), ``tokens`` at most.
        The window is filled after the audio with blank features."""
        feats = self.features(audio)
        seconds = min(30.0, max(window or self.window, len(audio) / RATE + 1.0))
        frames = int(seconds * 100)
        feats = feats[:, :frames]
        if feats.shape[1] < frames:
            feats = np.pad(feats, ((0, 0), (0, frames - feats.shape[1])))
        view = self._ct2.StorageView.from_array(np.ascontiguousarray(feats[None], np.float32))
        result = self.model.generate(
            view,
            [self.prompt],
            beam_size=1,
            return_scores=True,
            return_no_speech_prob=True,
            max_length=len(self.prompt) + tokens,
            suppress_blank=True,
            suppress_tokens=[-1],
        )[0]
        ids = [t for t in result.sequences_ids[0] if t < self.tokenizer.eot]
        return Decoded(
            self.tokenizer.decode(ids).strip(),
            float(result.scores[0]) if result.scores else float("-inf"),
            float(result.no_speech_prob),
        )


def judge(
    decoded: Decoded, vocabulary: Vocabulary, min_logprob: float = MIN_LOGPROB
) -> tuple[str, Intent | None]:
    """The utterance as vocabulary words and its intent, or ("", None) when rejected
    (a mean log-probability under ``min_logprob`` is not trusted)."""
    if decoded.no_speech > NO_SPEECH and decoded.logprob < NO_SPEECH_LOGPROB:
        return "", None
    if decoded.logprob < min_logprob:
        return "", None
    words = unloop(normalize(decoded.text, vocabulary))
    text = " ".join(words)
    intent = parse(text, vocabulary) if words else None
    if intent is None:
        return "", None
    if intent.name == "warning" and decoded.logprob < MIN_WARNING_LOGPROB:
        return "", None
    if len(words) > vocabulary.longest + 3 and intent.name != "stop":
        return "", None  # longer than any command: talk (a stop in it still stops)
    return text, intent


#: Commands that ask for care: once heard, the cross-check never takes them back.
CARE_INTENTS = frozenset({*FAST_INTENTS, "ouch", "pause", "lighter"})
#: A pain reading from here up changes the hands' work (the care rules' comfort limit,
#: ``assistant/care/pain.py``): the cross-check never lowers it.
CAREFUL_PAIN = 7


def overrules(heard: Intent, other: Intent | None) -> bool:
    """Whether the second model's ``other`` may take the place of ``heard``, the command
    tiny.en heard: a different command; never in place of one that asks for care
    (stop, a warning, ouch, pause, lighter) nor lowering a pain reading that matters,
    since what keeps hands safe is never taken back; and never a warning itself (on
    loud noise base writes the prompt's "I feel dizzy" for a plain "yes")."""
    if other is None or other == heard or other.name == "warning":
        return False
    if heard.name in CARE_INTENTS:
        return False
    if other.name in CARE_INTENTS:
        return True  # towards care ("no" heard, "stop" said)
    if heard.name == "pain" and (heard.value or 0) >= CAREFUL_PAIN:
        return other.name == "pain" and (other.value or 0) > (heard.value or 0)
    return True


def unloop(words: list[str]) -> list[str]:
    """A decoder loop taken back to what it repeats: "seven seven seven" -> "seven".

    Greedy decoding after a prompt that lists words tends to go on listing the word it
    heard until the token limit; the first round is what was said. Only a sequence
    that is nothing but one unit repeated (the last round perhaps cut short) is taken
    back; anything else is left for the parser to judge.
    """
    n = len(words)
    for k in range(1, n // 2 + 1):
        if all(words[i] == words[i % k] for i in range(n)):
            return words[:k]
    return words


def proposals(
    hearings: list[Decoded], vocabulary: Vocabulary, min_logprob: float = CONFIRM_LOGPROB
) -> set[Intent]:
    """The commands the hearings of one cut wrote at ``min_logprob`` or better, none of
    them in :data:`UNCONFIRMED`: only these may be confirmed by the full-window decode."""
    found = {judge(decoded, vocabulary, min_logprob)[1] for decoded in hearings}
    return {i for i in found if i is not None and i.name not in UNCONFIRMED}


class WhisperRecognizer:
    """Silero cuts utterances; Whisper decodes them; only vocabulary phrases come out."""

    name = "whisper"
    sample_rate = RATE
    rejects = True  # what is not a command gives nothing (the echo gate relies on it)

    def __init__(
        self,
        decoder: WhisperDecoder,
        vocabulary: Vocabulary,
        detector: Callable[[Floats], float] | None = None,
        second: WhisperDecoder | Deferred[WhisperDecoder] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.decoder = decoder
        self.clock = clock  # wall-clock seconds, for :data:`ENDING_BUDGET`
        #: Whisper base, for a second opinion; opened when first needed (:meth:`finish_opening`)
        self.second: WhisperDecoder | None = None
        self._second_later: Deferred[WhisperDecoder] | None = None
        if isinstance(second, Deferred):
            self._second_later = second
        else:
            self.second = second
        self.vocabulary = vocabulary
        if detector is None:
            detector, note = voice_detector()
            if note:
                log.warning(note)
        self.cutter = SpeechCutter(detector, **CUT)
        #: the suppressed audio the detector kept, when it has a second pair of ears
        self._suppressed: Callable[[int], Floats | None] | None = getattr(
            detector, "suppressed", None
        )
        self._feed = ChunkFeed()
        #: (chunks, text, intent, mean log-probability) of the latest look
        self._looked: tuple[int, str, Intent | None, float] | None = None
        self._told: Intent | None = None  # urgent intent already reported this utterance
        self._glanced = -1  # voiced chunk count at the latest glance
        self._amended_at = -1  # samples fed when the echo gate last gave back an onset
        self.decodes = 0  # for the benchmark: how often the model ran
        self._decode_cpu = 0.0  # processor time of the latest whole decode (s)
        self._decode_cpu_known = False  # a whole decode has been timed
        self._look_cpu = 0.0  # processor time of the latest look at idle audio (s)
        #: the audio the detector let pass, for a look now and then (:mod:`.idle_watch`)
        self.watch = IdleWatch()
        self._sureness = float("-inf")  # mean log-probability of the latest command heard
        self.last: Decoded | None = None  # the latest decode, for diagnostics
        self._hearings: list[Decoded] = []  # every decode of the utterance under way
        self._ending_since = 0.0  # processor time when the latest utterance's end began
        self._ending_began = 0.0  # ... and the wall clock then
        self._took = 0.0  # wall-clock seconds of the latest decode
        self._decode_wall = 0.0  # ... of the latest whole decode
        self._slowest = 0.0  # ... and of the slowest decode of the utterance's end so far

    @property
    def in_speech(self) -> bool:
        """Someone is talking: the voice detector is inside an utterance (for ducking)."""
        return self.cutter.in_speech

    @property
    def _now(self) -> float:
        return self._feed.samples / RATE

    def accept(self, pcm: bytes) -> list[Hypothesis]:
        out: list[Hypothesis] = []
        for chunk in self._feed.chunks(pcm):
            event = self.cutter.push(chunk)
            if event is Event.END:
                out += self._finish()
            elif event is not Event.NONE:
                out += self._look()
            if self.cutter.in_speech or event is Event.END:
                self.watch.clear()  # what the detector cut is judged as a cut
                continue
            window = self.watch.push(chunk, self.cutter.probability)
            if window is not None and self._may_watch():
                out += self._look_idle(window)
        return out

    def _may_watch(self) -> bool:
        """Looks at idle audio only on a machine shown fast enough (a whole decode, and
        the latest look, in ``SECOND_OPINION_CPU`` or less): a Pi 4 never looks, and
        elsewhere a stop waits behind a look no longer than that (0.05-0.1 s here)."""
        slowest = max(self._decode_cpu, self._look_cpu)
        return WATCH and self._decode_cpu_known and slowest <= SECOND_OPINION_CPU

    def _decode_kept(
        self,
        decoder: WhisperDecoder,
        audio: Floats,
        window: float = 0.0,
        tokens: int = MAX_TOKENS,
    ) -> Decoded:
        """One decode of the utterance under way, kept among its hearings for
        :func:`proposals` (the idle watch's looks and the cross-check's decodes are not:
        the first belong to no utterance, the second follow a command already heard)."""
        self.last = self._timed(decoder, audio, window, tokens)
        self._hearings.append(self.last)
        return self.last

    def _timed(
        self, decoder: WhisperDecoder, audio: Floats, window: float = 0.0, tokens: int = MAX_TOKENS
    ) -> Decoded:
        """One decode, counted, its wall-clock time kept as the next one's estimate."""
        self.decodes += 1
        began = self.clock()
        decoded = decoder.decode(audio, window, tokens)
        self._took = self.clock() - began
        self._slowest = max(self._slowest, self._took)
        return decoded

    def _affords(self, decodes: float = 1.0) -> bool:
        """Another hearing, costing ``decodes`` times the slowest decode of this
        utterance so far, keeps its end within :data:`ENDING_BUDGET`."""
        spent = self.clock() - self._ending_began
        return spent + decodes * self._slowest <= ENDING_BUDGET

    def _look_idle(self, window: Floats) -> list[Hypothesis]:
        """A word the voice detector let pass (:mod:`.idle_watch`), decoded once and
        judged by the rules of a cut's decode (no further hearing, opinion or
        cross-check: a look costs one decode). A warning is not taken from it (in noise
        tiny.en writes the prompt's "I feel sick." for a digit the detector missed).
        Heard, its audio is forgotten and the watch rests a moment, so that neither the
        next look nor the next cut hears the word again; the result says where its audio
        began, for the listener (its echo check looks that far back, and it drops the
        detector's late cut of the same word's tail)."""
        self.decodes += 1
        started = time.process_time()
        self.last = self.decoder.decode(window)
        self._look_cpu = time.process_time() - started
        text, intent = judge(self.last, self.vocabulary)
        if intent is None or intent.name == "warning":
            return []
        self.watch.clear(rest=True)
        self.cutter.forget_context()
        start = self._now - len(window) / RATE
        return [Hypothesis(text, final=True, end=self._now, start=start)]

    def amend(self, pcm: bytes) -> None:
        """The last ``pcm``'s length of audio fed was silenced by the echo gate before it
        noticed a person: here is what the canceller heard there, the word's onset."""
        x = as_floats(pcm)
        pending = self._feed.pending
        n = min(len(x), len(pending))
        if n:
            pending[len(pending) - n :] = x[len(x) - n :]
        if n < len(x):  # into audio the detector (and its suppressor) already heard
            self._amended_at = self._feed.samples
        self.cutter.amend(x[: len(x) - n])

    def flush(self) -> list[Hypothesis]:
        if self.cutter.in_speech:
            return self._finish()
        return []

    def _decode(self, cut: Cut, final: bool = False) -> tuple[str, Intent | None]:
        """Decode ``cut`` unless a look already decoded it up to its last clear speech.
        At the end of an utterance a rejected look is decoded again, whole: the look
        came at a dip in the speech probability, perhaps inside the word ("ei-t"); on the
        benchmark's real recordings, decoded whole, 28 of 91 clean misses are heard
        (bench/README.md, "Issue 14d")."""
        upto = cut.last_voiced
        looked = self._looked
        if looked is not None and looked[0] == upto and not (final and looked[2] is None):
            self._sureness = looked[3]
            return looked[1], looked[2]  # nothing was said since the last look
        started = time.process_time()
        decoded = self._decode_kept(self.decoder, cut.audio())
        self._decode_wall = self._took
        self._decode_cpu = time.process_time() - started
        self._decode_cpu_known = True
        self._look_cpu = 0.0  # a slow look (a busy moment) is judged again by this one
        text, intent = judge(decoded, self.vocabulary)
        self._sureness = decoded.logprob
        self._looked = (upto, text, intent, self._sureness)
        return text, intent

    def _glance(self, cut: Cut) -> tuple[str, Intent | None]:
        """A quick decode of a short utterance; only a stop counts from it."""
        audio = cut.audio()
        size = int(GLANCE_SECONDS * RATE)
        if len(audio) > size or cut.last_voiced == self._glanced:
            return "", None
        self._glanced = cut.last_voiced
        padded = np.concatenate([audio, np.zeros(size - len(audio), np.float32)])
        glanced = self._decode_kept(self.decoder, padded, GLANCE_SECONDS, GLANCE_TOKENS)
        text, intent = judge(glanced, self.vocabulary)
        if intent is None or intent.name != "stop":
            return "", None
        return text, intent

    def _quieter(self, cut: Cut) -> list[Floats]:
        """The cut's suppressed audio, whole and with less context before the word, when
        the suppressor took enough noise out of it to matter; else nothing. Not when
        the echo gate gave back an onset inside the cut: the suppressor heard silence
        there, and the onset's energy would count as noise taken out."""
        audio = cut.audio()
        if self._suppressed is None or self._amended_at > self._feed.samples - len(audio):
            return []
        quieter = self._suppressed(len(audio))
        if quieter is None or removed_db(audio, quieter) < SECOND_HEARING_DB:
            return []
        context_start = max(0, cut.lead - _THIRD_HEARING_CHUNKS) * CHUNK
        return [quieter, quieter[context_start:]] if context_start else [quieter]

    def _hear(
        self, decoder: WhisperDecoder, views: list[Floats], min_logprob: float = MIN_LOGPROB
    ) -> tuple[str, Intent | None]:
        """``views`` decoded in turn until one is a command, while the budget lasts."""
        for audio in views:
            if not self._affords():
                break
            decoded = self._decode_kept(decoder, audio)
            text, intent = judge(decoded, self.vocabulary, min_logprob)
            if intent is not None:
                self._sureness = decoded.logprob
                return text, intent
        return "", None

    def _hear_suppressed(self, cut: Cut) -> tuple[str, Intent | None]:
        """A rejected utterance heard again from the suppressed audio, where there was
        noise to take out: in loud noise Whisper hears some words there it missed in
        the raw audio ("Six." where the raw gave "Hey."), though the raw audio, with
        the noise, is still what it hears best first (bench/README.md, "Issue 14k").
        Rejected again, it is heard a third time with less context before the word."""
        return self._hear(self.decoder, self._quieter(cut))

    def finish_opening(self) -> None:
        """Open the second model now, if it is not yet, and wait for it: for the
        benchmark, tests and recordings, whose answers must not depend on a thread's
        speed. (Left alone, it opens in the background the first time a word needs it.)"""
        if self.second is None and self._second_later is not None:
            self.second = self._second_later.wait()
            self._second_later = None  # its answer is final

    def _may_ask_second(self, cut: Cut) -> bool:
        """There is a second model (open or not yet), the cut is a command's length, and
        this machine decodes fast enough that the words said next need not wait long
        behind it (a Pi 4 never asks, so never opens it)."""
        has_second = self.second is not None or self._second_later is not None
        return has_second and self._worth_more(cut)

    def _worth_more(self, cut: Cut) -> bool:
        """The cut is a command's length and this machine decodes fast enough that the
        words said next need not wait long behind more hearings of it."""
        return cut.voiced <= SECOND_OPINION_CHUNKS and self._decode_cpu <= SECOND_OPINION_CPU

    def _second_now(self) -> WhisperDecoder | None:
        """The second model if it is open; the first call starts opening it, and until
        it is open tiny.en hears alone."""
        later = self._second_later
        if self.second is None and later is not None:
            self.second = later.get()
            if self.second is not None or later.failed is not None:
                self._second_later = None  # its answer is final
        return self.second

    def _second_opinion(self, cut: Cut) -> tuple[str, Intent | None]:
        """A short utterance tiny.en rejected in every hearing, heard by the second model
        at its stricter score: the raw audio, then the whole suppressed audio (two
        decodes at most, so that what is said next waits little; less context, as in
        the third hearing, added 2 words of 458 at 12 dB)."""
        second = self._second_now() if self._may_ask_second(cut) else None
        if second is None:
            return "", None
        views = [cut.audio(), *self._quieter(cut)[:1]]
        try:
            return self._hear(second, views, SECOND_MIN_LOGPROB)
        except Exception as exc:  # CTranslate2 raises several kinds
            self._lose_second(exc)
            return "", None

    def _confirm(self, cut: Cut) -> tuple[str, Intent | None]:
        """A short cut every hearing rejected, where one wrote a command at a looser
        score (:func:`proposals`), decoded once more in Whisper's own 30 s window: the
        same command there at the usual score is taken. In loud noise the full window
        hears words the 10 s one half-hears ("Seven." at -1.35 becomes -0.68); asked only
        where a hearing points at a command, it costs about 0.3 s of processor time here
        about once in ten words at 12 dB (bench/README.md, "Issue 14r")."""
        if not CONFIRM or not self._worth_more(cut):
            return "", None
        spent = time.process_time() - self._ending_since
        full = FULL_WINDOW / WINDOW  # the full window costs this many 10 s decodes
        if spent + self._decode_cpu * full > CONFIRM_BUDGET or not self._affords(full):
            return "", None
        proposed = proposals(self._hearings, self.vocabulary)
        if not proposed:
            return "", None
        decoded = self._decode_kept(self.decoder, cut.audio(), FULL_WINDOW)
        text, intent = judge(decoded, self.vocabulary)
        if intent not in proposed:
            return "", None
        self._sureness = decoded.logprob
        return text, intent

    def _lose_second(self, exc: Exception) -> None:
        """The second model failed: tiny.en hears on alone, rather than the whole
        recognizer failing (and being restarted, deaf to a stop meanwhile)."""
        log.warning("the second opinion (Whisper base) failed and is left out: %s", exc)
        self.second = self._second_later = None

    def _cross_check(self, cut: Cut, text: str, intent: Intent) -> tuple[str, Intent]:
        """A command tiny.en heard in noise, checked by the second model: another
        command in both its views, the raw one at least as sure as tiny.en was, is
        taken instead (:data:`CROSS_CHECK`). Only where the suppressor found noise: in
        a quiet room tiny.en's answers are rarely wrong, and the check would only cost."""
        if not CROSS_CHECK or intent.name in CARE_INTENTS or not self._may_ask_second(cut):
            return text, intent
        quieter = self._quieter(cut)[:1]
        second = self._second_now() if quieter else None  # a quiet room never opens it
        if second is None:
            return text, intent
        sureness = max(SECOND_MIN_LOGPROB, self._sureness)
        other: tuple[str, Intent] | None = None
        for audio, at_least in ((cut.audio(), sureness), (quieter[0], MIN_LOGPROB)):
            if not self._affords():
                return text, intent
            try:
                self.last = self._timed(second, audio)
            except Exception as exc:  # CTranslate2 raises several kinds
                self._lose_second(exc)
                return text, intent
            heard, said = judge(self.last, self.vocabulary, at_least)
            if not overrules(intent, said) or (other is not None and said != other[1]):
                return text, intent
            assert said is not None
            other = (heard, said)
        assert other is not None
        return other

    def _look(self) -> list[Hypothesis]:
        """An early decode: an urgent phrase is reported now, anything else waits."""
        cut = self.cutter.cut
        if cut is None or self._told is not None:
            return []
        text, intent = self._glance(cut)
        if intent is None:
            text, intent = self._decode(cut)
        if intent is None or intent.name not in FAST_INTENTS:
            return []
        self._told = intent
        return [Hypothesis(text, final=True, end=self._now)]

    def _finish(self) -> list[Hypothesis]:
        try:
            return self._end_utterance()
        finally:
            self._hearings = []  # the next utterance's hearings start afresh

    def _end_utterance(self) -> list[Hypothesis]:
        self._ending_since = time.process_time()
        self._ending_began = self.clock()
        self._slowest = self._decode_wall  # a look may have decoded it already
        cut = self.cutter.take()
        told, self._told = self._told, None
        glanced, self._glanced = self._glanced, -1
        if cut is None:
            return []
        if told is not None and cut.last_voiced == glanced:
            self._looked = None
            return []  # the glance told a stop, and nothing was said after it
        text, intent = self._decode(cut, final=True)
        self._looked = None
        if intent is None and told is None:
            text, intent = self._hear_suppressed(cut)
        if intent is not None and told is None:
            text, intent = self._cross_check(cut, text, intent)
        elif told is None:
            text, intent = self._second_opinion(cut)
            if intent is None:
                text, intent = self._confirm(cut)
        if intent is None and told is None and cut.voiced <= BLIP_CHUNKS:
            self.cutter.keep_as_context(cut)  # a breath or a click: it may lead into a word
        if told is not None and (intent is None or intent == told):
            return []  # reported already, from the early look
        return [Hypothesis(text, final=True, end=self._now)]


def _open_second(vocabulary: Vocabulary) -> WhisperDecoder:
    """Whisper base, found again with its weights checked (a changed folder in
    ``models/`` gives way to a sound one in the cache): in the background, when first
    needed."""
    path, note = find_second_model()
    if path is None:
        raise RecognizerError(note or "the second opinion is off")
    return WhisperDecoder(path, vocabulary)


def open_whisper(vocabulary: Vocabulary, model: Path | None = None) -> Opened:
    """A Whisper recognizer for an English ``vocabulary``, the model found as
    :func:`find_whisper_model` says (or ``model``)."""
    if vocabulary.locale != "en":
        raise RecognizerError(
            f"the Whisper model here (tiny.en) is English only, not '{vocabulary.locale}'"
        )
    try:
        import ctranslate2  # noqa: F401
        import faster_whisper  # noqa: F401
    except ImportError as exc:
        raise RecognizerError(f"faster-whisper is not installed ({exc})") from exc
    path = find_whisper_model(model)
    decoder = WhisperDecoder(path, vocabulary)
    second_path, second_note = find_second_model(weights=False)
    notes = [second_note] if second_note else []
    second = None
    if second_path is not None:
        opener = functools.partial(_open_second, vocabulary)
        second = Deferred(opener, "the second opinion (Whisper base)")
    detector, detector_note = voice_detector()
    if detector_note:
        notes.append(detector_note)
    return Opened(WhisperRecognizer(decoder, vocabulary, detector, second), notes)

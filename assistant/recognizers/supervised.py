"""A speech engine that is restarted, with back-off, when it fails mid-stream.

A kiosk runs for days; an engine that throws once (a native library's bad moment)
must not leave it deaf. Time here is audio time, the samples fed, which a live
stream delivers at the pace of the wall clock: the back-off needs no clock of its
own, and a test drives it with samples.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.recognizers import Hypothesis, Recognizer, settled

if TYPE_CHECKING:
    from assistant.recognizers.listener import Listener

__all__ = ["SupervisedRecognizer", "supervise"]

RATE = 16000


class SupervisedRecognizer:
    """Wraps the recognizer ``open_`` makes; reopens it after a failure, waiting longer
    after each failure in a row (``first_backoff`` doubling up to ``max_backoff`` seconds
    of audio). ``on_fault`` hears of each failure, ``on_restored`` of each recovery.
    A recognizer that has worked for ``settle`` seconds earns the short back-off again.
    """

    def __init__(
        self,
        open_: Callable[[], Recognizer],
        *,
        on_fault: Callable[[str], None] = lambda _: None,
        on_restored: Callable[[], None] = lambda: None,
        first_backoff: float = 1.0,
        max_backoff: float = 60.0,
        settle: float = 60.0,
    ) -> None:
        self._open = open_
        self.on_fault = on_fault
        self.on_restored = on_restored
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.settle = settle
        self.recognizer: Recognizer | None = open_()  # a first failure is the caller's to say
        self.name = self.recognizer.name
        self.sample_rate = self.recognizer.sample_rate
        self.failures = 0
        self.restarts = 0
        self._backoff = first_backoff
        self._fed = 0  # samples: this wrapper's clock
        self._retry_at = 0.0
        self._up_since = 0.0

    @property
    def rejects(self) -> bool:
        """Whether the engine rejects what is not a command (the echo gate asks)."""
        return bool(getattr(self.recognizer, "rejects", False))

    def amend(self, pcm: bytes) -> None:
        """The echo gate's onset of a word, for an engine that takes it back. The gate
        calls it from the canceller, outside the listening thread's guard: a failure here
        is handled as one in ``accept``."""
        amend = getattr(self.recognizer, "amend", None)
        if amend is None:
            return
        try:
            amend(pcm)
        except Exception as exc:  # any engine error, as in accept
            self._failed(exc)

    def finish_opening(self) -> None:
        """What the engine would open in the background, opened now (see :func:`settled`)."""
        if self.recognizer is not None:
            settled(self.recognizer)

    @property
    def now(self) -> float:
        return self._fed / RATE

    def accept(self, pcm: bytes) -> list[Hypothesis]:
        self._fed += len(pcm) // 2
        recognizer = self._ready()
        if recognizer is None:
            return []
        try:
            return recognizer.accept(pcm)
        except Exception as exc:  # any engine error: a native library raises its own kinds
            self._failed(exc)
            return []

    def flush(self) -> list[Hypothesis]:
        recognizer = self.recognizer
        if recognizer is None:
            return []
        try:
            return recognizer.flush()
        except Exception as exc:
            self._failed(exc)
            return []

    def _ready(self) -> Recognizer | None:
        if self.recognizer is not None:
            if self.now - self._up_since >= self.settle:
                self._backoff = self.first_backoff
            return self.recognizer
        if self.now < self._retry_at:
            return None
        try:
            self.recognizer = self._open()
        except Exception as exc:
            self._retry_at = self.now + self._backoff
            self._backoff = min(self.max_backoff, self._backoff * 2)
            self.on_fault(f"the speech recognizer cannot restart yet ({exc})")
            return None
        self.restarts += 1
        self._up_since = self.now
        self.on_restored()
        return self.recognizer

    def _failed(self, exc: Exception) -> None:
        self.recognizer = None
        self.failures += 1
        wait = self._backoff
        self._retry_at = self.now + wait
        self._backoff = min(self.max_backoff, self._backoff * 2)
        self.on_fault(f"the speech recognizer failed ({exc}); restarting it in {wait:.0f} s")


def supervise(
    listener: Listener,
    reopen: Callable[[], Recognizer],
    *,
    on_fault: Callable[[str], None],
    on_restored: Callable[[], None],
) -> SupervisedRecognizer:
    """Put ``listener``'s recognizer under supervision; ``reopen`` starts a fresh one."""
    first = [listener.recognizer]

    def open_() -> Recognizer:
        return first.pop() if first else reopen()

    supervised = SupervisedRecognizer(open_, on_fault=on_fault, on_restored=on_restored)
    listener.recognizer = supervised
    return supervised

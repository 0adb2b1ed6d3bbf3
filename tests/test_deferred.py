"""A model opened in the background when first wanted (the second opinion's)."""

from __future__ import annotations

import threading

import pytest

from assistant.recognizers.deferred import Deferred


def test_nothing_is_opened_until_it_is_wanted_and_then_once() -> None:
    calls: list[int] = []
    may_finish = threading.Event()

    def opener() -> str:
        calls.append(1)
        may_finish.wait()
        return "model"

    later = Deferred(opener, "a model")
    assert not later.started and calls == []
    assert later.get() is None  # starts opening; the caller does not wait
    assert later.started
    assert later.get() is None  # still opening
    may_finish.set()
    assert later.wait() == "model"
    assert later.get() == "model" and later.get() == "model" and later.failed is None
    assert calls == [1]


def test_asked_from_two_threads_at_once_it_opens_once() -> None:
    calls: list[int] = []
    may_finish = threading.Event()

    def opener() -> int:
        calls.append(1)
        may_finish.wait()
        return 7

    later = Deferred(opener, "a model")
    waiter = threading.Thread(target=later.wait)
    waiter.start()
    assert later.get() is None
    may_finish.set()
    waiter.join()
    assert later.get() == 7 and calls == [1]


def test_waiting_opens_it_when_nothing_asked_yet() -> None:
    later = Deferred(lambda: 42, "a number")
    assert later.wait() == 42 and later.get() == 42


def test_a_failure_is_logged_and_leaves_nothing(caplog: pytest.LogCaptureFixture) -> None:
    def opener() -> str:
        raise RuntimeError("weights unreadable")

    later = Deferred(opener, "the second opinion")
    assert later.get() is None
    assert later.wait() is None and later.get() is None
    assert isinstance(later.failed, RuntimeError)
    assert "the second opinion could not be opened" in caplog.text
    assert "weights unreadable" in caplog.text

"""Shared test settings. HYPOTHESIS_DEEP=1 multiplies property-test examples for bug hunts."""

import os
from collections.abc import Iterator

import pytest

from assistant.journal import ENV_VAR

#: Multiplier for property-based tests: 1 in CI, larger when hunting bugs.
DEPTH = 25 if os.environ.get("HYPOTHESIS_DEEP") == "1" else 1


@pytest.fixture(autouse=True)
def _private_journal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Sessions run by tests (``run`` keeps a journal) never touch the user's own."""
    old = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = str(tmp_path_factory.mktemp("journal") / "journal.db")
    yield
    if old is None:
        os.environ.pop(ENV_VAR, None)
    else:
        os.environ[ENV_VAR] = old

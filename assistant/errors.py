"""The assistant's own exceptions, so callers catch one tree instead of library errors.

    AssistantError
    ├── RoutineError        a routine file is missing, unreadable or invalid
    ├── ScriptError         a simulation script is missing or invalid
    ├── VocabularyError     a locale's vocabulary or prompt file is broken
    ├── AudioDeviceError    a microphone or speaker could not be used
    └── SpeechEngineError   the text-to-speech engine failed

Library errors are translated at the boundary with ``raise X(...) from exc``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AssistantError",
    "AudioDeviceError",
    "Problem",
    "RoutineError",
    "ScriptError",
    "SpeechEngineError",
    "VocabularyError",
]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a data file, located precisely enough to fix it."""

    path: str
    line: int  # 1-based; 0 when the whole file is concerned
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class AssistantError(Exception):
    """Root of every error this package raises on purpose."""


class _ProblemsError(AssistantError):
    """An error carrying every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RoutineError(_ProblemsError):
    """A routine file cannot be used; ``problems`` lists each fault with its line."""


class ScriptError(_ProblemsError):
    """A simulation script cannot be used; ``problems`` lists each fault with its line."""


class VocabularyError(_ProblemsError):
    """A vocabulary or prompt file for a locale is broken."""


class AudioDeviceError(AssistantError):
    """A microphone or speaker is missing, busy or failed."""


class SpeechEngineError(AssistantError):
    """The text-to-speech engine could not be started or failed while rendering."""

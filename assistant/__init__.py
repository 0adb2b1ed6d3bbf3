"""Offline, voice-guided, hands-free back-massage session assistant.

Data flows one way: microphone -> recognizer -> intent -> session machine ->
narrator/speaker. The session core is plain Python on an injected clock.
"""

from .clock import Scheduler, VirtualClock, WallClock
from .errors import (
    AssistantError,
    AudioDeviceError,
    RoutineError,
    ScriptError,
    SpeechEngineError,
    VocabularyError,
)
from .events import Event, EventLog, JsonlWriter
from .intents import Intent, load_vocabulary, parse
from .routine import Pacing, PainCheck, Routine, Stage
from .routine_loader import check_file, load_routine
from .runner import ScriptInput, Utterance, run_session
from .session import Session, SessionSettings
from .voice import SilentVoice, Voice

__version__ = "0.1.0"

__all__ = [
    "AssistantError",
    "AudioDeviceError",
    "Event",
    "EventLog",
    "Intent",
    "JsonlWriter",
    "Pacing",
    "PainCheck",
    "Routine",
    "RoutineError",
    "Scheduler",
    "ScriptError",
    "ScriptInput",
    "Session",
    "SessionSettings",
    "SilentVoice",
    "SpeechEngineError",
    "Stage",
    "Utterance",
    "VirtualClock",
    "VocabularyError",
    "Voice",
    "WallClock",
    "__version__",
    "check_file",
    "load_routine",
    "load_vocabulary",
    "parse",
    "run_session",
]

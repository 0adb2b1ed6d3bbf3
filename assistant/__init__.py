"""Offline, voice-guided, hands-free back-massage session assistant.

Data flows one way: microphone -> recognizer -> intent -> session machine ->
narrator/speaker. The session core is plain Python on an injected clock.
"""

from assistant.clock import Scheduler, VirtualClock, WallClock
from assistant.errors import (
    AssistantError,
    AudioDeviceError,
    RoutineError,
    ScriptError,
    SpeechEngineError,
    VocabularyError,
)
from assistant.events import Event, EventLog, JsonlWriter
from assistant.intents import Intent, load_vocabulary, parse
from assistant.narration.voice import SilentVoice, Voice
from assistant.routine.loader import check_file, load_routine
from assistant.routine.model import Pacing, PainCheck, Routine, Stage
from assistant.runner import ScriptInput, Utterance, run_session
from assistant.session import Session, SessionSettings

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

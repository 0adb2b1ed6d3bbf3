"""Session events: one typed record per thing said, cued, heard or changed, with its time.

The same records feed the console, the earcons, the simulated partner, the ``--events``
JSON-lines file, the journal and the tests, so what a test checks is exactly what a real
session writes. ``kinds`` holds the event classes, ``registry`` their stored form and its
version, ``log`` the fan-out to sinks.
"""

from assistant.events.kinds import *  # noqa: F403 - the event classes are this package's vocabulary
from assistant.events.kinds import Event, RawEvent
from assistant.events.log import CallbackSink, EventLog, EventSink, JsonlWriter
from assistant.events.registry import REGISTRY, SCHEMA_VERSION, decode, from_json, to_json

__all__ = [
    "REGISTRY",
    "SCHEMA_VERSION",
    "CallbackSink",
    "Event",
    "EventLog",
    "EventSink",
    "JsonlWriter",
    "RawEvent",
    "decode",
    "from_json",
    "to_json",
]

"""The kiosk: for days on end, wait for a start phrase or a pedal press, offer the menu,
run the session, journal it, and wait again; failures are logged and retried."""

from assistant.kiosk.log import KioskEvents, KioskLog
from assistant.kiosk.loop import Kiosk, KioskPorts

__all__ = ["Kiosk", "KioskEvents", "KioskLog", "KioskPorts"]

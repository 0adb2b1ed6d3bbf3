"""Running the menu on any input source: scripted on a virtual clock, typed, or heard.

The menu reads the same :class:`~assistant.runner.InputSource` a session does, so the
keyboard, a script and the live microphone all drive it the one way: wait for the next
utterance or for the menu's silence deadline, whichever comes first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.clock import Clock
from assistant.menu.machine import Menu, MenuTimes
from assistant.menu.words import load_menu_text, menu_vocabulary
from assistant.narration.voice import Voice
from assistant.routine.loader import check_file, routine_paths
from assistant.routine.model import Routine
from assistant.runner import END, Fault, InputSource, Utterance

__all__ = ["make_menu", "menu_routines", "run_menu"]


def menu_routines(locale: str = "en") -> list[Routine]:
    """The routines a menu in ``locale`` offers: every readable one in that language.

    A broken routine file is left out of the menu (``validate`` names its problems);
    routines in another language are left out because their titles cannot be said to
    this menu's recognizer.
    """
    out = []
    for path in routine_paths():
        routine, _ = check_file(path)
        if routine is not None and routine.locale == locale:
            out.append(routine)
    return out


def make_menu(
    routines: Sequence[Routine],
    *,
    voice: Voice,
    clock: Clock,
    locale: str = "en",
    times: MenuTimes = MenuTimes(),  # noqa: B008 - frozen
    pedal: bool = False,
    note: Callable[[str], None] = lambda _: None,
) -> Menu:
    """A menu of ``routines`` with the locale's lines and a vocabulary built for them."""
    return Menu(
        routines,
        voice=voice,
        clock=clock,
        text=load_menu_text(locale),
        vocabulary=menu_vocabulary(routines, locale),
        times=times,
        pedal=pedal,
        note=note,
    )


def run_menu(menu: Menu, source: InputSource) -> Routine | None:
    """Run the menu until a routine is chosen (returned) or it is left (None)."""
    menu.start()
    while not menu.done:
        item = source.next_before(menu.deadline)
        if item is None:
            menu.silence()
        elif item is END:
            menu.note("menu: input closed")
            menu.leave()
        elif isinstance(item, Utterance):
            menu.hear(item.text)
        elif isinstance(item, Fault):
            menu.fault(item.message)
    return menu.chosen

"""The spoken start menu: which routine, said by number or by name, before a session."""

from assistant.menu.drive import make_menu, menu_routines, run_menu
from assistant.menu.machine import MENU_STATES, Menu, MenuTimes
from assistant.menu.words import choice_number, load_menu_text, menu_vocabulary

__all__ = [
    "MENU_STATES",
    "Menu",
    "MenuTimes",
    "choice_number",
    "load_menu_text",
    "make_menu",
    "menu_routines",
    "menu_vocabulary",
    "run_menu",
]

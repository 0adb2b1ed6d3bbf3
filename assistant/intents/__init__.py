"""Spoken commands: the per-locale vocabulary and the text parser built on it."""

from assistant.intents.parser import Intent, normalize, parse
from assistant.intents.vocabulary import INTENT_NAMES, Phrase, Vocabulary, expand, load_vocabulary

__all__ = [
    "INTENT_NAMES",
    "Intent",
    "Phrase",
    "Vocabulary",
    "expand",
    "load_vocabulary",
    "normalize",
    "parse",
]

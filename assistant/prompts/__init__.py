"""What the assistant says outside routines, per locale, from data files."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

from assistant.errors import Problem, VocabularyError

__all__ = ["Prompts", "load_prompts"]


class Prompts:
    """Looks up a prompt by dotted key and fills its placeholders."""

    def __init__(self, locale: str, data: dict[str, Any]) -> None:
        self.locale = locale
        self._data = data

    def has(self, key: str) -> bool:
        try:
            self._lookup(key)
        except KeyError:
            return False
        return True

    def __call__(self, key: str, **values: object) -> str:
        return str(self._lookup(key)).format(**values)

    def _lookup(self, key: str) -> object:
        node: Any = self._data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"no prompt '{key}' for locale '{self.locale}'")
            node = node[part]
        return node


@functools.cache
def load_prompts(locale: str = "en") -> Prompts:
    """The prompts shipped for ``locale``; :class:`VocabularyError` when missing or broken."""
    name = f"{locale}.yaml"
    try:
        data = yaml.safe_load(resources.files(__package__).joinpath(name).read_text("utf-8"))
    except (FileNotFoundError, OSError) as exc:
        raise VocabularyError([Problem(name, 0, f"no prompts for locale '{locale}'")]) from exc
    except yaml.YAMLError as exc:
        raise VocabularyError([Problem(name, 0, f"broken prompts: {exc}")]) from exc
    if not isinstance(data, dict):
        raise VocabularyError([Problem(name, 0, "prompts must be a mapping")])
    return Prompts(locale, data)

"""YAML read within bounds: a data file's size, nesting and alias expansion are checked while
it is composed, so a hostile or broken file is refused before it can cost memory."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

__all__ = ["LIMITS", "LimitedLoader", "Limits", "TooComplex"]


@dataclass(frozen=True)
class Limits:
    """How big a data file may be, checked before and while it is parsed.

    A hand-written routine is a few kilobytes, a few hundred nodes and a handful of
    levels deep; these bounds are far above that and far below what costs memory.
    """

    max_bytes: int = 1_000_000  # the file itself
    max_depth: int = 32  # nested lists and mappings
    max_nodes: int = 50_000  # nodes once every alias (``*name``) is expanded
    max_number_chars: int = 32  # digits in one number
    max_shown_chars: int = 60  # how much of a bad value a message repeats


LIMITS = Limits()

_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


class TooComplex(yaml.MarkedYAMLError):
    """The file exceeds :class:`Limits`; raised while composing so nothing grows first."""


class LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, counting nesting depth and the size of every alias expansion.

    Aliases are shared nodes while composing, but everything that walks the tree
    (our reader, ``str`` of a node) visits them once per use, so a few lines of
    ``*name`` repeated can stand for billions of nodes ("billion laughs"). The
    expanded size of each anchored node is known once it is composed; an alias adds
    that size to the running total, which is refused past ``max_nodes``.
    """

    def __init__(self, stream: str, limits: Limits) -> None:
        super().__init__(stream)
        self.limits = limits
        self._open: list[int] = []  # expanded size so far of each node being composed
        self._sizes: dict[int, int] = {}  # id(anchored node) -> its expanded size
        self._total = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            node = super().compose_node(parent, index)  # the anchored node, shared
            size = self._sizes.get(id(node), 1)
            self._count(size, event.start_mark)
            if self._open:
                self._open[-1] += size
            return node
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if len(self._open) >= self.limits.max_depth:
            raise TooComplex(
                None,
                None,
                f"nested more than {self.limits.max_depth} levels deep",
                event.start_mark,
            )
        self._count(1, event.start_mark)
        self._open.append(1)
        try:
            node = super().compose_node(parent, index)
        finally:
            size = self._open.pop()
        if self._open:
            self._open[-1] += size
        if getattr(event, "anchor", None):
            self._sizes[id(node)] = size
        if (
            isinstance(node, yaml.ScalarNode)
            and node.tag in _NUMBER_TAGS
            and len(node.value) > self.limits.max_number_chars
        ):
            raise TooComplex(
                None,
                None,
                f"a number of {len(node.value)} characters "
                f"(at most {self.limits.max_number_chars})",
                node.start_mark,
            )
        return node

    def _count(self, size: int, mark: yaml.Mark) -> None:
        self._total += size
        if self._total > self.limits.max_nodes:
            raise TooComplex(
                None,
                None,
                f"more than {self.limits.max_nodes} values once its aliases (*name) are expanded",
                mark,
            )

"""Files this program writes: readable by their owner only, whatever the umask.

Session events, recordings, charts and narration can say who was massaged, where it
hurt and when; on a shared machine nobody else should read them. Each output file is
created ``0600`` (folders ``0700``) before anything is written into it, and an
existing file is narrowed to ``0600`` before it is overwritten.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from assistant.errors import AssistantError

__all__ = [
    "OutputError",
    "open_private",
    "private_file",
    "private_folder",
    "write_private",
    "written_by",
]

T = TypeVar("T")


class OutputError(AssistantError):
    """An output file cannot be written (a folder, a read-only place, a missing disk)."""


def _reason(exc: OSError | ValueError) -> str:
    if isinstance(exc, IsADirectoryError):
        return "it is a folder"
    if isinstance(exc, ValueError):  # the only one os functions raise: a NUL in the name
        return "the name contains a NUL character"
    return exc.strerror or str(exc)


def private_folder(folder: Path) -> None:
    """Make ``folder`` (and missing parents, ``0700``) or raise :class:`OutputError`."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except FileExistsError as exc:
        raise OutputError(f"cannot write into {folder}: it is a file, not a folder") from exc
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot write into {folder}: {_reason(exc)}") from exc


def private_file(path: Path) -> None:
    """Create ``path`` empty and owner-only, or narrow an existing one, before a library
    (soundfile, matplotlib) writes into it; :class:`OutputError` says why it cannot be."""
    private_folder(path.parent)
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "Is a directory", str(path))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc


def open_private(path: Path, *, append: bool = False) -> IO[str]:
    """``path`` opened for writing text, owner-only; :class:`OutputError` if it cannot be."""
    private_folder(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    try:
        fd = os.open(path, flags, 0o600)
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc
    try:
        os.fchmod(fd, 0o600)
    except OSError:
        os.close(fd)
        raise
    return open(fd, "a" if append else "w", encoding="utf-8")


def write_private(path: Path, text: str) -> None:
    """Write a whole text file, owner-only."""
    try:
        with open_private(path) as f:
            f.write(text)
    except OSError as exc:  # the disk filled up mid-write
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc


def written_by(path: Path, write: Callable[[Path], T]) -> T:
    """Run a library's ``write(path)`` into a file made owner-only first."""
    private_file(path)
    try:
        return write(path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc

"""A CTranslate2 ``model.bin`` with float16 weights, rewritten with int8 weights.

CTranslate2 loads a float16 model with ``compute_type="int8"`` by quantizing its linear
layers and embeddings as it loads, and for a moment holds the float16 file, float32
copies and the result: Whisper base (a 145 MB file) takes the process 263 MB above where
it ends, and 1.2 s. Quantized once beforehand, the same way (each row scaled so that
its largest magnitude becomes 127, then rounded to the nearest integer), the model
loads in 0.1 s with no such moment and decodes exactly as before (measured on 116
corpus clips, text and score; ``tests/test_second_opinion.py`` checks a sample). The encoder's
convolutions stay float16, as CTranslate2 leaves them: quantized, they changed one
decode in eight.

The format is CTranslate2's own (binary version 6, as ``ctranslate2.specs`` writes it):
a version, the spec's name and revision, then each variable (name, shape, type, bytes),
then aliases (one variable's name for another's data).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["Ct2Model", "FormatError", "quantized", "read_model", "write_model"]

VERSION = 6
#: Type ids of ``model.bin``, in the order of CTranslate2's DataType enum.
_TYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
#: The weights CTranslate2 quantizes on loading: those of linear layers and embeddings.
_LINEAR = re.compile(r"(^|/)(linear(_\d+)?|embeddings)/weight$")


class FormatError(ValueError):
    """The bytes are not a CTranslate2 model this module can read."""


@dataclass
class Ct2Model:
    """The contents of a ``model.bin``."""

    spec: str
    revision: int
    variables: dict[str, npt.NDArray[np.generic]]
    aliases: dict[str, str]


class _Reader:
    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self.data = memoryview(data)
        self.at = 0

    def take(self, n: int) -> memoryview:
        if self.at + n > len(self.data):
            raise FormatError(f"the model ends early, at byte {len(self.data)}")
        out = self.data[self.at : self.at + n]
        self.at += n
        return out

    def number(self, fmt: str) -> int:
        return int(struct.unpack("<" + fmt, self.take(struct.calcsize(fmt)))[0])

    def text(self) -> str:
        raw = bytes(self.take(self.number("H")))
        return raw.rstrip(b"\0").decode("utf-8")


def read_model(data: bytes | bytearray | memoryview) -> Ct2Model:
    """Parse a ``model.bin``; the arrays are views into ``data``."""
    r = _Reader(data)
    version = r.number("I")
    if version != VERSION:
        raise FormatError(f"model binary version {version}, expected {VERSION}")
    spec = r.text()
    revision = r.number("I")
    variables: dict[str, npt.NDArray[np.generic]] = {}
    for _ in range(r.number("I")):
        name = r.text()
        shape = [r.number("I") for _ in range(r.number("B"))]
        kind = r.number("B")
        if kind >= len(_TYPES) or _TYPES[kind] == "bfloat16":
            raise FormatError(f"variable {name} has a type this reader does not know ({kind})")
        size = r.number("I")
        array = np.frombuffer(r.take(size), dtype=np.dtype(_TYPES[kind]))
        variables[name] = array.reshape(shape)
    aliases = {}
    for _ in range(r.number("I")):
        alias = r.text()
        aliases[alias] = r.text()
    if r.at != len(r.data):
        raise FormatError(f"{len(r.data) - r.at} bytes after the model's end")
    return Ct2Model(spec, revision, variables, aliases)


def quantized(model: Ct2Model) -> Ct2Model:
    """``model`` with every float linear and embedding weight as int8 and a float32
    scale per row (``NAME_scale``), computed as CTranslate2 does."""
    out: dict[str, npt.NDArray[np.generic]] = {}
    for name, value in model.variables.items():
        if not (_LINEAR.search(name) and value.ndim == 2 and value.dtype.kind == "f"):
            out[name] = value
            continue
        weights = value.astype(np.float32)
        amax = np.abs(weights).max(axis=1)
        amax[amax == 0] = 127.0
        amax = np.maximum(amax, np.float32(127) / np.finfo(np.float32).max)
        scale = (np.float32(127.0) / amax).astype(np.float32)
        out[name] = np.rint(weights * scale[:, None]).astype(np.int8)
        out[f"{name}_scale"] = scale
    return Ct2Model(model.spec, model.revision, out, dict(model.aliases))


def write_model(model: Ct2Model, path: Path) -> None:
    """Write ``model`` as a ``model.bin`` at ``path`` (the caller owns the file's mode)."""

    def text(s: str) -> bytes:
        raw = s.encode("utf-8") + b"\0"
        return struct.pack("<H", len(raw)) + raw

    with path.open("wb") as f:
        f.write(struct.pack("<I", VERSION) + text(model.spec) + struct.pack("<I", model.revision))
        f.write(struct.pack("<I", len(model.variables)))
        for name, value in model.variables.items():
            f.write(text(name) + struct.pack("<B", value.ndim))
            f.write(b"".join(struct.pack("<I", d) for d in value.shape))
            data = np.ascontiguousarray(value).tobytes()
            f.write(struct.pack("<BI", _TYPES.index(value.dtype.name), len(data)) + data)
        f.write(struct.pack("<I", len(model.aliases)))
        for alias, name in model.aliases.items():
            f.write(text(alias) + text(name))

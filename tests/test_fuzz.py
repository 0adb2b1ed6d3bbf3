"""Fuzzing what people and files can hand the program: routine files, utterances, WAV
headers and command-line values. Whatever comes in, the answer is a result or a clear
message: never a traceback, a hang (every example has a deadline) or a memory spike
(the traced peak of each example stays under 200 MB).

Bounded for CI (well under two minutes); ``HYPOTHESIS_DEEP=1`` runs 25 times as many
examples for a bug hunt.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
import yaml
from conftest import DEPTH
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.audio.pcm import stream_wav
from assistant.cli import main
from assistant.errors import AssistantError
from assistant.intents import INTENT_NAMES, Intent, load_vocabulary, parse
from assistant.routine.loader import check_file

ROOT = Path(__file__).resolve().parent.parent
ROUTINE_TEXT = (ROOT / "routines" / "knot-relief.yaml").read_text(encoding="utf-8")
MEMORY_LIMIT = 200_000_000  # bytes traced at the peak of one example
T = TypeVar("T")


def fuzz(examples: int) -> Callable[[T], T]:
    """Hypothesis settings for this file: a deadline catches a hang, DEPTH deepens the run."""
    return settings(
        max_examples=examples * DEPTH,
        deadline=timedelta(seconds=10),  # a generous bound: a hang, not a slow machine
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        derandomize=DEPTH == 1,  # CI: the same examples each run, so it never flickers
    )


def _status_kib(field: str) -> int:
    """A figure of /proc/self/status (VmRSS, VmHWM) in KiB."""
    text = Path("/proc/self/status").read_text(encoding="ascii")
    return int(text.split(f"{field}:", 1)[1].split()[0])


@pytest.fixture(scope="module", autouse=True)
def _peak_memory_of_the_whole_run() -> Iterator[None]:
    """Untraced memory too (C libraries): the process's peak during these examples stays
    within 200 MB of what it held before them. The kernel's peak mark is reset first, so
    what earlier tests in the same process held or freed does not count."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")  # reset VmHWM
        before = _status_kib("VmRSS")
    except OSError:  # not Linux: the traced peak of each example is still checked
        before = None
    yield
    if before is not None:
        grown = (_status_kib("VmHWM") - before) * 1024
        assert grown < MEMORY_LIMIT, f"the peak grew by {grown / 1e6:.0f} MB"


@contextlib.contextmanager
def memory_bounded() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_LIMIT, f"{peak / 1e6:.0f} MB at the peak"


# --- routine files -----------------------------------------------------------------------------

#: Lines that have broken YAML loaders: tags, anchors and aliases, nesting, long numbers.
HOSTILE = [
    "title: !!float abc",
    "title: !!int 0x",
    "title: !!binary ====",
    "title: !!timestamp 2024-13-45",
    "title: !!python/object/apply:os.system [echo]",
    "title: !custom thing",
    "max_minutes: 9" + "9" * 5000,
    "max_minutes: 1e99999",
    "max_minutes: .nan",
    "max_minutes: -.inf",
    "x: &a [1, 2, 3]",
    "y: *a",
    "? *a\n: 1",
    "z: *missing",
    "w: &r [*r]",
    "title: " + "[" * 200 + "]" * 200,
    "title: " + "{a: " * 100 + "1" + "}" * 100,
    "<<: {title: merged}",
    "<<: *a",
    "stages: !!set {a, b}",
    "stages: !!omap [a: 1]",
    "title: '\ud800'",
    "title: \x00\x01\x1b[31m",
    "title: |\n  " + "long line " * 2000,
    "---\n---",
    "...",
    "%YAML 1.1",
    "%TAG ! tag:example.com,2000:",
    "  - &x {a: *x}",
]

line_edits = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=ROUTINE_TEXT.count("\n")),
        st.sampled_from(["replace", "insert", "delete"]),
        st.one_of(st.sampled_from(HOSTILE), st.text(max_size=80)),
    ),
    min_size=1,
    max_size=6,
)


def _mutate(text: str, edits: list[tuple[int, str, str]]) -> str:
    lines = text.split("\n")
    for at, how, new in edits:
        at = min(at, len(lines) - 1)
        if how == "replace":
            indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
            lines[at] = indent + new
        elif how == "insert":
            lines.insert(at, new)
        else:
            del lines[at]
    return "\n".join(lines)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.text(max_size=12), inner, max_size=5),
    ),
    max_leaves=40,
)


def _checked(text: str) -> None:
    name = "fuzzed.yaml"
    with memory_bounded():
        routine, problems = check_file(name, text)
    if routine is None:
        assert problems, "refused without saying why"
    for p in problems:
        assert re.match(rf"^{re.escape(name)}:\d+: \S", str(p)), str(p)
        assert len(str(p)) < 600, str(p)[:200]


@fuzz(60)
@given(line_edits)
def test_mutated_routine_files_give_a_routine_or_file_line_problems(
    edits: list[tuple[int, str, str]],
) -> None:
    _checked(_mutate(ROUTINE_TEXT, edits))


@fuzz(40)
@given(documents, st.integers(min_value=0, max_value=3))
def test_arbitrary_yaml_documents_give_file_line_problems(doc: object, aliases: int) -> None:
    text = yaml.safe_dump({"stages": doc, "title": doc}, allow_unicode=True)
    # repeat the document through aliases, as a hostile file would
    text = text.replace("stages:", "stages: &s", 1) + "".join(
        f"extra{i}: [*s, *s, *s]\n" for i in range(aliases)
    )
    _checked(text)


@fuzz(40)
@given(st.text(max_size=2000))
def test_any_text_as_a_routine_file(text: str) -> None:
    _checked(text)


# --- utterances --------------------------------------------------------------------------------

VOCAB = load_vocabulary("en")
WORDS = sorted({w for p in VOCAB.phrases for w in p.words} | set(VOCAB.fillers))
utterances = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=80).map(" ".join),
    st.tuples(st.text(alphabet="0123456789/ ", max_size=20), st.integers(0, 60_000)).map(
        lambda t: t[0] * t[1]  # long runs of digits and slashes: once quadratic
    ),
)


@fuzz(150)
@given(utterances)
def test_any_utterance_gives_one_intent_or_none(text: str) -> None:
    intent = parse(text, VOCAB)
    if intent is not None:
        assert intent.name in INTENT_NAMES
        assert (intent.value is not None) == (intent.name == "pain")
        assert intent.value is None or 0 <= intent.value <= 10


@fuzz(60)
@given(st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join), st.text(max_size=600))
def test_stop_anywhere_in_an_utterance_always_wins(before: str, after: str) -> None:
    assert ("stop",) in VOCAB.anywhere
    assert parse(f"{before} stop {after}", VOCAB) == Intent("stop")


# --- WAV headers -------------------------------------------------------------------------------


def _wav(
    fmt: int, channels: int, rate: int, bits: int, align: int, size: int, body: bytes
) -> bytes:
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + len(body), b"WAVE", b"fmt ", 16,
        fmt, channels, rate, (rate * align) & 0xFFFFFFFF, align, bits, b"data", size,
    )  # fmt: skip
    return header + body


wav_headers = st.tuples(
    st.sampled_from([1, 3, 6, 7, 0x11, 0xFFFE, 0, 2, 85]),  # PCM, float, A/mu-law, ADPCM...
    st.one_of(st.integers(0, 8), st.integers(0, 0xFFFF)),
    st.one_of(
        st.sampled_from([1, 8000, 16000, 44100, 48000, 192000, 384000, 0xFFFFFFFF]),
        st.integers(0, 0xFFFFFFFF),
    ),
    st.sampled_from([0, 1, 4, 8, 16, 24, 32, 64, 65535]),
    st.integers(0, 0xFFFF),
    st.one_of(st.integers(0, 0xFFFFFFFF), st.just(0xFFFFFFFF)),
    st.binary(max_size=4000),
)


@fuzz(120)
@given(wav_headers)
def test_any_wav_header_gives_audio_or_a_message_in_bounded_memory(
    tmp_path_factory: pytest.TempPathFactory,
    header: tuple[int, int, int, int, int, int, bytes],
) -> None:
    path = tmp_path_factory.mktemp("wav") / "fuzzed.wav"
    path.write_bytes(_wav(*header))
    with memory_bounded():
        try:
            blocks = list(stream_wav(path))
        except AssistantError as exc:
            assert str(exc).startswith(f"{path}: cannot read audio"), str(exc)
            return
    assert all(b.dtype.name == "int16" and b.ndim == 1 for b in blocks)


# --- command-line values -----------------------------------------------------------------------

values = st.one_of(
    st.text(max_size=40),
    st.integers().map(str),
    st.integers(min_value=10**18, max_value=10**40).map(str),
    st.sampled_from(["-1", "0", "1e9", "nan", "--help", "-", "", " 5", "\x00", "../.."]),
)


def _run(argv: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: a usage message, exit 2 (or 0 for --help)
            code = exc.code
    assert code in (0, 1, 2), (argv, code)
    assert "Traceback" not in err.getvalue()


@pytest.fixture(scope="module")
def fuzz_journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from journalkit import journal_session

    path = tmp_path_factory.mktemp("fuzz-journal") / "journal.db"
    journal_session(path, "gentle-first", person="Sam")
    return path


@fuzz(80)
@example(flag="--session", value="\x00", form=[])
@example(flag="--limit", value="9" * 5000, form=["--csv"])
@given(st.sampled_from(["--limit", "--session", "--person"]), values,
       st.sampled_from([[], ["--json"], ["--csv"]]))  # fmt: skip
def test_history_values(fuzz_journal: Path, flag: str, value: str, form: list[str]) -> None:
    _run(["history", "--journal", str(fuzz_journal), flag, value, *form])


@fuzz(40)
@example(value="a\x00b")
@example(value="\udcff")
@given(values)
def test_parse_show_and_validate_values(
    tmp_path_factory: pytest.TempPathFactory, value: str
) -> None:
    _run(["parse", value])
    _run(["show", value])
    folder = tmp_path_factory.mktemp("paths")
    _run(["validate", str(folder / value.replace("/", "_"))])
    _run(["validate", str(folder)])


@fuzz(25)
@example(value="a\x00b", flag="--events")
@example(value="a\x00b", flag="--journal")
@example(value="\udcff", flag="--events")
@given(values, st.sampled_from(["--events", "--journal"]))
def test_session_paths(tmp_path_factory: pytest.TempPathFactory, value: str, flag: str) -> None:
    folder = tmp_path_factory.mktemp("session-paths")
    target = str(folder / value.lstrip("/").replace("..", "__")) if value else ""
    _run(["simulate", "gentle-first", "--quiet", "--durations", "wpm", flag, target])


@fuzz(20)
@example(value="a\x00b")
@example(value="\udcff")
@given(values)
def test_journal_values_for_history(tmp_path_factory: pytest.TempPathFactory, value: str) -> None:
    folder = tmp_path_factory.mktemp("journal-paths")
    target = str(folder / value.lstrip("/").replace("..", "__")) if value else str(folder)
    _run(["history", "--journal", target, "--json"])
    _run(["history", "--journal", target, "--plot", str(folder / "p.png")])

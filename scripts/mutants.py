#!/usr/bin/env python3
"""Mutation check: break one safety rule at a time and see that some test fails.

Each mutant deletes the handling of *stop* in one state, or moves one pain threshold, in a
copy of the project; the session and care tests then run on that copy and must fail. A
mutant whose source text is not found is an error, so a refactor cannot turn this check
into one that passes by doing nothing.

    .venv/bin/python scripts/mutants.py            # all mutants
    .venv/bin/python scripts/mutants.py stop-      # those whose name starts so
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = [
    "tests/test_stop_everywhere.py",
    "tests/test_session_rules.py",
    "tests/test_care_policies.py",
    "tests/test_care_dialogues.py",
    "tests/test_seed_rules.py",
    "tests/test_session_dialogues.py",
    "tests/test_session_properties.py",
    "tests/test_session_states.py",
    "tests/test_screening_turn.py",
    "tests/test_presession_machine.py",
]


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str


MODEL = "assistant/session/model.py"
MACHINE = "assistant/session/machine.py"
PAIN = "assistant/care/pain.py"
SESSION_PAIN = "assistant/session/pain.py"
PRESESSION = "assistant/session/presession.py"
COMMANDS = "assistant/session/commands.py"
DIALOGUE = "assistant/session/dialogue.py"
STOPPING = "assistant/session/stopping.py"
WARMUP_SKIP = "assistant/session/warmup_skip.py"

_GENERAL_STOP = '        if intent.name == "stop":\n            self._stop()\n            return\n'


def _stop_ignored_in(state: str) -> Mutant:
    """The command handler lets ``stop`` fall through to "not now" in ``state``."""
    return Mutant(
        f"stop-ignored-in-{state}",
        MODEL,
        _GENERAL_STOP,
        _GENERAL_STOP.replace('"stop":', f'"stop" and self.state != "{state}":'),
    )


def _stop_transition_without(state: str) -> Mutant:
    """The machine has no ``stop`` transition out of ``state``."""
    return Mutant(
        f"stop-transition-without-{state}",
        MACHINE,
        '{"trigger": "stop", "source": live, "dest": "stopped"}',
        f'{{"trigger": "stop", "source": [s for s in live if s != "{state}"], "dest": "stopped"}}',
    )


MUTANTS: list[Mutant] = [
    *(
        _stop_ignored_in(s)
        for s in (
            "screening",
            "setup",
            "instruction",
            "stroking",
            "asking",
            "holding",
            "waiting",
            "closing",
            "paused",
            "paused_warned",
            "paused_checking",
            "asking_comfort",
        )
    ),
    *(
        _stop_transition_without(s)
        for s in (
            "presession",  # the pre-session dialogue: choosing, offering, screening
            "setup",
            "instruction",
            "stroking",
            "asking",
            "holding",
            "waiting",
            "closing",
            "paused",
        )
    ),
    Mutant(
        "stop-ignored-while-choosing-person",
        PRESESSION,
        '    def _answer_person(self, intent: Intent) -> None:\n        if intent.name == "stop":',
        "    def _answer_person(self, intent: Intent) -> None:\n        if False:",
    ),
    Mutant(
        "stop-ignored-in-resume-offer",
        PRESESSION,
        '        if intent.name == "stop":\n            self._stop()\n        elif intent.name in ',
        "        if False:\n            self._stop()\n        elif intent.name in ",
    ),
    Mutant(
        "stop-ignored-while-declining",
        MODEL,
        '        if self.state == "declining":  # a "yes" to a safety question cannot be taken '
        'back\n            if intent.name == "stop":',
        '        if self.state == "declining":  # a "yes" to a safety question cannot be taken '
        "back\n            if False:",
    ),
    Mutant(
        "stop-ignored-while-stopped",
        MODEL,
        '            if intent.name == "resume":\n                self._restart()\n',
        '            if intent.name == "stop":\n                return\n'
        '            if intent.name == "resume":\n                self._restart()\n',
    ),
    Mutant(
        "stop-ignored-in-closing-words",
        MODEL,
        '        if self.state == "ending":  # the closing words of an early end: stop cuts them '
        'short\n            if intent.name == "stop":',
        '        if self.state == "ending":  # the closing words of an early end: stop cuts them '
        "short\n            if False:",
    ),
    Mutant(
        "pain-ignored-in-closing-words",
        MODEL,
        '            elif intent.name in ("pain", "ouch", "warning"):  # heard, never dismissed\n'
        "                self._pain_while_ending(intent)",
        '            elif intent.name in ("pain", "ouch", "warning"):  # heard, never dismissed\n'
        "                pass",
    ),
    # the states that were flags: what their words do
    Mutant(
        "warning-pauses-without-asking-to-end",
        MACHINE,
        '{"trigger": "warn", "source": [*MASSAGE_ACTIVE, "paused"], "dest": "paused_warned"}',
        '{"trigger": "warn", "source": [*MASSAGE_ACTIVE, "paused"], "dest": "paused"}',
    ),
    Mutant(
        "warning-over-the-questions-pauses-without-asking-to-end",
        MACHINE,
        '            "source": "presession",\n            "dest": "paused_warned",\n',
        '            "source": "presession",\n            "dest": "paused",\n',
    ),
    Mutant(
        "silence-pauses-without-asking-if-well",
        MACHINE,
        '{"trigger": "check_on", "source": "asking", "dest": "paused_checking"}',
        '{"trigger": "check_on", "source": "asking", "dest": "paused"}',
    ),
    Mutant(
        "warned-yes-carries-on",
        COMMANDS,
        '        elif self.state == "paused_warned":\n            self._end_for_pain([])\n'
        "        elif stage",
        '        elif self.state == "paused_warned":\n            self._resume()\n'
        "        elif stage",
    ),
    Mutant(
        "warned-no-ends",
        COMMANDS,
        '        elif self.state == "paused_warned":\n            self._resume()\n'
        '        elif self.state == "paused_checking":\n            self._stop()',
        '        elif self.state == "paused_warned":\n            self._end_for_pain([])\n'
        '        elif self.state == "paused_checking":\n            self._stop()',
    ),
    Mutant(
        "checking-no-carries-on",
        COMMANDS,
        '        elif self.state == "paused_checking":\n            self._stop()',
        '        elif self.state == "paused_checking":\n            self._resume()',
    ),
    Mutant(
        "comfort-answer-taken-for-the-loop",
        SESSION_PAIN,
        '        in_loop = self.state in ("asking", "holding")  # not asking_comfort',
        '        in_loop = self.phase in ("asking", "holding")',
    ),
    Mutant(
        "ouch-asks-the-loop-question",
        SESSION_PAIN,
        "        self._comfort_key = key\n        self.ask_comfort()",
        "        self._comfort_key = key\n        self.ask()",
    ),
    Mutant(
        "fault-in-closing-words-waits",
        MODEL,
        '        if self.state == "ending":  # the closing words cannot be said: end now\n'
        "            self._interrupt()\n            self.end()",
        '        if self.state == "ending":  # the closing words cannot be said: end now\n'
        "            pass",
    ),
    Mutant(
        "stop-not-silencing-first",
        MODEL,
        '        if intent is not None and intent.name == "stop":\n            self._interrupt()',
        '        if intent is not None and intent.name == "stop":\n            pass',
    ),
    # the screening turn's own machine (assistant/session/dialogue.py)
    Mutant(
        "stop-ignored-while-an-answer-is-held",
        MODEL,
        _GENERAL_STOP,
        _GENERAL_STOP.replace('"stop":', '"stop" and not self.questions.early:'),
    ),
    Mutant(
        "early-answer-counted",
        PRESESSION,
        "screening_step(ScreeningFacts(intent.name, turn.heard))",
        "screening_step(ScreeningFacts(intent.name, True))",
    ),
    Mutant(
        "early-answer-not-asked-for",
        PRESESSION,
        "            if early:  # an answer came too soon",
        "            if False:  # an answer came too soon",
    ),
    Mutant(
        "next-question-counted-as-heard",
        DIALOGUE,
        '{"trigger": "next_question", "source": "heard", "dest": "unheard"}',
        '{"trigger": "next_question", "source": "heard", "dest": "heard"}',
    ),
    # the pre-session dialogue's own machine (assistant/session/dialogue.py) and its hand-over
    Mutant(
        "dialogue-speaks-while-stopped",
        PRESESSION,
        'if self.machine_state != "presession" or self.dialogue.state not in SPEAKING:',
        "if self.dialogue.state not in SPEAKING:",
    ),
    Mutant(
        "stop-before-the-questions-skips-them",
        STOPPING,
        "                self.dialogue.begin_screening()  # stopped before the questions",
        "                pass  # stopped before the questions",
    ),
    Mutant(
        "pause-moves-before-the-questions",
        MACHINE,
        '            "trigger": "pause",\n            "source": "presession",\n'
        '            "dest": "paused",\n            "conditions": "in_screening",\n',
        '            "trigger": "pause",\n            "source": "presession",\n'
        '            "dest": "paused",\n',
    ),
    Mutant(
        "warning-moves-before-the-questions",
        MACHINE,
        '            "source": "presession",\n            "dest": "paused_warned",\n'
        '            "conditions": "in_screening",\n',
        '            "source": "presession",\n            "dest": "paused_warned",\n',
    ),
    Mutant(
        "stop-before-no-questions-not-handed-over",
        STOPPING,
        "                self.dialogue.hand_over()  # a routine without questions",
        "                pass  # a routine without questions",
    ),
    Mutant(
        "dialogue-not-handed-over",
        PRESESSION,
        "        self.dialogue.hand_over()\n",
        "",
    ),
    Mutant(
        "decline-before-the-questions",
        DIALOGUE,
        '{"trigger": "decline", "source": "screening", "dest": "declining"}',
        '{"trigger": "decline", "source": [*_ASKING, "screening"], "dest": "declining"}',
    ),
    Mutant(
        "declining-handed-over",
        DIALOGUE,
        '"source": [*_ASKING, "screening"], "dest": "handover"}',
        '"source": [*_ASKING, "screening", "declining"], "dest": "handover"}',
    ),
    # the warm-up's skip question (assistant/session/warmup_skip.py): next alone never skips
    Mutant(
        "warm-up-skip-question-not-kept",
        WARMUP_SKIP,
        '{"trigger": "ask", "source": "unasked", "dest": "asked"}',
        '{"trigger": "ask", "source": "unasked", "dest": "unasked"}',
    ),
    Mutant(
        "warm-up-skipped-without-asking",
        WARMUP_SKIP,
        '{"trigger": "forget", "source": list(SKIP_STATES), "dest": "unasked"}',
        '{"trigger": "forget", "source": list(SKIP_STATES), "dest": "asked"}',
    ),
    # pain thresholds: the rules' defaults, one step less careful
    Mutant("pain-severe-8-to-9", PAIN, "    severe: int = 8", "    severe: int = 9"),
    Mutant(
        "pain-very-severe-9-to-10", PAIN, "    very_severe: int = 9", "    very_severe: int = 10"
    ),
    Mutant(
        "pain-unbearable-10-to-11", PAIN, "    unbearable: int = 10", "    unbearable: int = 11"
    ),
    Mutant("pain-comfort-7-to-8", PAIN, "    comfort_limit: int = 7", "    comfort_limit: int = 8"),
    Mutant(
        "pain-very-severe-per-stage-2-to-3",
        PAIN,
        "    very_severe_per_stage: int = 2",
        "    very_severe_per_stage: int = 3",
    ),
    Mutant(
        "pain-severe-per-stage-3-to-4",
        PAIN,
        "    severe_per_stage: int = 3",
        "    severe_per_stage: int = 4",
    ),
    Mutant(
        "pain-stages-per-session-2-to-3",
        PAIN,
        "    stages_per_session: int = 2",
        "    stages_per_session: int = 3",
    ),
    # pain thresholds: each comparison, moved off by one
    Mutant(
        "pain-cap-at-very-severe-off-by-one",
        PAIN,
        "if v >= r.very_severe else None",
        "if v > r.very_severe else None",
    ),
    Mutant("pain-unbearable-off-by-one", PAIN, "v >= r.unbearable", "v > r.unbearable"),
    Mutant(
        "pain-severe-at-floor-off-by-one",
        PAIN,
        "(v >= r.severe and facts.level <= facts.floor)",
        "(v > r.severe and facts.level <= facts.floor)",
    ),
    Mutant(
        "pain-very-severe-count-off-by-one",
        PAIN,
        "facts.very_severe_in_stage >= r.very_severe_per_stage",
        "facts.very_severe_in_stage > r.very_severe_per_stage",
    ),
    Mutant(
        "pain-severe-count-off-by-one",
        PAIN,
        "facts.severe_in_stage >= r.severe_per_stage",
        "facts.severe_in_stage > r.severe_per_stage",
    ),
    Mutant(
        "pain-stages-per-session-off-by-one",
        PAIN,
        "facts.stages_left_for_pain + 1 >= r.stages_per_session",
        "facts.stages_left_for_pain + 1 > r.stages_per_session",
    ),
    Mutant("pain-ease-off-by-one", PAIN, "    if v >= r.severe:", "    if v > r.severe:"),
    Mutant("pain-above-target-off-by-one", PAIN, "        if v > hi:", "        if v > hi + 1:"),
    Mutant("pain-in-target-off-by-one", PAIN, "        if v >= lo:", "        if v >= lo - 1:"),
    Mutant(
        "pain-comfort-off-by-one",
        PAIN,
        "    if v >= r.comfort_limit:",
        "    if v > r.comfort_limit:",
    ),
    # the session's own thresholds: counting readings, and pain outside hands-on work
    Mutant(
        "session-counts-very-severe-off-by-one",
        SESSION_PAIN,
        "p.very_severe += value >= self.settings.very_severe_pain",
        "p.very_severe += value > self.settings.very_severe_pain",
    ),
    Mutant(
        "session-counts-severe-off-by-one",
        SESSION_PAIN,
        "p.severe += value >= self.settings.severe_pain",
        "p.severe += value > self.settings.severe_pain",
    ),
    Mutant(
        "pain-while-off-comfort-off-by-one",
        SESSION_PAIN,
        "        return value >= self.settings.comfort_limit",
        "        return value > self.settings.comfort_limit",
    ),
    Mutant(
        "pain-while-off-very-severe-off-by-one",
        SESSION_PAIN,
        "(intent.value or 0) >= self.settings.very_severe_pain",
        "(intent.value or 0) > self.settings.very_severe_pain",
    ),
]


def _copy_project(dest: Path) -> None:
    """Everything the tests read (routines, README, scripts...), without the caches."""
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*_cache", "*.egg-info")
    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True, dirs_exist_ok=True)


def run(mutant: Mutant, work: Path) -> tuple[bool, float, str]:
    """Apply one mutant to a fresh copy, run the tests; True when a test failed (killed)."""
    target = work / mutant.path
    original = target.read_text()
    if original.count(mutant.old) != 1:
        raise SystemExit(f"{mutant.name}: the text to mutate is not in {mutant.path} exactly once")
    target.write_text(original.replace(mutant.old, mutant.new))
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *TESTS],
            cwd=work,
            env={**os.environ, "PYTHONPATH": str(work)},
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        target.write_text(original)
    lines = done.stdout.splitlines()
    failed = [x for x in lines if x.startswith("FAILED")] or [x for x in lines if "rror" in x]
    return done.returncode != 0, time.monotonic() - started, failed[0] if failed else ""


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTANTS if not argv or any(m.name.startswith(a) for a in argv)]
    survivors = []
    with tempfile.TemporaryDirectory(prefix="mutants-") as tmp:
        work = Path(tmp)
        _copy_project(work)
        for m in chosen:
            killed, seconds, by = run(m, work)
            verdict = "killed" if killed else "SURVIVED"
            print(f"{verdict:8}  {m.name:42} {seconds:5.1f} s  {by[:90]}", flush=True)
            if not killed:
                survivors.append(m.name)
    print(f"{len(chosen) - len(survivors)} of {len(chosen)} mutants killed")
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

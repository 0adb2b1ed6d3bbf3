"""Shared test settings. HYPOTHESIS_DEEP=1 multiplies property-test examples for bug hunts."""

import os

#: Multiplier for property-based tests: 1 in CI, larger when hunting bugs.
DEPTH = 25 if os.environ.get("HYPOTHESIS_DEEP") == "1" else 1

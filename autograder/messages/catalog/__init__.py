"""Every sentence people read, in Korean and English, keyed by stable codes.

Results hold codes and parameters (`autograder.messages.Message`); this table is
rendered only at the edges (feedback, reports, console, the JSON text fields).
A code is `area.name`; each area's table lives in a module of this package.
`tests/test_messages.py` checks that every code has both
languages with the same placeholders.
"""

from __future__ import annotations

from autograder.messages.catalog.feedback import FEEDBACK
from autograder.messages.catalog.reports import REPORTS
from autograder.messages.catalog.results import RESULTS
from autograder.messages.catalog.similarity import SIMILARITY
from autograder.messages.catalog.thresholds import THRESHOLDS

CATALOG: dict[str, dict[str, str]] = {}
for _part in (RESULTS, THRESHOLDS, FEEDBACK, REPORTS, SIMILARITY):
    _twice = CATALOG.keys() & _part.keys()
    if _twice:  # one code, one home
        raise RuntimeError(f"message codes defined twice: {sorted(_twice)}")
    CATALOG.update(_part)

__all__ = ["CATALOG"]

"""Recording a graded submission so that no crash leaves a student half-recorded.

One source of truth: the ``ag_result`` row. Everything else is derived from it and
written before it: nbgrader's gradebook rows (formgrader, exports) and the result
file ``results/<week>/<login>.json``. The protocol, each step atomic on its own:

1. ``ag_pending`` gets the new result (intent, committed);
2. the derived stores are written from it (idempotent: nbgrader rows updated in
   place, the file replaced by rename);
3. one transaction writes ``ag_result`` and deletes the pending row.

A coordinator killed anywhere (SIGKILL included) leaves either the old truth with
the new result pending, or the new truth. `recover_week` runs before a batch reads
its cache: it finishes every pending result (steps 2-3 again) and rewrites a result
file that is missing or differs from the truth, so the cache never trusts a student
whose derived stores are incomplete.
"""

from __future__ import annotations

import logging

from autograder.course import Course
from autograder.gradebook import GradebookStore
from autograder.result_file import read_result_text, result_text, write_result_file
from autograder.results import SubmissionResult

log = logging.getLogger(__name__)


def record_result(course: Course, store: GradebookStore, result: SubmissionResult) -> None:
    store.begin(result)
    _write_derived(course, store, result)
    store.commit(result)


def _write_derived(course: Course, store: GradebookStore, result: SubmissionResult) -> None:
    store.save_nbgrader(result)
    write_result_file(course.result_path(result.assignment, result.student), result_text(result))


def recover_week(course: Course, store: GradebookStore, week: str) -> list[str]:
    """Finish interrupted recordings and repair result files; the logins touched.

    One student's failure (a disk or database error) is logged and left for the next
    run; it never stops the recovery of the others, nor the batch."""
    touched = []
    for result in store.pending(week):
        try:
            _write_derived(course, store, result)
            store.commit(result)
            touched.append(result.student)
        except Exception:
            log.exception("recovering the result of %s/%s failed", week, result.student)
    for login, text in store.result_texts(week).items():
        path = course.result_path(week, login)
        try:
            if read_result_text(path) != text:
                write_result_file(path, text)
                touched.append(login)
        except OSError:
            log.exception("repairing the result file of %s/%s failed", week, login)
    return touched

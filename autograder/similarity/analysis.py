"""One week's similarity: read, fingerprint, index, score every pair, flag for review.

`analyse_week` is pure reading (submissions, release, results, decisions);
`apply_flags` is the one writer: it adds or removes the review flag in the stored
results. The flag names no one, because results become student feedback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from autograder.course import Course
from autograder.messages import CATALOG, Message
from autograder.results import SubmissionResult
from autograder.similarity.extract import Submission, read_week, release_sources
from autograder.similarity.fingerprint import fingerprint, skeleton_hashes
from autograder.similarity.index import FingerprintIndex, Region
from autograder.similarity.outputs import (
    Item,
    output_score,
    shared_rare_items,
    submission_items,
)
from autograder.similarity.predictions import load_predictions, prediction_items, predictions_dir
from autograder.similarity.reviews import PairReview, pair_key, pair_reviews

SCHEMA_VERSION = 1
DEFAULT_THRESHOLD = 0.65
FLAG_CODE = "flag.similarity"
#: the flag as rendered text, in either language (results stored before facts held codes)
_FLAG_TEXTS = frozenset(CATALOG[FLAG_CODE].values())


def _is_similarity_flag(flag: Message) -> bool:
    return flag.code == FLAG_CODE or (flag.is_text and flag.params.get("text") in _FLAG_TEXTS)


@dataclass(frozen=True)
class PairScore:
    a: str
    b: str
    score: float  # max of the two signals, 0..1
    code_score: float
    output_score: float
    shared_fingerprints: int
    shared_outputs: tuple[Item, ...] = ()
    above: bool = False  # score >= threshold
    review: PairReview | None = None

    @property
    def flagged(self) -> bool:
        """Above the threshold and not yet decided by the instructor."""
        return self.above and self.review is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "score": round(self.score, 4),
            "flagged": self.flagged,
            "code_score": round(self.code_score, 4),
            "output_score": round(self.output_score, 4),
            "shared_fingerprints": self.shared_fingerprints,
            "shared_outputs": [{"kind": i.kind, "text": i.text} for i in self.shared_outputs],
            "review": self.review.state if self.review else None,
            "note": self.review.note if self.review else "",
        }


@dataclass
class WeekSimilarity:
    week: str
    threshold: float
    students: tuple[str, ...]
    pairs: tuple[PairScore, ...]  # every pair, highest score first
    submissions: dict[str, Submission] = field(default_factory=dict)
    index: FingerprintIndex | None = None

    def flagged(self) -> list[PairScore]:
        return [p for p in self.pairs if p.flagged]

    def flagged_logins(self) -> set[str]:
        return {login for p in self.flagged() for login in (p.a, p.b)}

    def by_student(self) -> dict[str, tuple[float, list[str]]]:
        """login -> (highest score with anyone, partners of flagged pairs)."""
        out: dict[str, tuple[float, list[str]]] = {s: (0.0, []) for s in self.students}
        for p in self.pairs:
            for me, other in ((p.a, p.b), (p.b, p.a)):
                best, partners = out[me]
                if p.flagged:
                    partners.append(other)
                out[me] = (max(best, p.score), partners)
        return out

    def regions(self, pair: PairScore) -> list[Region]:
        if self.index is None:
            return []
        order = {login: i for i, login in enumerate(self.students)}
        return self.index.regions(order[pair.a], order[pair.b])

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "week": self.week,
            "threshold": self.threshold,
            "students": list(self.students),
            "pairs": [p.to_dict() for p in self.pairs],
        }


def analyse_week(
    course: Course,
    week: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    results: Iterable[SubmissionResult] | None = None,
    logins: list[str] | None = None,
) -> WeekSimilarity:
    """Score every pair of the week's collected submissions (results default to the gradebook's)."""
    from autograder.gradebook import GradebookStore

    submissions = sorted(read_week(course, week, logins), key=lambda s: s.login)
    skeleton = skeleton_hashes(release_sources(course, week))
    index = FingerprintIndex([fingerprint(s.login, s.cells, skeleton) for s in submissions])
    code = index.shared_weights()
    stored = GradebookStore(course).results(week) if results is None else results
    by_login = {r.student: r for r in stored}
    items = [submission_items(s.notebooks, by_login.get(s.login)) for s in submissions]
    predicted = prediction_items(
        [load_predictions(predictions_dir(course, week, s.login)) for s in submissions]
    )
    items = [mine | theirs for mine, theirs in zip(items, predicted, strict=True)]
    outputs = shared_rare_items(items)
    decisions = pair_reviews(course, week)
    pairs = []
    n = len(submissions)
    for i in range(n):
        for j in range(i + 1, n):
            weighted, shared = code.get((i, j), (0.0, 0))
            code_score = index.code_score(i, j, weighted) if shared else 0.0
            same_outputs = outputs.get((i, j), [])
            out_score = output_score(same_outputs)
            score = max(code_score, out_score)
            a, b = pair_key(submissions[i].login, submissions[j].login)
            pairs.append(
                PairScore(
                    a=a,
                    b=b,
                    score=score,
                    code_score=code_score,
                    output_score=out_score,
                    shared_fingerprints=shared,
                    shared_outputs=tuple(same_outputs),
                    above=score >= threshold,
                    review=decisions.get((a, b)),
                )
            )
    pairs.sort(key=lambda p: (-p.score, p.a.lower(), p.b.lower()))
    return WeekSimilarity(
        week=week,
        threshold=threshold,
        students=tuple(s.login for s in submissions),
        pairs=tuple(pairs),
        submissions={s.login: s for s in submissions},
        index=index,
    )


def flag_results(results: Iterable[SubmissionResult], flagged: set[str]) -> list[SubmissionResult]:
    """The results whose similarity flag must change, changed (no other student named)."""
    changed = []
    for result in results:
        kept = tuple(f for f in result.flags if not _is_similarity_flag(f))
        if result.student in flagged and result.status == "graded":
            kept += (Message.of(FLAG_CODE),)
        if kept != result.flags:
            changed.append(replace(result, flags=kept))
    return changed


def apply_flags(course: Course, week: str, similarity: WeekSimilarity) -> list[str]:
    """Write the review flag into the stored results; returns the logins whose flags changed."""
    from autograder.gradebook import GradebookStore
    from autograder.grading import save_result

    store = GradebookStore(course)
    changed = flag_results(store.recorded_results(week), similarity.flagged_logins())
    for result in changed:
        save_result(course, store, result)
    return [r.student for r in changed]

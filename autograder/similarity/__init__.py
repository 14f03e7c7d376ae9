"""Similarity of a week's submissions, flagged for the instructor's review.

Pipeline: `extract` (the students' own cells) -> `fingerprint` (winnowing over
normalised Python tokens, the release's skeleton removed) -> `index` (inverted
index, pair scores) + `outputs` (the same unusual outputs) -> `analysis` (every
pair, flags) -> `render` (the report's section). `reviews` keeps the instructor's
decisions. A flag is a request to look, never a penalty.
"""

from autograder.similarity.analysis import (
    DEFAULT_THRESHOLD,
    PairScore,
    WeekSimilarity,
    analyse_week,
    apply_flags,
)
from autograder.similarity.reviews import mark_pair, pair_reviews, unmark_pair

__all__ = [
    "DEFAULT_THRESHOLD",
    "PairScore",
    "WeekSimilarity",
    "analyse_week",
    "apply_flags",
    "mark_pair",
    "pair_reviews",
    "unmark_pair",
]

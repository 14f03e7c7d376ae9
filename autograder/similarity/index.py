"""Pair scores from an inverted index of fingerprints: cost follows the shared hashes.

Comparing every pair (n² / 2 set intersections) is what MOSS-like tools do; here
each fingerprint hash lists the submissions that hold it (its posting list), and a
pair is only ever touched through a hash both hold. Hashes held by many students
are "common code" (the obvious way to write a line everyone writes): they are left
out, as MOSS's ``-m`` does, so a class that all solved the task the same way does
not light up. Rare shared hashes weigh more than hashes shared by a handful.

Each hash weighs its rarity, ``log(n / df)²`` (inverse document frequency,
squared so that a handful of rare lines outweighs a page of popular ones): code
only this student wrote weighs the most, code a quarter of the class wrote nothing. The score
of a pair is the weight of what both hold over the weight of the smaller
submission: the share of its rare code that is also in the other one. A copy,
however disguised, shares nearly all of it (score near 1); honest students who
solved it the obvious way share the common parts, which weigh little.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from autograder.similarity.fingerprint import Fingerprints, K, W

COMMON_FRACTION = 0.25  # a hash in more than a quarter of the class is common code
COMMON_MIN = 10
SMALL_CLASS = 4  # rarity is computed as if the class had at least this many submissions
MIN_SIZE = 15  # a submission weighs at least this many pair-rare fingerprints (no 1/1 = 100 %)


def common_cap(students: int) -> int:
    """Largest number of students a hash may be in and still count as evidence."""
    return max(COMMON_MIN, math.ceil(COMMON_FRACTION * students))


@dataclass(frozen=True)
class Region:
    """A run of matching code: token spans in A and in B."""

    a_start: int
    a_end: int  # exclusive
    b_start: int
    b_end: int
    fingerprints: int


class FingerprintIndex:
    """hash -> indices of the submissions that hold it."""

    def __init__(self, prints: Sequence[Fingerprints]) -> None:
        self.prints = list(prints)
        self.cap = common_cap(len(self.prints))
        postings: dict[int, list[int]] = defaultdict(list)
        for i, fp in enumerate(self.prints):
            for h in fp.positions:
                postings[h].append(i)
        self.postings = dict(postings)
        self._log_n = math.log(max(len(self.prints), SMALL_CLASS))
        self.mass = [
            sum(self.weight(len(self.postings[h])) for h in fp.positions) for fp in self.prints
        ]

    def weight(self, df: int) -> float:
        """Evidence of a hash held by `df` submissions: rare code weighs most, common none."""
        return (self._log_n - math.log(df)) ** 2 if df <= self.cap else 0.0

    def df(self, h: int) -> int:
        return len(self.postings.get(h, ()))

    def is_evidence(self, h: int) -> bool:
        return 2 <= self.df(h) <= self.cap

    def shared_weights(self) -> dict[tuple[int, int], tuple[float, int]]:
        """(i, j) with i < j -> (weighted shared evidence, shared evidence hashes)."""
        acc: dict[tuple[int, int], list[float]] = {}
        for holders in self.postings.values():
            df = len(holders)
            if df < 2 or df > self.cap:
                continue
            w = self.weight(df)
            for x in range(df):
                i = holders[x]
                for y in range(x + 1, df):
                    key = (i, holders[y])
                    slot = acc.get(key)
                    if slot is None:
                        acc[key] = [w, 1.0]
                    else:
                        slot[0] += w
                        slot[1] += 1.0
        return {k: (v[0], int(v[1])) for k, v in acc.items()}

    def code_score(self, i: int, j: int, weighted: float) -> float:
        smaller = min(self.mass[i], self.mass[j])
        return min(1.0, weighted / max(smaller, MIN_SIZE * self.weight(2), 1e-9))

    def regions(self, i: int, j: int) -> list[Region]:
        """The matching runs of a pair, in A's order (evidence hashes only)."""
        a, b = self.prints[i], self.prints[j]
        matches = sorted(
            (pa, pb)
            for h, a_pos in a.positions.items()
            if h in b.positions and self.is_evidence(h)
            for pa in a_pos[:1]
            for pb in b.positions[h][:1]
        )
        gap = K + W
        regions: list[list[int]] = []
        for pa, pb in matches:
            last = regions[-1] if regions else None
            if last is not None and pa - last[1] <= gap and 0 <= pb - last[3] <= gap:
                last[1], last[3], last[4] = pa, pb, last[4] + 1
                last[2] = min(last[2], pb)
            else:
                regions.append([pa, pa, pb, pb, 1])
        return [Region(r[0], r[1] + K, r[2], r[3] + K, r[4]) for r in regions]

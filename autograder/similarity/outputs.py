"""The second signal, which needs no code: the same unusual outputs in two submissions.

Two students who copied a notebook, or ran the same copied model, leave the same
traces: the same training log and printed numbers, the same generated image, the
same odd error message, the same metric value to the last digit. Each trace is an
"item"; items that most of the class shares (the setup cell's print, a common
mistake) say nothing, so only items found in a few submissions count.

Sources, all already in the workspace: the outputs saved in the submitted
notebooks (text lines, images, error messages), and the graded result (metric
values, exceptions raised by the student's code in tests); threshold predictions
where the workspace keeps them (`predictions.py`).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nbformat import NotebookNode

from autograder.results import SubmissionResult

RARE_MAX = 3  # an item in at most this many submissions is unusual
OUTPUT_FULL = 4.0  # this much weighted shared evidence makes an output score of 1
MIN_LINE = 10  # shorter printed lines ("2.0", "True") are too common to mean anything
MAX_ITEMS = 2000  # per submission; a notebook that prints a million lines is not evidence
WEIGHTS = {
    "output": 1.0,
    "image": 1.5,
    "error": 1.0,
    "metric": 0.5,
    "predictions": 1.5,  # a whole prediction array, identical (predictions.py)
    "prediction": 0.25,  # one unusual answer, the same
}

_SPACE = re.compile(r"\s+")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class Item:
    kind: str  # a key of WEIGHTS
    text: str  # what the report shows (escaped there)

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind]


def _lines(text: object) -> list[str]:
    if isinstance(text, list):
        text = "".join(str(t) for t in text)
    if not isinstance(text, str):
        return []
    out = []
    for line in _ANSI.sub("", text).splitlines():
        flat = _SPACE.sub(" ", line).strip()
        if len(flat) >= MIN_LINE and any(ch.isalnum() for ch in flat):
            out.append(flat[:300])
    return out


def notebook_items(nb: NotebookNode) -> set[Item]:
    items: set[Item] = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []) or []:
            kind = out.get("output_type")
            if kind == "stream":
                items.update(Item("output", line) for line in _lines(out.get("text", "")))
            elif kind in ("execute_result", "display_data"):
                data = out.get("data", {}) or {}
                for mime in ("image/png", "image/jpeg", "image/svg+xml"):
                    if mime in data:
                        blob = data[mime]
                        blob = "".join(blob) if isinstance(blob, list) else str(blob)
                        digest = hashlib.sha256(blob.strip().encode()).hexdigest()[:16]
                        items.add(Item("image", f"{mime} sha256:{digest}"))
                items.update(Item("output", line) for line in _lines(data.get("text/plain", "")))
            elif kind == "error":
                text = f"{out.get('ename', '')}: {out.get('evalue', '')}"
                items.update(Item("error", line) for line in _lines(text))
    return items


def result_items(result: SubmissionResult | None) -> set[Item]:
    if result is None or result.status != "graded":
        return set()
    items = {Item("metric", f"{m.id} = {m.value!r}") for m in result.metrics if m.value is not None}
    items.update(
        Item("error", line)
        for t in result.tests
        if t.status == "error"
        for line in _lines(t.text(result.language))
    )
    return items


def submission_items(
    notebooks: Iterable[NotebookNode], result: SubmissionResult | None
) -> set[Item]:
    items: set[Item] = set()
    for nb in notebooks:
        items |= notebook_items(nb)
    items |= result_items(result)
    if len(items) > MAX_ITEMS:
        items = set(sorted(items, key=lambda i: (i.kind, i.text))[:MAX_ITEMS])
    return items


def rare_max(students: int) -> int:
    """At most this many holders make an item unusual (a pair, in a small class)."""
    return max(2, min(RARE_MAX, students // 4))


def shared_rare_items(
    per_student: Sequence[set[Item]],
) -> dict[tuple[int, int], list[Item]]:
    """(i, j) with i < j -> the unusual items both hold (inverted index, as for code)."""
    most = rare_max(len(per_student))
    holders: dict[Item, list[int]] = defaultdict(list)
    for i, items in enumerate(per_student):
        for item in items:
            holders[item].append(i)
    shared: dict[tuple[int, int], list[Item]] = defaultdict(list)
    for item, who in holders.items():
        if 2 <= len(who) <= most:
            for x in range(len(who)):
                for y in range(x + 1, len(who)):
                    shared[(who[x], who[y])].append(item)
    return {k: sorted(v, key=lambda i: (i.kind, i.text)) for k, v in shared.items()}


def output_score(items: Sequence[Item]) -> float:
    return min(1.0, sum(i.weight for i in items) / OUTPUT_FULL)

"""Regenerate week 7's public data (``data/``) and hidden evaluation sets (``hidden/``).

Deterministic: ``python make_hidden.py`` rewrites every file byte for byte. The generators
live here (``solutions/`` is never released) and draw from ``SECRET_SEED``; the release holds
only the drawn public data and says what the data are like, not how they are made.

- Water tank (hourly level): emptied once a day at a fixed hour (the phase is random), filled
  in between at a rate that changes from day to day (0.2-0.6 per hour), plus sensor noise.
  The level says nothing about the hour, so the next drain is known only from how long ago
  the last one was: the last few values (rules, boosting or k-NN on them) cannot know it. ``data/series.csv`` 4000 hours; ``hidden/fc_X.npy`` (1200, 48)
  windows of a fresh 1248-hour series and ``fc_y.npy`` their next values.
- Reviews with a turn: "[opener] the A was [not|never] [0-2 intensifiers] ADJ but the B was
  [not|never] [0-2 intensifiers] ADJ [closer]". The verdict is the clause after "but" (its
  adjective's polarity, flipped by not/never), so which words come after "but", and which
  adjective a "not" precedes, decide the label: a bag of words (counts or presence) cannot
  tell. ``data/reviews.csv`` 4000 + ``data/val_reviews.csv`` 1000; ``hidden/text_X.npy``
  2000 fresh sentences (none in a public file) encoded like the notebook's ``encode``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
SECRET_SEED = 7_260_413
WINDOW, MAX_LEN = 48, 24
PUBLIC_HOURS, HIDDEN_HOURS = 4000, 1248
N_TRAIN, N_VAL, N_HIDDEN = 4000, 1000, 2000

OPENERS = ["", "honestly", "overall", "i think", "to be fair", "in the end"]
ASPECTS = ["story", "acting", "music", "ending", "camera work", "dialogue"]
INTENSIFIERS = ["very", "really", "quite", "truly", "so", "rather"]
POSITIVE = ["good", "great", "fun", "moving", "clever", "charming", "beautiful", "exciting"]
NEGATIVE = ["bad", "boring", "dull", "awful", "silly", "weak", "messy", "slow"]
CLOSERS = ["", "to me", "this time", "in my opinion", "for sure"]
VOCAB = sorted(
    {w for s in OPENERS + ASPECTS + INTENSIFIERS + POSITIVE + NEGATIVE + CLOSERS for w in s.split()}
    | {"the", "was", "not", "never", "but"}
)


def make_series(n: int, rng: np.random.Generator) -> np.ndarray:
    phase = rng.integers(24)
    level = rng.uniform(0.0, 3.0)
    rate = rng.uniform(0.2, 0.6)
    values = np.empty(n)
    for t in range(n):
        if (t + phase) % 24 == 0:  # emptied once a day at a fixed hour; a new day's inflow
            level = rng.uniform(0.0, 1.0)
            rate = rng.uniform(0.2, 0.6)
        else:
            level += rate + 0.05 * rng.normal()
        values[t] = level
    return values + 0.1 * rng.normal(size=n)


def _clause(rng: np.random.Generator, aspect: str) -> tuple[list[str], int]:
    positive = rng.random() < 0.5
    negated = rng.random() < 0.5
    words = ["the", *aspect.split(), "was"]
    if negated:
        words.append(["not", "never"][rng.integers(2)])
    words += [INTENSIFIERS[i] for i in rng.integers(len(INTENSIFIERS), size=rng.integers(0, 3))]
    words.append((POSITIVE if positive else NEGATIVE)[rng.integers(len(POSITIVE))])
    return words, int(positive != negated)


def make_reviews(n: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    sentences, labels = [], []
    for _ in range(n):
        a, b = rng.choice(len(ASPECTS), size=2, replace=False)
        first, _ = _clause(rng, ASPECTS[a])
        second, verdict = _clause(rng, ASPECTS[b])
        opener = OPENERS[rng.integers(len(OPENERS))].split()
        closer = CLOSERS[rng.integers(len(CLOSERS))].split()
        sentences.append(" ".join(opener + first + ["but"] + second + closer))
        labels.append(verdict)
    return sentences, np.array(labels, dtype=np.int64)


def encode(sentences: list[str]) -> np.ndarray:
    index = {w: i + 1 for i, w in enumerate(VOCAB)}
    out = np.zeros((len(sentences), MAX_LEN), dtype=np.int32)
    for row, sentence in enumerate(sentences):
        ids = [index.get(w, 0) for w in str(sentence).split()][:MAX_LEN]
        out[row, : len(ids)] = ids
    return out


def make(seed: int = SECRET_SEED) -> dict:
    """Public and hidden data for one seed (``SECRET_SEED`` is shipped)."""
    rng = np.random.default_rng(seed)
    series = make_series(PUBLIC_HOURS, rng)
    hidden_series = make_series(HIDDEN_HOURS, rng)
    train, train_y = make_reviews(N_TRAIN, rng)
    val, val_y = make_reviews(N_VAL, rng)
    public = set(train) | set(val)
    fresh, fresh_y = make_reviews(4 * N_HIDDEN, rng)
    keep = [i for i, s in enumerate(fresh) if s not in public][:N_HIDDEN]
    assert len(keep) == N_HIDDEN, "not enough fresh sentences"
    return {
        "series": series,
        "fc_X": np.lib.stride_tricks.sliding_window_view(hidden_series[:-1], WINDOW).astype(np.float32),
        "fc_y": hidden_series[WINDOW:].astype(np.float64),
        "train": (train, train_y),
        "val": (val, val_y),
        "hidden_text": ([fresh[i] for i in keep], fresh_y[keep]),
        "text_X": encode([fresh[i] for i in keep]),
        "text_y": fresh_y[keep].astype(np.int64),
    }


def _write_reviews(path: Path, sentences: list[str], labels: np.ndarray) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["review", "label"])
        writer.writerows(zip(sentences, labels.tolist()))


def main() -> None:
    a = make()
    DATA.mkdir(exist_ok=True)
    with open(DATA / "series.csv", "w", newline="", encoding="utf-8") as f:
        f.write("level\n" + "".join(f"{v:.4f}\n" for v in a["series"]))
    _write_reviews(DATA / "reviews.csv", *a["train"])
    _write_reviews(DATA / "val_reviews.csv", *a["val"])
    for name in ("fc_X", "fc_y", "text_X", "text_y"):
        np.save(HERE / f"{name}.npy", a[name], allow_pickle=False)
    print(f"week07: series {len(a['series'])}, hidden text positive share {a['text_y'].mean():.3f}")


if __name__ == "__main__":
    main()

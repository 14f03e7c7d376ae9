"""Regenerate week 7's hidden sets (deterministic; run from anywhere).

The generators are the notebook's own read-only ``data`` cell (executed from
``week07.ipynb``), so the hidden data follow exactly the public recipe with
seeds the students never see:

- forecasting: a fresh 1248-hour tank series (new seed: new noise, new drain
  times) cut into 1200 windows -> ``fc_X.npy`` (1200, 48) float32 raw units,
  ``fc_y.npy`` (1200,) next values;
- reviews: 2000 fresh sentences, none equal to a public training or validation
  sentence -> ``text_X.npy`` (2000, 14) int32 word ids (the notebook's
  ``encode``), ``text_y.npy`` (2000,) int64 labels.
"""

from pathlib import Path

import nbformat
import numpy as np

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE.parent / "week07.ipynb"
SERIES_SEED = 70707
SERIES_LENGTH = 1248
REVIEWS_SEED = 77077
REVIEWS = 2000


def _generators() -> dict:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "data"]
    namespace: dict = {"np": np}
    exec(compile(cell.source, f"{NOTEBOOK}:data", "exec"), namespace)
    return namespace


def make() -> dict[str, np.ndarray]:
    g = _generators()
    window = g["WINDOW"]
    series = g["make_series"](SERIES_LENGTH, seed=SERIES_SEED)
    fc_X = np.lib.stride_tricks.sliding_window_view(series[:-1], window).astype(np.float32)
    fc_y = series[window:].astype(np.float64)
    public_series = g["make_series"](4000, seed=0)
    assert not np.isin(series, public_series).any(), "a hidden value equals a public one"

    public = set(g["make_reviews"](4000, seed=0)[0].tolist())
    public |= set(g["make_reviews"](1000, seed=1)[0].tolist())
    sentences, labels = g["make_reviews"](4 * REVIEWS, seed=REVIEWS_SEED)
    fresh = np.array([s not in public for s in sentences.tolist()])
    sentences, labels = sentences[fresh][:REVIEWS], labels[fresh][:REVIEWS]
    assert len(sentences) == REVIEWS, "not enough fresh sentences"
    return {
        "fc_X": fc_X,
        "fc_y": fc_y,
        "text_X": g["encode"](sentences).astype(np.int32),
        "text_y": labels.astype(np.int64),
    }


def main() -> None:
    arrays = make()
    for name, array in arrays.items():
        np.save(HERE / f"{name}.npy", array, allow_pickle=False)
    y = arrays["text_y"]
    print(
        f"week07 hidden: fc_X {arrays['fc_X'].shape}, text_X {arrays['text_X'].shape}, "
        f"positive share {y.mean():.3f}"
    )


if __name__ == "__main__":
    main()

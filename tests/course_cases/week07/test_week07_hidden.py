"""Week 7's data come from generators that are never released (solutions/week07/hidden):
reproducible byte for byte, hidden sentences and series in no public file, and the review
labels follow the clause after "but" (word order), which a bag of words cannot read."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

WEEK = Path(__file__).resolve().parents[3] / "solutions" / "week07"
HIDDEN = WEEK / "hidden"
RELEASE = WEEK.parents[1] / "assignments" / "week07"


def _make_hidden():
    spec = importlib.util.spec_from_file_location("week07_make_hidden", HIDDEN / "make_hidden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_hidden_regenerates_every_file(tmp_path: Path) -> None:
    copy = tmp_path / "week07"
    shutil.copytree(HIDDEN, copy / "hidden")
    for npy in (copy / "hidden").glob("*.npy"):
        npy.unlink()
    subprocess.run([sys.executable, str(copy / "hidden" / "make_hidden.py")], check=True)
    for name in ("fc_X.npy", "fc_y.npy", "text_X.npy", "text_y.npy"):
        assert (copy / "hidden" / name).read_bytes() == (HIDDEN / name).read_bytes(), name
    for name in ("series.csv", "reviews.csv", "val_reviews.csv"):
        assert (copy / "data" / name).read_bytes() == (WEEK / "data" / name).read_bytes(), name


def test_the_release_holds_data_but_no_generator() -> None:
    released = sorted(str(p.relative_to(RELEASE)) for p in RELEASE.rglob("*") if p.is_file())
    assert released == ["data/reviews.csv", "data/series.csv", "data/val_reviews.csv", "week07.ipynb"]
    text = (RELEASE / "week07.ipynb").read_text(encoding="utf-8")
    assert "make_series" not in text and "make_reviews" not in text and "SECRET_SEED" not in text


def test_hidden_sentences_are_fresh_and_labels_follow_the_clause_after_but() -> None:
    module = _make_hidden()
    X = np.load(HIDDEN / "text_X.npy", allow_pickle=False)
    y = np.load(HIDDEN / "text_y.npy", allow_pickle=False)
    assert X.shape == (2000, module.MAX_LEN)
    words = np.array(["", *module.VOCAB])
    sentences = [" ".join(words[row[row > 0]]) for row in X]
    public = set()
    for name in ("reviews.csv", "val_reviews.csv"):
        lines = (WEEK / "data" / name).read_text(encoding="utf-8").splitlines()[1:]
        public |= {line.rsplit(",", 1)[0] for line in lines}
    assert not public.intersection(sentences)
    positive = set(module.POSITIVE)
    for sentence, label in zip(sentences, y, strict=True):
        after = sentence.split(" but ")[1].split()
        negated = "not" in after or "never" in after
        assert label == int(any(t in positive for t in after) != negated), sentence


def test_a_presence_only_bag_of_words_cannot_read_the_verdict() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction.text import CountVectorizer

    module = _make_hidden()
    a = module.make()
    sentences, labels = a["train"]
    hidden, hidden_y = a["hidden_text"]
    vec = CountVectorizer(binary=True)
    model = HistGradientBoostingClassifier(random_state=0)
    model.fit(vec.fit_transform(sentences).toarray(), labels)
    accuracy = float(np.mean(model.predict(vec.transform(hidden).toarray()) == hidden_y))
    assert accuracy < 0.70  # the threshold's floor is 0.85


def test_hidden_series_is_a_fresh_tank_series() -> None:
    X = np.load(HIDDEN / "fc_X.npy", allow_pickle=False).astype(np.float64)
    y = np.load(HIDDEN / "fc_y.npy", allow_pickle=False)
    assert X.shape == (1200, 48)
    assert np.allclose(X[1:, -1], y[:-1], atol=1e-5)  # consecutive windows of one series
    public = np.loadtxt(WEEK / "data" / "series.csv", skiprows=1)
    assert not np.isin(np.round(y, 4), public).all()

"""Measure each week's reference model and its baselines on the week's hidden data.

``python bench/course_baselines.py week03`` (or week05, week06, week07) prints one Markdown table per threshold: the
reference over three generator seeds (0, 1, 2) and on the shipped (secret) seed, and every
baseline a student could try instead of the week's model. docs/course/weekNN.md quotes these
tables; the floors sit above the best baseline and the targets below the reference's worst
seed. Run one week at a time (the deep-learning weeks train Keras models).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

REPO = Path(__file__).resolve().parents[1]


def load_module(week: str, name: str) -> ModuleType:
    path = REPO / "solutions" / week / "hidden" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{week}_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table(title: str, rows: dict[str, list[float]], seeds: list[str], fmt: str = "{:.3f}") -> str:
    head = f"| {title} | " + " | ".join(seeds) + " | min |\n|---|" + "---|" * (len(seeds) + 1)
    body = [
        f"| {name} | "
        + " | ".join(fmt.format(v) for v in values)
        + f" | {fmt.format(min(values))} |"
        for name, values in rows.items()
    ]
    return "\n".join([head, *body])


def week03() -> None:
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.metrics import r2_score, roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    gen = load_module("week03", "make_hidden")
    seeds = {"seed 0": 0, "seed 1": 1, "seed 2": 2, "shipped": gen.DRAW_SEED}
    regressors: dict[str, Callable[[], object]] = {
        "**reference** LinearRegression": LinearRegression,
        "mean of y_train": lambda: None,
        "best single feature (picked on train), linear": lambda: "single",
        "k-NN (k=5), standardised": lambda: make_pipeline(StandardScaler(), KNeighborsRegressor(5)),
        "k-NN (k=15), standardised": lambda: make_pipeline(
            StandardScaler(), KNeighborsRegressor(15)
        ),
        "decision tree (depth 4), a rule": lambda: DecisionTreeRegressor(
            max_depth=4, random_state=0
        ),
        "random forest (200)": lambda: RandomForestRegressor(200, random_state=0, n_jobs=1),
        "gradient boosting (HistGB)": lambda: HistGradientBoostingRegressor(random_state=0),
    }
    classifiers: dict[str, Callable[[], object]] = {
        "**reference** StandardScaler + LogisticRegression": lambda: make_pipeline(
            StandardScaler(), LogisticRegression(max_iter=1000)
        ),
        "best single feature (picked on train)": lambda: "single",
        "k-NN (k=15), standardised": lambda: make_pipeline(
            StandardScaler(), KNeighborsClassifier(15)
        ),
        "Gaussian naive Bayes": GaussianNB,
        "decision tree (depth 4), a rule": lambda: DecisionTreeClassifier(
            max_depth=4, random_state=0
        ),
        "random forest (200)": lambda: RandomForestClassifier(200, random_state=0, n_jobs=1),
        "gradient boosting (HistGB)": lambda: HistGradientBoostingClassifier(random_state=0),
        "mistake: LogisticRegression unscaled, max_iter=200": lambda: LogisticRegression(
            max_iter=200
        ),
    }
    r2: dict[str, list[float]] = {name: [] for name in regressors}
    auc: dict[str, list[float]] = {name: [] for name in classifiers}
    for seed in seeds.values():
        a = gen.make(seed)
        Xtr, _, ytr, _ = train_test_split(
            a["reg_public_X"], a["reg_public_y"], test_size=0.25, random_state=1
        )
        for name, factory in regressors.items():
            model = factory()
            if model is None:
                pred = np.full(len(a["reg_y"]), ytr.mean())
            elif model == "single":
                j = int(
                    np.argmax([abs(np.corrcoef(Xtr[:, k], ytr)[0, 1]) for k in range(Xtr.shape[1])])
                )
                pred = LinearRegression().fit(Xtr[:, [j]], ytr).predict(a["reg_X"][:, [j]])
            else:
                pred = model.fit(Xtr, ytr).predict(a["reg_X"])  # type: ignore[attr-defined]
            r2[name].append(r2_score(a["reg_y"], pred))
        Xtr, _, ytr, _ = train_test_split(
            a["clf_public_X"],
            a["clf_public_y"],
            test_size=0.25,
            random_state=1,
            stratify=a["clf_public_y"],
        )
        for name, factory in classifiers.items():
            model = factory()
            if model == "single":
                signs = [roc_auc_score(ytr, Xtr[:, k]) - 0.5 for k in range(Xtr.shape[1])]
                j = int(np.argmax(np.abs(signs)))
                score = a["clf_X"][:, j] * np.sign(signs[j])
            else:
                score = model.fit(Xtr, ytr).predict_proba(a["clf_X"])[:, 1]  # type: ignore[attr-defined]
            auc[name].append(roc_auc_score(a["clf_y"], score))
    print("### regression_r2 (R² on the hidden set, higher is better)\n")
    print(table("model", r2, list(seeds)))
    print("\n### classification_auc (ROC AUC on the hidden set)\n")
    print(table("model", auc, list(seeds), "{:.4f}"))


def _rmse(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(p, dtype=float) - y) ** 2)))


def week07() -> None:
    import keras
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neighbors import KNeighborsRegressor

    gen = load_module("week07", "make_hidden")
    a = gen.make()
    window = gen.WINDOW
    train = a["series"][:3200]
    X = np.lib.stride_tricks.sliding_window_view(train[:-1], window)
    y = train[window:]
    Xh, yh = a["fc_X"].astype(np.float64), a["fc_y"]
    fc: dict[str, list[float]] = {}
    mu, sd = float(train.mean()), float(train.std())
    for seed in (0, 1, 2):
        keras.utils.set_random_seed(seed)
        model = keras.Sequential(
            [keras.Input(shape=(window, 1)), keras.layers.LSTM(64), keras.layers.Dense(1)]
        )
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3), loss="mse")
        model.fit(
            ((X - mu) / sd)[..., None],
            (y - mu) / sd,
            epochs=30,
            batch_size=64,
            validation_split=0.1,
            verbose=0,
        )
        pred = model.predict(((Xh - mu) / sd)[..., None], verbose=0)[:, 0] * sd + mu
        fc.setdefault("**reference** LSTM(64), 30 epochs (keras seeds 0/1/2)", []).append(
            _rmse(pred, yh)
        )
    rate = float(np.median(np.diff(train)))
    step = Xh[:, -1] + rate
    drained_a_day_ago = Xh[:, -24] < Xh[:, -25] - 1.0
    baselines = {
        "naive: last value": Xh[:, -1],
        "rule: last + median hourly rise, reset to 0.5 at >= 10": np.where(step >= 10, 0.5, step),
        "rule knowing the schedule: reset to 0.5 if drained 24 h before, else last + rise": (
            np.where(drained_a_day_ago, 0.5, step)
        ),
        "Ridge on the 48-window (linear AR)": Ridge(1.0).fit(X, y).predict(Xh),
        "k-NN (10) on the last 8 values": KNeighborsRegressor(10)
        .fit(X[:, -8:], y)
        .predict(Xh[:, -8:]),
    }
    for k in (1, 3, 8, 48):
        boost = HistGradientBoostingRegressor(random_state=0).fit(X[:, -k:], y)
        baselines[f"gradient boosting on the last {k} values"] = boost.predict(Xh[:, -k:])
    for name, pred in baselines.items():
        fc[name] = [_rmse(pred, yh)]
    print("### forecast_rmse (RMSE on the hidden tank series, lower is better)\n")
    for name, values in fc.items():
        print(f"| {name} | " + " / ".join(f"{v:.3f}" for v in values) + f" | {max(values):.3f} |")

    sentences, labels = a["train"]
    hidden, hidden_y = a["hidden_text"]
    text: dict[str, list[float]] = {}
    vocab = len(gen.VOCAB) + 1
    for seed in (0, 1, 2):
        keras.utils.set_random_seed(seed)
        model = keras.Sequential(
            [
                keras.Input(shape=(gen.MAX_LEN,), dtype="int32"),
                keras.layers.Embedding(vocab, 16, mask_zero=True),
                keras.layers.GRU(32),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="binary_crossentropy")
        model.fit(gen.encode(sentences), labels, epochs=10, batch_size=64, verbose=0)
        proba = model.predict(a["text_X"], verbose=0)[:, 0]
        text.setdefault("**reference** GRU(32), 10 epochs (keras seeds 0/1/2)", []).append(
            float(np.mean((proba >= 0.5) == hidden_y))
        )
    bags = {
        "bag of words, presence only, logistic regression": (CountVectorizer(binary=True), "lr"),
        "bag of words, presence only, gradient boosting": (CountVectorizer(binary=True), "gb"),
        "bag of words, counts, gradient boosting": (CountVectorizer(), "gb"),
        "1-3-grams, logistic regression": (CountVectorizer(ngram_range=(1, 3)), "lr"),
        "1-3-grams (presence, min_df 3), gradient boosting": (
            CountVectorizer(ngram_range=(1, 3), binary=True, min_df=3),
            "gb",
        ),
    }
    for name, (vec, kind) in bags.items():
        A, B = vec.fit_transform(sentences), vec.transform(hidden)
        if kind == "gb":
            clf = HistGradientBoostingClassifier(random_state=0).fit(A.toarray(), labels)
            pred = clf.predict(B.toarray())
        else:
            pred = LogisticRegression(max_iter=3000).fit(A, labels).predict(B)
        text[name] = [float(np.mean(pred == hidden_y))]
    onehot = np.eye(vocab)[gen.encode(sentences)].reshape(len(sentences), -1)
    hot_h = np.eye(vocab)[a["text_X"]].reshape(len(hidden), -1)
    text["positional one-hot, logistic regression"] = [
        float(
            np.mean(
                LogisticRegression(max_iter=3000).fit(onehot, labels).predict(hot_h) == hidden_y
            )
        )
    ]
    pos, neg = set(gen.POSITIVE), set(gen.NEGATIVE)

    def last_adjective(s: str, flip: bool) -> int:
        words = s.split()
        adj = [w for w in words if w in pos or w in neg][-1]
        negated = flip and ("not" in words or "never" in words)
        return int((adj in pos) != negated)

    for name, flip in [
        ("rule: polarity of the last adjective", False),
        ("rule: last adjective, flipped if not/never anywhere", True),
    ]:
        pred = np.array([last_adjective(s, flip) for s in hidden])
        text[name] = [float(np.mean(pred == hidden_y))]
    print("\n### review_accuracy (accuracy on 2000 fresh hidden reviews)\n")
    for name, values in text.items():
        print(f"| {name} | " + " / ".join(f"{v:.3f}" for v in values) + f" | {min(values):.3f} |")


def _accuracy(pred: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.asarray(pred) == y))


def _template_lookup(templates: np.ndarray, labels: np.ndarray, sharpness: float = 50.0):
    """The lookup an attacker would ship as a "network": the first Dense layer holds the
    public images (logits -|x - t|^2 / 2 up to a constant), the second maps each image to its
    label. Two Dense layers, a hidden softmax, under 1 M parameters, "trained" by assignment."""
    import keras

    t = templates.reshape(len(templates), -1).astype(np.float32)
    model = keras.Sequential(
        [
            keras.Input(shape=(t.shape[1],)),
            keras.layers.Dense(len(t), activation=None),
            keras.layers.Activation("softmax"),
            keras.layers.Dense(10, use_bias=False),
        ]
    )
    model.layers[0].set_weights([sharpness * t.T, -sharpness * 0.5 * (t**2).sum(1)])
    model.layers[2].set_weights([np.eye(10, dtype=np.float32)[labels]])
    return model


def _keras_mlp(seed: int, inputs: tuple[int, ...], front: list | None = None):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(shape=inputs),
            *(front or []),
            keras.layers.Flatten(),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _print_rows(title: str, rows: dict[str, list[float]]) -> None:
    print(f"### {title}\n")
    print("| model | accuracy (seeds 0/1/2 or one run) | min |\n|---|---|---|")
    for name, values in rows.items():
        print(f"| {name} | " + " / ".join(f"{v:.3f}" for v in values) + f" | {min(values):.3f} |")


def _classic_baselines(
    rows: dict[str, list[float]],
    Xtr: np.ndarray,
    ytr: np.ndarray,
    Xh: np.ndarray,
    yh: np.ndarray,
    *,
    tag: str = "",
    boosting: bool = True,
) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import StandardScaler

    def per_image(X: np.ndarray) -> np.ndarray:
        return StandardScaler().fit_transform(X.T).T

    models: dict[str, tuple[object, bool]] = {
        "1-NN (lookup of the nearest public image)": (KNeighborsClassifier(1), False),
        "k-NN (k=5)": (KNeighborsClassifier(5), False),
        "k-NN (k=5), each image standardised": (KNeighborsClassifier(5), True),
        "logistic regression (week 3's model)": (LogisticRegression(max_iter=3000), False),
        "logistic regression, each image standardised": (LogisticRegression(max_iter=3000), True),
    }
    if boosting:
        models["gradient boosting (HistGB)"] = (
            HistGradientBoostingClassifier(random_state=0),
            False,
        )
    for name, (model, standardise) in models.items():
        A, B = (per_image(Xtr), per_image(Xh)) if standardise else (Xtr, Xh)
        rows[name + tag] = [_accuracy(model.fit(A, ytr).predict(B), yh)]  # type: ignore[attr-defined]


def week05() -> None:
    gen = load_module("week05", "make_hidden")
    a = gen.make()
    Xtr, ytr = a["X_train"] / 16.0, a["y_train"]
    Xte, yte = a["X_test"] / 16.0, a["y_test"]
    Xh, yh = a["X"] / 16.0, a["y"]
    rows: dict[str, list[float]] = {}
    for epochs, name in (
        (30, "**reference** MLP 256-128, dropout 0.2, 30 epochs, batch 64"),
        (3, "same MLP, 3 epochs (few_epochs case)"),
    ):
        for seed in (0, 1, 2):
            model = _keras_mlp(seed, (64,))
            started = time.perf_counter()
            model.fit(Xtr, ytr, epochs=epochs, batch_size=64, validation_split=0.1, verbose=0)
            rows.setdefault(name, []).append(_accuracy(model.predict(Xh, verbose=0).argmax(1), yh))
            if epochs == 30:
                print(
                    f"seed {seed}: fit {time.perf_counter() - started:.1f} s, public test "
                    f"{_accuracy(model.predict(Xte, verbose=0).argmax(1), yte):.3f}",
                    file=sys.stderr,
                )
    _classic_baselines(rows, Xtr, ytr, Xh, yh)
    public_X = np.concatenate([Xtr, Xte])
    public_y = np.concatenate([ytr, yte])
    _classic_baselines(
        rows, public_X, public_y, Xh, yh, tag=", train + public test", boosting=False
    )
    for sharpness in (10.0, 50.0):
        lookup = _template_lookup(public_X, public_y, sharpness)
        rows[f"Keras template lookup (Dense = all 7000 public images, sharpness {sharpness:g})"] = [
            _accuracy(lookup.predict(Xh, verbose=0).argmax(1), yh)
        ]
    _print_rows("hidden_accuracy (accuracy on 2000 fresh hidden digits)", rows)


def _shift(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    out = np.zeros_like(image)
    h, w = image.shape
    out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def _augment(
    images: np.ndarray, labels: np.ndarray, copies: int, seed: int, *, vertical: bool = True
):
    """The notebook's augment: clean images, then copies shifted by -3..3 px with noise 0.1."""
    rng = np.random.default_rng(seed)
    out, out_y = [images], [labels]
    for _ in range(copies):
        moved = np.empty_like(images)
        for i, img in enumerate(images):
            dy, dx = (int(v) for v in rng.integers(-3, 4, size=2))
            moved[i, :, :, 0] = _shift(img[:, :, 0], dy if vertical else 0, dx)
        out.append(np.clip(moved + rng.normal(0.0, 0.1, size=moved.shape), 0, 1).astype(np.float32))
        out_y.append(labels)
    return np.concatenate(out), np.concatenate(out_y)


def _keras_cnn(seed: int):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(shape=(16, 16, 1)),
            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _shift_lookup(templates: np.ndarray, labels: np.ndarray, sharpness: float = 20.0):
    """A lookup that tolerates shifts and passes week 6's layer rule: every public image is a
    16x16 Conv2D filter (zero-mean, so paper shade cancels), the best match over all positions
    (global max pooling) picks the image, a Dense layer its label."""
    import keras

    t = templates.reshape(len(templates), 16, 16).astype(np.float32)
    t = t - t.mean(axis=(1, 2), keepdims=True)
    t /= np.linalg.norm(t.reshape(len(t), -1), axis=1)[:, None, None]
    model = keras.Sequential(
        [
            keras.Input(shape=(16, 16, 1)),
            keras.layers.Conv2D(len(t), 16, padding="same", use_bias=False),
            keras.layers.GlobalMaxPooling2D(),
            keras.layers.Rescaling(sharpness),
            keras.layers.Activation("softmax"),
            keras.layers.Dense(10, use_bias=False),
        ]
    )
    model.layers[0].set_weights([np.transpose(t, (1, 2, 0))[:, :, None, :]])
    model.layers[4].set_weights([np.eye(10, dtype=np.float32)[labels]])
    return model


def week06_shift_lookup(n_templates: int = 3000) -> float:
    """Hidden accuracy of ``_shift_lookup`` over the first public training images (the 1 M
    parameter cap allows about 3900 filters of 16x16)."""
    gen = load_module("week06", "make_hidden")
    a = gen.make()
    model = _shift_lookup(a["X_train"][:n_templates] / 16.0, a["y_train"][:n_templates])
    Xh = (a["X"] / 16.0).reshape(-1, 16, 16, 1)
    return _accuracy(model.predict(Xh, verbose=0, batch_size=100).argmax(1), a["y"])


def week06() -> None:
    import keras

    gen = load_module("week06", "make_hidden")
    a = gen.make()
    images = (a["X_train"] / 16.0).reshape(-1, 16, 16, 1).astype(np.float32)
    ytr = a["y_train"]
    Xte, yte = (a["X_test"] / 16.0).reshape(-1, 16, 16, 1), a["y_test"]
    Xh, yh = (a["X"] / 16.0).reshape(-1, 16, 16, 1), a["y"]
    rows: dict[str, list[float]] = {}
    X_aug, y_aug = _augment(images, ytr, 5, 0)
    ref = "**reference** CNN C32-P-C64-P-D128 + augmentation (5 copies, ±3 px), 10 epochs"
    for seed in (0, 1, 2):
        X_s, y_s = _augment(images, ytr, 5, seed)
        model = _keras_cnn(seed)
        started = time.perf_counter()
        model.fit(X_s, y_s, epochs=10, batch_size=64, validation_split=0.1, verbose=0)
        rows.setdefault(ref, []).append(_accuracy(model.predict(Xh, verbose=0).argmax(1), yh))
        print(
            f"seed {seed}: fit {time.perf_counter() - started:.1f} s, public test "
            f"{_accuracy(model.predict(Xte, verbose=0).argmax(1), yte):.3f}",
            file=sys.stderr,
        )
    variants = {
        "same CNN without augmentation, 20 epochs (no_augmentation case)": (images, ytr, 20),
        "same CNN, horizontal-only shifts (mistake case)": (
            *_augment(images, ytr, 5, 0, vertical=False),
            10,
        ),
    }
    for name, (X, y, epochs) in variants.items():
        model = _keras_cnn(0)
        model.fit(X, y, epochs=epochs, batch_size=64, verbose=0)
        rows[name] = [_accuracy(model.predict(Xh, verbose=0).argmax(1), yh)]
    dense = {
        "week 5's MLP (256-128) on the 256 pixels, no augmentation, 30 epochs": (
            None,
            images,
            ytr,
            30,
        ),
        "week 5's MLP + the same augmentation, 10 epochs": (None, X_aug, y_aug, 10),
        "dense MLP behind a token 1x1 Conv2D + the same augmentation, 10 epochs": (
            [keras.layers.Conv2D(1, 1)],
            X_aug,
            y_aug,
            10,
        ),
    }
    for name, (front, X, y, epochs) in dense.items():
        model = _keras_mlp(0, (16, 16, 1), front)
        model.fit(X, y, epochs=epochs, batch_size=64, verbose=0)
        rows[name] = [_accuracy(model.predict(Xh, verbose=0).argmax(1), yh)]
    flat = lambda X: X.reshape(len(X), -1)  # noqa: E731
    _classic_baselines(rows, flat(images), ytr, flat(Xh), yh)
    _classic_baselines(rows, flat(X_aug), y_aug, flat(Xh), yh, tag=", augmented", boosting=False)
    public_X = np.concatenate([flat(X_aug), flat(Xte)])
    public_y = np.concatenate([y_aug, yte])
    _classic_baselines(
        rows, public_X, public_y, flat(Xh), yh, tag=", augmented + public test", boosting=False
    )
    lookup = _template_lookup(
        np.concatenate([flat(images), flat(Xte)]), np.concatenate([ytr, yte]), 50.0
    )
    rows["Keras template lookup (Dense = all 5000 public images)"] = [
        _accuracy(lookup.predict(flat(Xh), verbose=0).argmax(1), yh)
    ]
    rows["Keras shift-tolerant lookup (Conv2D filters = 3000 public images, global max)"] = [
        week06_shift_lookup()
    ]
    _print_rows("hidden_shift_accuracy (accuracy on 2000 fresh moved hidden digits)", rows)


WEEKS = {"week03": week03, "week05": week05, "week06": week06, "week07": week07}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("week", choices=sorted(WEEKS))
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    WEEKS[args.week]()
    print(f"\n(measured in {time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Measure each week's reference model and its baselines on the week's hidden data.

``python bench/course_baselines.py week03`` prints one Markdown table per threshold: the
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


WEEKS = {"week03": week03}


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

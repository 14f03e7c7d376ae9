"""Week 8's generator gates, measured: the reference passes, copies, blends and attacks fail.

    python bench/generator_gates.py [--seeds 0,1,2] [--samples FILE]

Trains the week's reference generator (the solution notebook's own cells:
build_generator, build_discriminator, build_gan, train_gan, 2500 steps) for each
seed and samples it with latent vectors the student never sees; builds the cheats
a student could store in a generator's weights (real held-out digits, training
images with noise, one-pixel-shifted copies, blends of two real images, patterns
optimised against one's own scikit-learn classifier, noise); and prints every
sub-metric and which gates each set fails under week 8's assignment.toml. The
sample sets are cached in FILE (default /tmp/week08-gate-samples.npz).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tomllib
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
WEEK = REPO / "solutions" / "week08"
N = 500


def reference_samples(seed: int) -> np.ndarray:
    """The solution notebook's generator trained with `seed`, sampled by the evaluator's way."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import nbformat

    nb = nbformat.read(WEEK / "week08.ipynb", as_version=4)
    wanted = ("setup", "to_gan_range", "build_generator", "build_discriminator", "build_gan")
    namespace: dict = {}
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells}
    for grade_id in (*wanted, "train_gan"):
        exec(compile(cells[grade_id], grade_id, "exec"), namespace)
    keras.utils.set_random_seed(seed)
    g = namespace["build_generator"](namespace["LATENT_DIM"])
    d = namespace["build_discriminator"]()
    gan = namespace["build_gan"](g, d)
    x = namespace["to_gan_range"](namespace["X_train_raw"])
    started = time.time()
    namespace["train_gan"](g, d, gan, x, 2500, 128, np.random.default_rng(seed))
    print(f"reference seed {seed}: trained in {time.time() - started:.0f} s", flush=True)
    z = np.random.default_rng(987654 + seed).standard_normal((N, namespace["LATENT_DIM"]))
    return np.asarray(g.predict(z.astype(np.float32), verbose=0)).reshape(N, -1)


def adversarial(x_tr: np.ndarray, y_tr: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Noise optimised (gradient ascent) to be classified confidently by one's own sklearn MLP."""
    from sklearn.neural_network import MLPClassifier

    own = MLPClassifier((128,), random_state=1, max_iter=400).fit(x_tr, y_tr)
    w1, b1, w2, b2 = own.coefs_[0], own.intercepts_[0], own.coefs_[1], own.intercepts_[1]
    x = rng.uniform(-1, 1, size=(N, 64))
    target = np.arange(N) % 10
    for _ in range(300):
        h = x @ w1 + b1
        a = np.maximum(h, 0)
        logits = a @ w2 + b2
        p = np.exp(logits - logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        grad_logits = -p
        grad_logits[np.arange(N), target] += 1.0
        grad_x = ((grad_logits @ w2.T) * (h > 0)) @ w1.T
        x = np.clip(x + 0.05 * np.sign(grad_x), -1, 1)
    return x


def blurred(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Copies under strong noise, then smoothed (to dodge the roughness gate)."""
    from scipy.ndimage import gaussian_filter

    noisy = images.reshape(-1, 8, 8) + rng.normal(0, 0.5, (len(images), 8, 8))
    return np.clip(np.stack([gaussian_filter(i, 0.7) for i in noisy]), -1, 1).reshape(-1, 64)


def cheat_samples() -> dict[str, np.ndarray]:
    from autograder.thresholds.image_gates import with_shifts
    from autograder.thresholds.judge import digits_split

    rng = np.random.default_rng(5)
    x_tr, x_te, y_tr, _ = digits_split()
    pick = rng.integers(0, len(x_tr), N)
    pairs = [
        (i, rng.choice(np.flatnonzero(y_tr == y_tr[i]))) for i in rng.integers(0, len(x_tr), N)
    ]
    a, b = x_tr[[p[0] for p in pairs]], x_tr[[p[1] for p in pairs]]
    w = rng.uniform(0.3, 0.7, size=(N, 1))
    shifted = with_shifts(x_tr, side=8)
    return {
        "real held-out digits": np.concatenate([x_te, x_te[:140]]),
        "train copies + noise 0.1": np.clip(x_tr[pick] + rng.normal(0, 0.1, (N, 64)), -1, 1),
        "train copies + noise 0.2": np.clip(x_tr[pick] + rng.normal(0, 0.2, (N, 64)), -1, 1),
        "train copies + noise 0.3": np.clip(x_tr[pick] + rng.normal(0, 0.3, (N, 64)), -1, 1),
        "train copies + noise 0.4": np.clip(x_tr[pick] + rng.normal(0, 0.4, (N, 64)), -1, 1),
        "train copies + noise 0.6": np.clip(x_tr[pick] + rng.normal(0, 0.6, (N, 64)), -1, 1),
        "noisy copies, blurred": blurred(x_tr[pick], rng),
        "shifted train copies": shifted[rng.integers(len(x_tr), len(shifted), N)],
        "blends 50/50 same class": (a + b) / 2,
        "blends 30-70 same class": w * a + (1 - w) * b,
        "blends + noise 0.1": np.clip((a + b) / 2 + rng.normal(0, 0.1, (N, 64)), -1, 1),
        "adversarial vs own sklearn MLP": adversarial(x_tr, y_tr, rng),
        "uniform noise": rng.uniform(-1, 1, (N, 64)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--samples", type=Path, default=Path("/tmp/week08-gate-samples.npz"))
    args = parser.parse_args()
    from autograder.config import Threshold
    from autograder.thresholds.images import evaluate_images
    from autograder.thresholds.judge import load_judge

    if args.samples.is_file():  # the trained references are cached; cheats are cheap
        with np.load(args.samples) as cached:
            sets = {k: cached[k] for k in cached.files if k.startswith("reference")}
    else:
        sets = {f"reference seed {s}": reference_samples(int(s)) for s in args.seeds.split(",")}
        np.savez_compressed(args.samples, **sets)
    sets |= cheat_samples()
    config = tomllib.loads((WEEK / "assignment.toml").read_text(encoding="utf-8"))
    threshold = Threshold(**config["thresholds"][0])
    judge = load_judge(WEEK / str(threshold.assets))
    warnings.simplefilter("ignore")  # scipy's sqrtm on near-singular covariances
    keys = ("confidence", "coverage", "inception_score", "pairwise_l2", "nearest_train_l2",
            "copied_share", "blended_share", "roughness", "feature_distance")  # fmt: skip
    print("| sample set | " + " | ".join(keys) + " | failed gates |")
    print("|---|" + "---|" * (len(keys) + 1))
    for name, images in sets.items():
        details, failed = evaluate_images(images, judge, threshold.options)
        values = " | ".join(f"{details.get(k, float('nan')):.3f}" for k in keys)
        print(f"| {name} | {values} | {', '.join(failed) or 'none: passes'} |")


if __name__ == "__main__":
    main()

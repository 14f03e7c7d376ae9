"""The clean evaluator's cost per submission: container start, model load, predict.

    python bench/evaluator_cost.py [--runs 5] [--image autograder-grading:latest]
        [--no-docker]

Builds the week's kinds of artifact once (week 5's Keras MLP on 1080 hidden
digits, week 3's scikit-learn pipeline on 143 rows, week 8's generator drawing
500 samples), then evaluates one request per kind several times with each
evaluator and prints medians: the wall time of ``evaluator.evaluate(request)``,
the container's create+copy+start (Docker only), and the evaluator's own
``import`` (TensorFlow/Keras or skops), ``load`` and ``predict`` times. The process evaluator (trusted mode) runs the
same evaluator code in a subprocess; its wall time minus load and predict is
the interpreter start and imports. The "process-once" row starts a fresh interpreter per request; "process-forked"
(what `grade` uses in trusted mode) forks each request's child from a server
that imported the frameworks once. The "docker-ahead" row is the Docker
evaluator started ahead of need (as `grade` does while the notebook runs): each
request finds its container already started, framework imported; its wall time
is what the evaluator still adds to a submission's latency.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from gpu_runner.evaluation import EvalOutput, EvalRequest, EvalTask, Transform  # noqa: E402
from gpu_runner.runners.evaluators import (  # noqa: E402
    DockerEvaluator,
    Evaluator,
    ProcessEvaluator,
)


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def artifacts() -> dict[str, tuple[EvalTask, dict[str, bytes]]]:
    """One request's task and files per kind, built like the weeks' references."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import skops.io as sio
    from sklearn.datasets import load_breast_cancer, load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    digits = load_digits()
    x, y = digits.data / 16, digits.target
    mlp = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    mlp.compile("adam", "sparse_categorical_crossentropy")
    mlp.fit(x, y, epochs=2, verbose=0)
    gen = keras.Sequential(
        [
            keras.Input((32,)),
            keras.layers.Dense(128),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Dense(256),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Dense(64, activation="tanh"),
        ]
    )
    xc, yc = load_breast_cancer(return_X_y=True)
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(xc, yc)
    with tempfile.TemporaryDirectory() as tmp:
        mlp.save(Path(tmp) / "m.keras")
        gen.save(Path(tmp) / "g.keras")
        mlp_bytes = (Path(tmp) / "m.keras").read_bytes()
        gen_bytes = (Path(tmp) / "g.keras").read_bytes()
    hidden = np.repeat(digits.data[:360], 3, axis=0)  # 1080 raw rows like week 5's hidden set
    return {
        "keras MLP (1080 rows)": (
            EvalTask("k", "keras", "k.keras", "k.npy", transform=Transform(input_scale=1 / 16)),
            {"k.keras": mlp_bytes, "k.npy": _npy(hidden)},
        ),
        "sklearn pipeline (143 rows)": (
            EvalTask("s", "sklearn", "s.skops", "s.npy", method="predict_proba"),
            {"s.skops": sio.dumps(clf), "s.npy": _npy(xc[:143])},
        ),
        "generator (500 samples)": (
            EvalTask("g", "generator", "g.keras", samples=500, seed=1234),
            {"g.keras": gen_bytes},
        ),
    }


def measure(evaluator: Evaluator, task: EvalTask, files: dict[str, bytes], runs: int) -> dict:
    rows: dict[str, list[float]] = {
        "wall": [], "container_start": [], "import": [], "load": [], "predict": []
    }  # fmt: skip
    ahead = isinstance(evaluator, DockerEvaluator) and evaluator.warm > 0
    for n in range(runs):
        request = EvalRequest(f"bench-{n}", (task,), files)
        if ahead:
            assert isinstance(evaluator, DockerEvaluator)
            evaluator.expect(
                memory_mb=request.memory_mb, cpus=request.cpus, kinds=(task.kind,), jobs=1
            )
            shape = evaluator.shape_of(request)
            if not evaluator.pool.wait_ready(shape, 1, timeout=120):
                raise SystemExit("no evaluator container was started ahead")
            import time

            time.sleep(6.0)  # the notebook's run: the framework import finishes meanwhile
        out: EvalOutput = evaluator.evaluate(request)
        if out.error or out.results[0].error:
            raise SystemExit(f"{evaluator.name}: {out.error or out.results[0].detail}")
        rows["wall"].append(out.seconds["wall"])
        rows["container_start"].append(out.seconds.get("container_start", 0.0))
        rows["import"].append(out.results[0].seconds["import"])
        rows["load"].append(out.results[0].seconds["load"])
        rows["predict"].append(out.results[0].seconds["predict"])
    return {k: statistics.median(v) for k, v in rows.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--image", default="autograder-grading:latest")
    parser.add_argument("--no-docker", action="store_true")
    args = parser.parse_args()
    once = ProcessEvaluator(forking=False)
    once.name = "process-once"
    forked = ProcessEvaluator()
    forked.name = "process-forked"
    forked.expect(memory_mb=0, cpus=0.0, kinds=("keras", "sklearn"), jobs=None)
    if forked.zygote is not None:  # measure the forks, not the one-shot runs before it listens
        forked.zygote.socket(wait_s=300)
    evaluators: list[Evaluator] = [once, forked]
    if not args.no_docker:
        ahead = DockerEvaluator(image=args.image, warm=1)
        ahead.name = "docker-ahead"
        evaluators[:0] = [DockerEvaluator(image=args.image, warm=0), ahead]
    print(f"medians of {args.runs} runs, seconds")
    print(
        f"{'evaluator':18} {'artifact':28} {'wall':>6} {'start':>6} {'import':>6} "
        f"{'load':>6} {'predict':>7}"
    )
    for kind, (task, files) in artifacts().items():
        for evaluator in evaluators:
            m = measure(evaluator, task, files, args.runs)
            print(
                f"{evaluator.name:18} {kind:28} {m['wall']:6.2f} {m['container_start']:6.2f} "
                f"{m['import']:6.2f} {m['load']:6.2f} {m['predict']:7.2f}"
            )
    for evaluator in evaluators:
        evaluator.close()


if __name__ == "__main__":
    main()

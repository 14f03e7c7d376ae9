"""The clean evaluator: loads exported models and predicts on hidden inputs.

It runs with no student code: in a fresh container from the grading image
(`gpu_runner.runners.evaluators.DockerEvaluator`) or, in trusted mode, in a
subprocess (`ProcessEvaluator`)::

    python -m gpu_runner.evaluator --request DIR --results DIR
                                   [--wait-for-request [--preload keras,sklearn]]

``DIR/request.json`` is `EvalRequest.spec_dict()`; the artifacts and hidden
inputs lie beside it, read-only. Every task ends in ``DIR/result.json``
(`EvalOutput`) with its predictions and the loaded model's facts, or an error
code. A student's artifact never stops the other tasks.

With ``--wait-for-request`` (a container started ahead of need, see
`gpu_runner.runners.evaluators`) the framework imports named by ``--preload``
are done first, and the evaluator then waits for ``DIR/ready``, the last file
the request brings. Nothing of any student is in the process before that.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from gpu_runner.evaluation import EvalOutput, EvalRequest, EvalResult, EvalTask

MAX_PREDICTION_ELEMENTS = 8_000_000
#: the request's last file: every file before it is complete
READY_MARKER = "ready"
PRELOAD = {"keras": "keras", "generator": "keras", "sklearn": "skops.io"}


def preload(kinds: list[str]) -> None:
    """Import the frameworks of `kinds` now (the fixed cost), before any artifact exists."""
    import importlib

    for module in sorted({PRELOAD[k] for k in kinds if k in PRELOAD}):
        importlib.import_module(module)


def wait_for_request(folder: Path, *, poll_s: float = 0.02) -> None:
    marker = folder / READY_MARKER
    while not marker.exists():
        time.sleep(poll_s)


class BadOutput(Exception):
    """The model ran but its output is not usable numbers."""


def _inputs(task: EvalTask, folder: Path) -> Any:
    import numpy as np

    assert task.inputs is not None
    x = np.load(folder / task.inputs, allow_pickle=False)
    tr = task.transform
    x = x.astype(np.float64) * tr.input_scale + tr.input_offset
    if tr.input_shape is not None:
        x = x.reshape((len(x), *tr.input_shape))
    return x.astype(tr.input_dtype)


def _finish(task: EvalTask, y: Any) -> bytes:
    import numpy as np

    try:
        y = np.asarray(y)
    except Exception as exc:
        raise BadOutput(f"output is not an array: {type(exc).__name__}") from None
    if y.dtype.kind not in "biuf" or y.ndim == 0:
        raise BadOutput(f"output of dtype {y.dtype} and shape {y.shape}")
    if y.size > MAX_PREDICTION_ELEMENTS:
        raise BadOutput(f"output has {y.size} elements")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise BadOutput("output has NaN or infinity")
    tr = task.transform
    if tr.output_scale != 1.0 or tr.output_offset != 0.0:
        y = y.astype(np.float64) * tr.output_scale + tr.output_offset
    buf = io.BytesIO()
    np.save(buf, y, allow_pickle=False)
    return buf.getvalue()


def _keras_predict(task: EvalTask, model: Any, folder: Path, facts: dict[str, Any]) -> Any:
    import numpy as np

    if task.kind == "generator":
        shape = facts.get("input_shape")
        if not shape or len(shape) != 2 or not isinstance(shape[1], int) or shape[1] < 1:
            raise BadOutput(f"a generator needs one latent input (None, d), has {shape}")
        z = np.random.default_rng(task.seed).standard_normal((task.samples, shape[1]))
        y = model.predict(z.astype(np.float32), batch_size=task.batch_size, verbose=0)
        return np.asarray(y).reshape(task.samples, -1)
    return model.predict(_inputs(task, folder), batch_size=task.batch_size, verbose=0)


def _sklearn_predict(task: EvalTask, model: Any, folder: Path) -> Any:
    method = getattr(model, task.method, None)
    if method is None:
        raise BadOutput(f"the estimator has no {task.method}()")
    return method(_inputs(task, folder))


def run_task(task: EvalTask, folder: Path) -> EvalResult:
    """One task, every student fault caught: the result says which step failed."""
    from gpu_runner import model_loading as ml

    seconds: dict[str, float] = {}
    started = time.monotonic()
    if task.kind in ("keras", "generator"):
        import keras  # noqa: F401  (timed apart from the load: the import is the fixed cost)
    elif task.kind == "sklearn":
        import skops.io  # noqa: F401
    seconds["import"] = round(time.monotonic() - started, 3)
    started = time.monotonic()
    path = folder / task.artifact
    facts: dict[str, Any] = {}
    try:
        data = path.read_bytes()
        if task.kind in ("keras", "generator"):
            model = ml.load_keras(str(path), data)
            facts = ml.keras_facts(model, data)
        elif task.kind == "sklearn":
            model = ml.load_sklearn(data, task.trusted_types)
            facts = ml.sklearn_facts(model)
        else:
            return EvalResult(task.id, error="infra", detail=f"unknown kind {task.kind!r}")
    except ml.ModelRefused as exc:
        return EvalResult(task.id, error="load_refused", detail=str(exc)[:500])
    except ml.ModelLoadFailed as exc:
        return EvalResult(task.id, error="load_failed", detail=str(exc)[:500])
    except MemoryError:
        return EvalResult(task.id, error="load_failed", detail="out of memory")
    seconds["load"] = round(time.monotonic() - started, 3)
    started = time.monotonic()
    try:
        if task.kind == "sklearn":
            raw = _sklearn_predict(task, model, folder)
        else:
            raw = _keras_predict(task, model, folder, facts)
        predictions = _finish(task, raw)
    except BadOutput as exc:
        return EvalResult(task.id, facts=facts, error="bad_output", detail=str(exc)[:500])
    except Exception as exc:  # the student's model refused the hidden inputs
        detail = f"{type(exc).__name__}: {exc}"[:500]
        return EvalResult(task.id, facts=facts, error="predict_failed", detail=detail)
    seconds["predict"] = round(time.monotonic() - started, 3)
    return EvalResult(task.id, predictions=predictions, facts=facts, seconds=seconds)


def evaluate(request: EvalRequest, folder: Path) -> EvalOutput:
    started = time.monotonic()
    results = tuple(run_task(task, folder) for task in request.tasks)
    return EvalOutput(
        request_id=request.request_id,
        results=results,
        seconds={"total": round(time.monotonic() - started, 3)},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gpu_runner.evaluator", description=__doc__)
    parser.add_argument("--request", type=Path, required=True, help="folder with request.json")
    parser.add_argument("--results", type=Path, required=True, help="folder for result.json")
    parser.add_argument(
        "--wait-for-request", action="store_true", help="preload, then wait for DIR/ready"
    )
    parser.add_argument("--preload", default="", help="comma-separated kinds to import first")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    if args.wait_for_request:
        try:
            preload([k for k in args.preload.split(",") if k])
        except Exception:  # the request's own imports will say what is wrong
            pass
        wait_for_request(args.request)
    started = time.monotonic()
    request = EvalRequest.from_spec_dict(
        json.loads((args.request / "request.json").read_text()), files={}
    )
    try:
        output = evaluate(request, args.request)
    except Exception as exc:  # an evaluator fault is ours, never the student's
        output = EvalOutput(request.request_id, error=f"{type(exc).__name__}: {exc}"[:1000])
    output = EvalOutput(
        output.request_id,
        output.results,
        output.error,
        {**output.seconds, "process": round(time.monotonic() - started, 3)},
    )
    args.results.mkdir(parents=True, exist_ok=True)
    tmp = args.results / "result.json.tmp"
    tmp.write_text(output.to_json())
    tmp.replace(args.results / "result.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

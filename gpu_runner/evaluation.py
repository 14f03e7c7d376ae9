"""The clean evaluator's boundary data: an `EvalRequest` in, an `EvalOutput` back.

Like `Job` and `RunOutput`, plain frozen data with a JSON form, so the same
request runs in a fresh container (`DockerEvaluator`) or a subprocess
(`ProcessEvaluator`, trusted mode). The request holds the exported artifacts
and the hidden *inputs*; hidden labels never travel: the host scores.

What comes back is facts, never verdicts: the predictions (``.npy``) and what
the loaded model is (framework, layer types, shapes, parameter count, optimizer
iterations, estimator classes). The host's rules decide what the facts are
worth (`autograder.thresholds.requirements`).
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Transform:
    """Fixed arithmetic between the hidden inputs and the model (the week's preprocessing).

    x' = (x * input_scale + input_offset).reshape(n, *input_shape);
    y' = y * output_scale + output_offset. Numbers only: no code crosses.
    """

    input_scale: float = 1.0
    input_offset: float = 0.0
    input_shape: tuple[int, ...] | None = None
    input_dtype: str = "float32"
    output_scale: float = 1.0
    output_offset: float = 0.0


@dataclass(frozen=True)
class EvalTask:
    """Load one artifact and predict: on `inputs`, or (generators) on latent draws."""

    id: str
    kind: str  # gpu_runner.job.ExportKind
    artifact: str  # file name in the request folder
    inputs: str | None = None  # file name of the hidden inputs (.npy)
    method: str = "predict"  # sklearn: predict | predict_proba | decision_function
    transform: Transform = field(default_factory=Transform)
    samples: int = 0  # generators: how many to draw
    seed: int = 0  # generators: the latent seed, chosen by the host, never shown
    trusted_types: tuple[str, ...] = ()  # sklearn: skops types allowed beyond its defaults
    batch_size: int = 256


@dataclass(frozen=True)
class EvalRequest:
    request_id: str
    tasks: tuple[EvalTask, ...]
    files: dict[str, bytes] = field(default_factory=dict)
    timeout_s: float = 300.0
    memory_mb: int = 2048
    cpus: float = 1.0

    def spec_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("files")
        data["schema_version"] = SCHEMA_VERSION
        return data

    @classmethod
    def from_spec_dict(cls, data: dict[str, Any], files: dict[str, bytes]) -> EvalRequest:
        data = dict(data)
        data.pop("schema_version", None)
        tasks = []
        for raw in data.pop("tasks"):
            raw = dict(raw)
            tr = dict(raw.pop("transform", {}) or {})
            if tr.get("input_shape") is not None:
                tr["input_shape"] = tuple(int(d) for d in tr["input_shape"])
            raw["trusted_types"] = tuple(raw.get("trusted_types", ()))
            tasks.append(EvalTask(transform=Transform(**tr), **raw))
        return cls(tasks=tuple(tasks), files=files, **data)


@dataclass(frozen=True)
class EvalResult:
    """One task: predictions (.npy bytes) and facts, or an error code and detail.

    Error codes: ``load_refused`` (not code-free: custom objects, untrusted
    types, not a model file), ``load_failed``, ``predict_failed``, ``bad_output``,
    ``infra`` (ours: never charged to the student).
    """

    id: str
    predictions: bytes | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    detail: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class EvalOutput:
    request_id: str
    results: tuple[EvalResult, ...] = ()
    error: str | None = None  # the whole evaluation failed (ours): every task is an infra error
    seconds: dict[str, float] = field(default_factory=dict)

    def result(self, task_id: str) -> EvalResult:
        for r in self.results:
            if r.id == task_id:
                return r
        return EvalResult(task_id, error="infra", detail=self.error or "no result")

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema_version": SCHEMA_VERSION,
                "request_id": self.request_id,
                "error": self.error,
                "seconds": self.seconds,
                "results": [
                    {
                        **{k: v for k, v in asdict(r).items() if k != "predictions"},
                        "predictions": None
                        if r.predictions is None
                        else base64.b64encode(r.predictions).decode("ascii"),
                    }
                    for r in self.results
                ],
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> EvalOutput:
        data = json.loads(text)
        return cls(
            request_id=str(data["request_id"]),
            error=data.get("error"),
            seconds={str(k): float(v) for k, v in (data.get("seconds") or {}).items()},
            results=tuple(
                EvalResult(
                    id=str(r["id"]),
                    predictions=None
                    if r.get("predictions") is None
                    else base64.b64decode(r["predictions"]),
                    facts=dict(r.get("facts") or {}),
                    error=r.get("error"),
                    detail=str(r.get("detail", ""))[:1000],
                    seconds={str(k): float(v) for k, v in (r.get("seconds") or {}).items()},
                )
                for r in data.get("results", ())
            ),
        )


def failed_output(request: EvalRequest, message: str) -> EvalOutput:
    return EvalOutput(request_id=request.request_id, error=message[:1000])

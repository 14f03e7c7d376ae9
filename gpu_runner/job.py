"""The unit of work that crosses the trust boundary: a Job in, a RunOutput back.

Both are plain frozen data with a JSON form, so they travel unchanged through a
subprocess, a Docker container (as files) or Ray's object store. Nothing here
knows about the gradebook, GitHub or scoring: `gpu_runner` only executes.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1


class CellStatus(StrEnum):
    """How one executed cell ended, judged by the kernel's execute_reply."""

    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    NOT_RUN = "not_run"


class RunStatus(StrEnum):
    """How the whole run ended.

    COMPLETED, TIMEOUT, KERNEL_DIED, MEMORY and OUTPUT_LIMIT are the student's
    outcome (the notebook is scored as far as it got); INFRA_ERROR is ours and
    must never be charged to the student.
    """

    COMPLETED = "completed"
    TIMEOUT = "timeout"
    KERNEL_DIED = "kernel_died"
    MEMORY = "memory_limit"
    INFRA_ERROR = "infra_error"


class ExportKind(StrEnum):
    """How a notebook variable leaves the sandbox: always a code-free format, never pickle."""

    KERAS = "keras"  # a keras.Model saved as .keras (loaded later with safe_mode=True)
    SKLEARN = "sklearn"  # a scikit-learn estimator saved with skops (loaded with an allow-list)
    ARRAY = "array"  # numbers saved as .npy with allow_pickle=False
    GENERATOR = "generator"  # a keras.Model the evaluator samples itself


#: artifact file suffix per kind
EXPORT_SUFFIX = {"keras": ".keras", "sklearn": ".skops", "array": ".npy", "generator": ".keras"}


@dataclass(frozen=True)
class Probe:
    """A notebook variable exported after the notebook ran (the model the week teaches).

    No student function is called and no hidden input enters the sandbox: the
    executor asks the kernel to save `variable` in the code-free format of `kind`
    and ships the file back (`ProbeRun.artifact`). A clean evaluator outside the
    student's interpreter loads and runs it.
    """

    id: str
    notebook: str
    variable: str
    kind: str = ExportKind.ARRAY.value
    max_bytes: int = 64 * 1024 * 1024
    timeout_s: float = 300.0


@dataclass(frozen=True)
class Resources:
    cpus: float = 1.0
    memory_mb: int = 2048
    gpus: float = 0.0
    gpu_optional: bool = True
    pids: int = 512
    scratch_mb: int = 512


@dataclass(frozen=True)
class Job:
    """Everything a runner needs to execute one submission.

    `files` holds the sandbox's whole working folder (sanitized notebooks and
    public data) as relative path -> bytes. Hidden inputs, hidden labels and
    solutions are never part of it.
    """

    job_id: str
    files: dict[str, bytes]
    notebooks: tuple[str, ...]
    cell_timeout_s: float = 60.0
    total_timeout_s: float = 600.0
    output_limit_bytes: int = 1_000_000
    probes: tuple[Probe, ...] = ()
    resources: Resources = field(default_factory=Resources)
    env: dict[str, str] = field(default_factory=dict)
    gpu_ids: tuple[str, ...] = ()
    image: str = ""

    def spec_dict(self) -> dict[str, Any]:
        """The job without its files: what the executor reads as job.json."""
        data = asdict(self)
        data.pop("files")
        data["schema_version"] = SCHEMA_VERSION
        return data

    @classmethod
    def from_spec_dict(cls, data: dict[str, Any], files: dict[str, bytes]) -> Job:
        data = dict(data)
        data.pop("schema_version", None)
        data["notebooks"] = tuple(data["notebooks"])
        data["probes"] = tuple(Probe(**p) for p in data.get("probes", ()))
        data["resources"] = Resources(**data.get("resources", {}))
        data["gpu_ids"] = tuple(data.get("gpu_ids", ()))
        return cls(files=files, **data)


@dataclass(frozen=True)
class CellRun:
    """What the executor saw for one cell, keyed by the cell's position."""

    index: int
    status: CellStatus
    grade_id: str | None = None


@dataclass(frozen=True)
class NotebookRun:
    name: str
    notebook_json: str
    cells: tuple[CellRun, ...]
    runtime_s: float = 0.0


@dataclass(frozen=True)
class ProbeRun:
    """One exported variable: the artifact's bytes (format by the probe's kind) or why not."""

    id: str
    artifact: bytes | None
    error: str | None = None


@dataclass(frozen=True)
class RunOutput:
    job_id: str
    status: RunStatus
    notebooks: tuple[NotebookRun, ...] = ()
    probes: tuple[ProbeRun, ...] = ()
    message: str = ""
    output_truncated: bool = False
    runtime_s: float = 0.0
    runner: str = ""

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema_version": SCHEMA_VERSION,
                "job_id": self.job_id,
                "status": self.status.value,
                "message": self.message,
                "output_truncated": self.output_truncated,
                "runtime_s": self.runtime_s,
                "runner": self.runner,
                "notebooks": [
                    {
                        "name": nb.name,
                        "notebook_json": nb.notebook_json,
                        "runtime_s": nb.runtime_s,
                        "cells": [
                            {"index": c.index, "status": c.status.value, "grade_id": c.grade_id}
                            for c in nb.cells
                        ],
                    }
                    for nb in self.notebooks
                ],
                "probes": [
                    {
                        "id": p.id,
                        "error": p.error,
                        "artifact": None
                        if p.artifact is None
                        else base64.b64encode(p.artifact).decode("ascii"),
                    }
                    for p in self.probes
                ],
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> RunOutput:
        data = json.loads(text)
        return cls(
            job_id=data["job_id"],
            status=RunStatus(data["status"]),
            message=data.get("message", ""),
            output_truncated=bool(data.get("output_truncated", False)),
            runtime_s=float(data.get("runtime_s", 0.0)),
            runner=data.get("runner", ""),
            notebooks=tuple(
                NotebookRun(
                    name=nb["name"],
                    notebook_json=nb["notebook_json"],
                    runtime_s=float(nb.get("runtime_s", 0.0)),
                    cells=tuple(
                        CellRun(
                            index=int(c["index"]),
                            status=CellStatus(c["status"]),
                            grade_id=c.get("grade_id"),
                        )
                        for c in nb["cells"]
                    ),
                )
                for nb in data.get("notebooks", ())
            ),
            probes=tuple(
                ProbeRun(
                    id=p["id"],
                    error=p.get("error"),
                    artifact=None if p.get("artifact") is None else base64.b64decode(p["artifact"]),
                )
                for p in data.get("probes", ())
            ),
        )

    def with_runner(self, runner: str, runtime_s: float) -> RunOutput:
        from dataclasses import replace

        return replace(self, runner=runner, runtime_s=runtime_s)


def infra_error(job_id: str, message: str, runner: str = "") -> RunOutput:
    return RunOutput(job_id=job_id, status=RunStatus.INFRA_ERROR, message=message, runner=runner)

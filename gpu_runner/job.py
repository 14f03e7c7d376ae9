"""The unit of work that crosses the trust boundary: a Job in, a RunOutput back.

Both are plain frozen data with a JSON form, so they travel unchanged through a
subprocess, a Docker container (as files) or Ray's object store. Nothing here
knows about the gradebook, GitHub or scoring: `gpu_runner` only executes.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from gpu_runner.textsafe import valid_json, valid_text

SCHEMA_VERSION = 1
#: cell metadata key holding the role the host gives each cell of a graded notebook:
#: {"role": "test" | "setup" | "student"}; the executor routes cells by it
ROLE_KEY = "autograder"


class CellStatus(StrEnum):
    """How one executed cell ended, judged by the kernel's execute_reply."""

    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    NOT_RUN = "not_run"


class RunStatus(StrEnum):
    """How the whole run ended.

    COMPLETED, TIMEOUT, KERNEL_DIED and MEMORY are the student's outcome (the
    notebook is scored as far as it got; output past the cap is truncated, not a
    status of its own); INFRA_ERROR is ours and must never be charged to the student.
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

    `files` holds what the student's kernel may see (public data and the
    student's own files) as relative path -> bytes; `private`
    holds the graded notebooks (with their tests), which only the executor
    reads. Hidden inputs, hidden labels and solutions are never part
    of either.
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
    private: dict[str, bytes] = field(default_factory=dict)

    def spec_dict(self) -> dict[str, Any]:
        """The job without its files: what the executor reads as job.json."""
        data = asdict(self)
        data.pop("files")
        data.pop("private")
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
        """The output as JSON; lone surrogates become U+FFFD first (`valid_json`), so two
        adjacent ones cannot come back as one astral character."""
        return json.dumps(
            valid_json(
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
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> RunOutput:
        """Decode strictly: wrong types or shapes raise `RunOutputError`, never anything else.

        Every string comes back as valid Unicode (the student's kernel put text in
        the notebook, and JSON escapes can carry lone surrogates), including the
        strings inside each notebook's JSON.
        """
        try:
            data = json.loads(text)
            return _decode_run_output(data)
        except RunOutputError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            raise RunOutputError(f"malformed run output: {type(exc).__name__}: {exc}") from None

    def with_runner(self, runner: str, runtime_s: float) -> RunOutput:
        from dataclasses import replace

        return replace(self, runner=runner, runtime_s=runtime_s)


class RunOutputError(ValueError):
    """The executor's result cannot be decoded (ours: the executor is trusted)."""


MAX_MESSAGE_CHARS = 4000


def _str(value: Any, what: str, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise RunOutputError(f"{what}: expected a string, got {type(value).__name__}")
    return valid_text(value)


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RunOutputError(f"{what}: expected a number, got {type(value).__name__}")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise RunOutputError(f"{what}: not finite")
    return number


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise RunOutputError(f"{what}: expected a list, got {type(value).__name__}")
    return value


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RunOutputError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def _notebook_json(value: Any, what: str) -> str:
    """The executed notebook's JSON, re-encoded with every string made valid."""
    text = _str(value, what)
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise RunOutputError(f"{what}: not JSON ({exc})") from None
    return json.dumps(valid_json(_dict(parsed, what)), ensure_ascii=False)


def _cell(value: Any) -> CellRun:
    c = _dict(value, "cell")
    index = c.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise RunOutputError("cell index: expected a non-negative integer")
    try:
        status = CellStatus(str(c.get("status")))
    except ValueError:
        raise RunOutputError(f"cell status: unknown {c.get('status')!r}") from None
    return CellRun(
        index=index, status=status, grade_id=_str(c.get("grade_id"), "grade_id", optional=True)
    )


def _notebook(value: Any) -> NotebookRun:
    nb = _dict(value, "notebook")
    return NotebookRun(
        name=_str(nb.get("name"), "notebook name"),
        notebook_json=_notebook_json(nb.get("notebook_json"), "notebook_json"),
        runtime_s=_number(nb.get("runtime_s", 0.0), "notebook runtime_s"),
        cells=tuple(_cell(c) for c in _list(nb.get("cells"), "cells")),
    )


def _probe(value: Any) -> ProbeRun:
    p = _dict(value, "probe")
    artifact = p.get("artifact")
    if artifact is not None:
        try:
            artifact = base64.b64decode(_str(artifact, "artifact"), validate=True)
        except (ValueError, binascii.Error):
            raise RunOutputError("probe artifact: not base64") from None
    error = _str(p.get("error"), "probe error", optional=True)
    return ProbeRun(
        id=_str(p.get("id"), "probe id"),
        artifact=artifact,
        error=None if error is None else error[:MAX_MESSAGE_CHARS],
    )


def _decode_run_output(value: Any) -> RunOutput:
    data = _dict(value, "run output")
    try:
        status = RunStatus(str(data.get("status")))
    except ValueError:
        raise RunOutputError(f"run status: unknown {data.get('status')!r}") from None
    return RunOutput(
        job_id=_str(data.get("job_id"), "job_id"),
        status=status,
        message=_str(data.get("message", ""), "message")[:MAX_MESSAGE_CHARS],
        output_truncated=bool(data.get("output_truncated", False)),
        runtime_s=_number(data.get("runtime_s", 0.0), "runtime_s"),
        runner=_str(data.get("runner", ""), "runner"),
        notebooks=tuple(_notebook(nb) for nb in _list(data.get("notebooks", []), "notebooks")),
        probes=tuple(_probe(p) for p in _list(data.get("probes", []), "probes")),
    )


def infra_error(job_id: str, message: str, runner: str = "") -> RunOutput:
    return RunOutput(job_id=job_id, status=RunStatus.INFRA_ERROR, message=message, runner=runner)

"""The one typed configuration model: ``course.toml`` and ``solutions/W/assignment.toml``.

Every field has a default, so a course folder with only ``solutions/W/*.ipynb``
(plain nbgrader sources) is gradeable. A bad file raises `ConfigError` naming
the file, the key and what is wrong.
"""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from autograder.errors import ConfigError

COURSE_FILE = "course.toml"
ASSIGNMENT_FILE = "assignment.toml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LatePolicy(_Model):
    """How lateness turns into a penalty (fractions of the assignment's max score)."""

    grace_minutes: float = Field(0, ge=0, description="minutes after the deadline still on time")
    penalty_per_day: float = Field(
        0.1, ge=0, le=1, description="fraction of max score lost per started day late"
    )
    max_penalty: float = Field(1.0, ge=0, le=1, description="cap on the total late penalty")

    def cutoff(self, deadline: datetime | None) -> datetime | None:
        """The last on-time moment: deadline + grace (aware, as deadlines must be)."""
        if deadline is None:
            return None
        return deadline + timedelta(minutes=self.grace_minutes)


class Resources(_Model):
    """What one grading job may use; the runner enforces it."""

    cpus: float = Field(1.0, gt=0, description="CPU cores (Docker cpu quota)")
    memory_mb: int = Field(2048, ge=128, description="memory limit, no swap")
    gpus: float = Field(0, ge=0, description="GPUs; fractions pack several jobs on one GPU")
    gpu_optional: bool = Field(True, description="run on the CPU when no GPU is available")
    pids: int = Field(512, ge=16, description="process/thread limit in the sandbox")
    scratch_mb: int = Field(512, ge=16, description="size of the writable tmpfs")
    cell_timeout_s: float = Field(120, gt=0, description="per-cell time limit")
    total_timeout_s: float = Field(900, gt=0, description="whole-job wall-clock limit")
    output_limit_kb: int = Field(1024, ge=1, description="total notebook output kept")
    image: str | None = Field(None, description="grading image; default: the course's")


class GitHubSettings(_Model):
    org: str = Field("", description="organization that owns template and student repos")
    api_url: str = Field("https://api.github.com", description="REST API base URL")
    token_file: str | None = Field(None, description="file with a token; else GITHUB_TOKEN")
    post_feedback: bool = Field(True, description="post feedback issues on `feedback --post`")


class RaySettings(_Model):
    """``[ray]``: the Ray executor (``executor = "ray"``); see docs/scaling.md."""

    address: str | None = Field(
        None,
        description='cluster to join ("auto", "HOST:6379"); default: RAY_ADDRESS, else a '
        "private single-node Ray on this machine",
    )
    pending_timeout_s: float = Field(
        600, gt=0, description="a job no node takes within this is an infrastructure error"
    )
    max_retries: int = Field(2, ge=0, description="reruns of a job whose worker or node was lost")
    kill_grace_s: float = Field(
        60, gt=0, description="beyond the job's own timeout before its task is cancelled"
    )
    autoscaling: bool = Field(
        False, description="an autoscaler can add GPU nodes: submit GPU jobs the cluster lacks"
    )
    spread: bool = Field(True, description="spread jobs over nodes instead of packing")

    def options(self) -> dict[str, Any]:
        """Keyword options of `gpu_runner.executors.wrap_executor("ray", ...)`."""
        return self.model_dump()


class CourseConfig(_Model):
    """``course.toml``."""

    name: str = Field("course", description="course name, shown in feedback")
    language: Literal["ko", "en"] = Field("ko", description="language of student-facing text")
    workspace: str = Field(".autograder", description="workspace folder (git-ignored)")
    gradebook_url: str | None = Field(
        None, description="SQLAlchemy URL; default sqlite in the workspace"
    )
    roster: str | None = Field(
        None, description="CSV roster: login (required),student_id,name,section,email"
    )
    runner: str = Field(
        "docker",
        description="default runner, a registered backend (docs/runners.md): `docker`, "
        "`process` (trusted code only) or a plugin's",
    )
    executor: Literal["local", "ray"] = Field("local", description="where jobs run")
    ray: RaySettings = Field(default_factory=RaySettings)
    image: str = Field("autograder-grading:latest", description="default grading image")
    jobs: int | None = Field(None, ge=1, description="parallel jobs; default: from cores/memory")
    late_policy: LatePolicy = LatePolicy()
    resources: Resources = Resources()
    github: GitHubSettings = GitHubSettings()
    repo_prefix: dict[str, str] = Field(
        default_factory=dict, description="week -> repo prefix; default: the week's name"
    )

    @field_validator("runner")
    @classmethod
    def _registered_runner(cls, value: str) -> str:
        from gpu_runner.runners.registry import runner_names

        if value not in runner_names():
            raise ValueError(f"unknown runner {value!r}; registered: {', '.join(runner_names())}")
        return value


class ModelRequirements(_Model):
    """Rules checked on the loaded model (clean evaluator); a violation gives zero points."""

    family: list[str] = Field(
        default_factory=list,
        description="accepted model classes: Keras (Sequential, Functional) or the final "
        "scikit-learn estimator (LinearRegression, LogisticRegression, ...); empty: any",
    )
    layers: dict[str, int] = Field(
        default_factory=dict,
        description='Keras layer types and their minimum count, e.g. {Dense = 2}, {"LSTM|GRU" = 1}',
    )
    input_shape: list[int | None] | None = Field(
        None, description="the model's input shape without the batch axis, e.g. [8, 8, 1]"
    )
    output_shape: list[int | None] | None = Field(
        None, description="the model's output shape without the batch axis, e.g. [10]"
    )
    max_params: int | None = Field(None, ge=1, description="parameter budget")
    trained: bool = Field(
        False,
        description="evidence of training: Keras optimizer iterations > 0 (the model was "
        "compiled and fitted), scikit-learn: fitted",
    )


class ModelSpec(_Model):
    """The notebook variable a threshold scores, and how the clean evaluator runs it."""

    variable: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="the notebook variable holding the model"
    )
    kind: Literal["keras", "sklearn", "array", "generator"] = Field(
        description="keras: a keras.Model (.keras, safe_mode); sklearn: an estimator (skops); "
        "array: numbers (.npy); generator: a keras.Model sampled by the evaluator"
    )
    method: Literal["predict", "predict_proba", "decision_function"] = Field(
        "predict", description="scikit-learn: the method called on the hidden inputs"
    )
    input_scale: float = Field(1.0, description="hidden inputs are multiplied by this ...")
    input_offset: float = Field(0.0, description="... then shifted by this ...")
    input_shape: list[int] | None = Field(
        None, description="... and reshaped to (n, *input_shape) before the model sees them"
    )
    input_dtype: Literal["float32", "float64", "int32", "int64"] = Field(
        "float32", description="dtype the model gets"
    )
    output_scale: float = Field(1.0, description="model outputs are multiplied by this ...")
    output_offset: float = Field(0.0, description="... then shifted by this")
    samples: int = Field(500, ge=1, le=20000, description="generators: samples drawn")
    array_use: Literal["values", "nearest_centre", "lookup"] = Field(
        "values",
        description="array: the values are the predictions; nearest_centre: centres (k, d), "
        "each hidden input row gets its nearest centre's index; lookup: a table indexed by "
        "the hidden inputs (one index array per axis, in `inputs` order)",
    )
    trusted_types: list[str] = Field(
        default_factory=list,
        description="scikit-learn: skops types trusted beyond skops's defaults",
    )
    max_mb: int = Field(64, ge=1, le=1024, description="largest artifact accepted")
    requirements: ModelRequirements = ModelRequirements()


class Threshold(_Model):
    """A model-accuracy threshold: the clean evaluator runs the exported model on hidden data."""

    id: str = Field(description="stable id, shown in results")
    metric: str = Field(description="metric name, e.g. accuracy, roc_auc, r2, rmse")
    model: ModelSpec = Field(description="the model variable scored (see [thresholds.model])")
    notebook: str | None = Field(None, description="notebook holding the model; default: first")
    inputs: dict[str, str] = Field(
        default_factory=dict,
        description="name -> hidden inputs .npy (in the week folder); given to the clean "
        "evaluator, never to the sandbox",
    )
    labels: str | None = Field(None, description="hidden labels (.npy), scored on the host")
    assets: str | None = Field(None, description="evaluator assets (e.g. a frozen judge)")
    floor: float = Field(description="value at and beyond which points start")
    target: float = Field(description="value that earns full points")
    points: float = Field(gt=0)
    direction: Literal["higher", "lower"] | None = Field(
        None, description="which way is better; default: the metric's own"
    )
    curve: Literal["linear", "step"] = Field(
        "linear", description="points between floor and target"
    )
    review_beyond: float | None = Field(
        None,
        description="a value beyond this (above for higher-is-better, below for lower) is "
        "implausible for the data and flagged for review",
    )
    options: dict[str, Any] = Field(default_factory=dict, description="metric-specific options")
    description: str = Field("", description="shown to students")

    @model_validator(mode="after")
    def _inputs_fit_the_model(self) -> Threshold:
        kind, use, count = self.model.kind, self.model.array_use, len(self.inputs)
        if kind in ("keras", "sklearn") and count != 1:
            raise ValueError(f"a {kind} model is run on exactly one `inputs` file, got {count}")
        if kind == "generator" and count:
            raise ValueError("a generator is sampled by the evaluator: no `inputs`")
        if kind == "generator" and int(self.options.get("n", self.model.samples)) != (
            self.model.samples
        ):
            raise ValueError("options.n must equal model.samples (the evaluator draws those)")
        if kind == "array" and use == "nearest_centre" and count != 1:
            raise ValueError("array_use = 'nearest_centre' needs exactly one `inputs` file")
        if kind == "array" and use == "lookup" and not count:
            raise ValueError("array_use = 'lookup' needs one `inputs` index file per axis")
        if kind == "array" and use == "values" and count:
            raise ValueError("array_use = 'values' takes no `inputs` (the array is the prediction)")
        return self

    @model_validator(mode="before")
    @classmethod
    def _no_probe(cls, data: Any) -> Any:
        if isinstance(data, dict) and "probe" in data:
            raise ValueError(
                "`probe` expressions ran student code on hidden inputs and are gone: name the "
                'model instead, e.g. [thresholds.model] variable = "model", kind = "keras"'
            )
        return data


class Rule(_Model):
    """A "by hand" rule: checked on the host from the student's cell sources (AST).

    Import aliases are followed (``import numpy as np``, ``from numpy import mean as m``,
    ``f = np.mean``); dynamic escapes (``getattr`` with a computed name, ``__import__``,
    ``importlib``, ``eval``, ``exec``, ``globals``, magics other than ``%matplotlib``,
    ``%time`` and ``%timeit``) count as a violation unless ``allow_dynamic``.
    """

    id: str = Field(description="short name shown to the student with a violation")
    tests: list[str] = Field(
        min_length=1, description="test cells (grade ids) that score zero when the rule is broken"
    )
    forbid_imports: list[str] = Field(
        default_factory=list,
        description="modules the student's cells may not import (submodules included)",
    )
    forbid_calls: list[str] = Field(
        default_factory=list,
        description=(
            "qualified names the student's cells may not use, e.g. 'numpy.mean', "
            "'sklearn.cluster.KMeans'; 'numpy.linalg.*' forbids everything below"
        ),
    )
    forbid_attributes: list[str] = Field(
        default_factory=list,
        description="attribute names the student's cells may not use on any object (e.g. 'mean')",
    )
    allow_dynamic: bool = Field(False, description="allow the dynamic escapes listed above")
    description: str = Field("", description="shown to students with a violation")


class CheckPolicy(_Model):
    """What feedback shows before the deadline (continuous grading, `serve` / `watch`)."""

    enabled: bool = Field(
        True, description="grade pushes before the deadline; false: only the final run"
    )
    public_tests: Literal["full", "count", "hidden"] = Field(
        "full", description="public tests: each with its result, a passed count, or nothing"
    )
    hidden_tests: Literal["full", "count", "hidden"] = Field(
        "count", description="hidden tests: each (hint only), a passed count, or nothing"
    )
    thresholds: Literal["full", "hidden"] = Field(
        "full", description="model thresholds: value, target and points, or nothing"
    )
    show_score: bool = Field(
        True, description="show the provisional score (never when anything is 'hidden')"
    )
    min_interval_minutes: float = Field(
        10, ge=0, description="per student: at most one graded check run this often"
    )


class AssignmentConfig(_Model):
    """``solutions/W/assignment.toml``; every field optional."""

    title: str | None = None
    notebooks: list[str] | None = Field(None, description="graded notebooks; default: all *.ipynb")
    deadline: datetime | None = Field(None, description="ISO 8601 with a UTC offset")
    resources: Resources | None = None
    thresholds: list[Threshold] = Field(default_factory=list)
    check: CheckPolicy = CheckPolicy()
    release_ignore: list[str] = Field(
        default_factory=list, description="extra glob patterns never released"
    )
    rules: list[Rule] = Field(
        default_factory=list, description='"by hand" rules checked on the student\'s code'
    )

    @field_validator("deadline")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("deadline needs a UTC offset, e.g. 2026-09-22T23:59:00+09:00")
        return value


def _load(path: Path, model: type[_Model]) -> Any:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from exc


def load_course_config(root: Path) -> CourseConfig:
    config: CourseConfig = _load(root / COURSE_FILE, CourseConfig)
    return config


def load_assignment_config(week_dir: Path) -> AssignmentConfig:
    config: AssignmentConfig = _load(week_dir / ASSIGNMENT_FILE, AssignmentConfig)
    for threshold in config.thresholds:
        for rel in [*threshold.inputs.values(), threshold.labels, threshold.assets]:
            if rel and not (week_dir / rel).exists():
                raise ConfigError(
                    f"{week_dir / ASSIGNMENT_FILE}: thresholds.{threshold.id}: file {rel!r} not found"
                )
    return config

"""Grading: sanitize (host) -> execute (runner) -> score (host) -> gradebook.

`grade_submission` grades one submission and stores nothing; `grade_week`
grades every collected submission of a week in parallel, records each result
as soon as it is known (so an interrupted batch resumes where it stopped) and
skips unchanged submissions.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime

from autograder.course import Course
from autograder.gradebook import GradebookStore
from autograder.i18n import t
from autograder.nbgrader_adapter import open_source_gradebook
from autograder.pipeline.context import WeekContext, load_week_context
from autograder.pipeline.evaluate import ScoredModel, evaluate_models
from autograder.pipeline.prepare import prepare_job
from autograder.pipeline.score import (
    late_penalty,
    run_problems,
    score_tests,
    score_thresholds,
    withhold,
)
from autograder.results import SubmissionResult
from autograder.submissions import (
    SubmissionMeta,
    content_hash,
    load_submission_meta,
    submission_files,
)
from gpu_runner.job import RunOutput, RunStatus
from gpu_runner.runners.base import Runner
from gpu_runner.runners.evaluators import Evaluator, ProcessEvaluator


def score_run(
    ctx: WeekContext,
    *,
    login: str,
    output: RunOutput,
    problems: list[str],
    missing_notebooks: set[str],
    meta: SubmissionMeta | None,
    digest: str,
    scored: Mapping[str, ScoredModel] | None = None,
) -> SubmissionResult:
    lang = ctx.language
    submitted_at = meta.submitted_at if meta else None
    common = dict(
        assignment=ctx.week.name,
        student=login,
        max_score=ctx.max_score,
        runtime_s=output.runtime_s,
        submitted_at=submitted_at.isoformat() if submitted_at else None,
        sha=meta.sha if meta else None,
        run_status=output.status.value,
        runner=output.runner,
        content_hash=digest,
        assignment_version=ctx.version,
    )
    if output.status is RunStatus.INFRA_ERROR:
        return SubmissionResult(
            status="error",
            score=0.0,
            problems=(t(lang, "infra_error", error=output.message[:300]),),
            **common,  # type: ignore[arg-type]
        )
    tests, verdict = score_tests(ctx, output, missing_notebooks)
    flags: list[str] = []
    if verdict.tampered:
        tests = withhold(tests, lang)
        flags.append(t(lang, "flag_tampered"))
    if verdict.traceback_hidden:
        flags.append(t(lang, "flag_traceback_hidden"))
    if output.status in (RunStatus.KERNEL_DIED,):
        flags.append(t(lang, "flag_kernel_died"))
    metrics, review = score_thresholds(ctx, scored or {})
    flags += review
    raw = sum(x.points for x in tests) + sum(m.points for m in metrics)
    late_s, penalty = late_penalty(
        submitted_at=submitted_at,
        deadline=ctx.week.config.deadline,
        policy=ctx.course.config.late_policy,
        max_score=ctx.max_score,
        lang=lang,
    )
    penalties = (penalty,) if penalty else ()
    score = max(0.0, raw + sum(p.points for p in penalties))
    all_problems = [*(meta.problems if meta else ()), *problems, *run_problems(ctx, output)]
    return SubmissionResult(
        status="graded",
        score=round(score, 4),
        tests=tuple(tests),
        metrics=tuple(metrics),
        penalties=penalties,
        problems=tuple(all_problems),
        flags=tuple(flags),
        late_seconds=round(late_s, 1),
        **common,  # type: ignore[arg-type]
    )


def grade_files(
    ctx: WeekContext,
    *,
    login: str,
    files: dict[str, bytes],
    runner: Runner,
    meta: SubmissionMeta | None = None,
    evaluator: Evaluator | None = None,
) -> SubmissionResult:
    """Grade one submission given as files; stores nothing.

    The exported models are scored by `evaluator` (default: `evaluator_for(runner)`:
    a fresh container for a sandboxed runner, a subprocess for trusted mode).
    """
    digest = content_hash(files)
    prepared = prepare_job(ctx, login=login, files=files)
    started = time.monotonic()
    if prepared.job.notebooks:
        try:
            output = runner.run(prepared.job)
        except Exception as exc:  # a runner bug is ours, never the student's
            output = RunOutput(
                job_id=prepared.job.job_id,
                status=RunStatus.INFRA_ERROR,
                message=f"{type(exc).__name__}: {exc}",
                runner=runner.name,
            )
    else:
        output = RunOutput(
            job_id=prepared.job.job_id, status=RunStatus.COMPLETED, runner=runner.name
        )
    if not output.runtime_s:
        output = output.with_runner(output.runner or runner.name, time.monotonic() - started)
    scored: dict[str, ScoredModel] = {}
    if ctx.week.config.thresholds and output.status is not RunStatus.INFRA_ERROR:
        own = evaluator is None
        evaluator = evaluator or evaluator_for(runner, image=prepared.job.image)
        try:
            scored = evaluate_models(ctx, output, evaluator=evaluator, job_id=prepared.job.job_id)
        except Exception as exc:  # the evaluator's fault is ours, never the student's
            output = RunOutput(
                job_id=prepared.job.job_id,
                status=RunStatus.INFRA_ERROR,
                message=f"{type(exc).__name__}: {exc}"[:1000],
                runner=output.runner,
                runtime_s=output.runtime_s,
            )
        finally:
            if own:
                evaluator.close()
    return score_run(
        ctx,
        login=login,
        output=output,
        problems=prepared.problems,
        missing_notebooks=prepared.missing_notebooks,
        meta=meta,
        digest=digest,
        scored=scored,
    )


def evaluator_for(runner: Runner, *, image: str) -> Evaluator:
    """The clean evaluator matching `runner`: a container for a sandbox, else a subprocess."""
    if runner.sandboxed:
        from gpu_runner.runners.evaluators import DockerEvaluator

        return DockerEvaluator(image=getattr(runner, "image", None) or image)
    return ProcessEvaluator()


def save_result(course: Course, store: GradebookStore, result: SubmissionResult) -> None:
    """Gradebook first, then the file: a result file on disk is always in the gradebook
    too, so a batch killed in between resumes without regrading a finished submission."""
    store.save(result)
    path = course.result_path(result.assignment, result.student)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    tmp.replace(path)


@dataclass
class BatchReport:
    graded: list[SubmissionResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[SubmissionResult] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


def default_jobs(memory_mb: int) -> int:
    cores = os.cpu_count() or 1
    try:
        total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError):
        total_mb = 4096
    return max(1, min(cores, int(total_mb * 0.7) // max(memory_mb, 256)))


ProgressFn = Callable[[str, SubmissionResult | None], None]


def grade_week(
    course: Course,
    week: str,
    *,
    runner: Runner,
    jobs: int | None = None,
    force: bool = False,
    logins: list[str] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_done: ProgressFn | None = None,
) -> BatchReport:
    """Grade every collected submission of `week`; one failure never stops the batch."""
    started = time.monotonic()
    ctx = load_week_context(course, week)
    store = GradebookStore(course)
    cached = store.cached(week)
    todo: list[tuple[str, dict[str, bytes], SubmissionMeta | None, str]] = []
    report = BatchReport()
    for login in logins or course.submitted_logins(week):
        files = submission_files(course.submission_dir(week, login))
        digest = content_hash(files)
        previous = cached.get(login)
        if (
            not force
            and previous is not None
            and previous[:2] == (digest, ctx.version)
            and previous[2] == "graded"
        ):
            report.skipped.append(login)
            continue
        todo.append((login, files, load_submission_meta(course, week, login), digest))
    if on_start:
        on_start(len(todo), len(report.skipped))
    workers = jobs or course.config.jobs or default_jobs(ctx.week.resources.memory_mb)
    if todo:  # nbgrader's import and engine: only when something is graded
        ctx.source_gradebook = open_source_gradebook(course)
    runner.prepare()
    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            pending: dict[Future[SubmissionResult], str] = {
                pool.submit(
                    grade_files, ctx, login=login, files=files, runner=runner, meta=meta
                ): login
                for login, files, meta, _ in todo
            }
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    login = pending.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:  # a bug of ours: record it, keep going
                        result = SubmissionResult(
                            assignment=week,
                            student=login,
                            status="error",
                            score=0.0,
                            max_score=ctx.max_score,
                            problems=(
                                t(
                                    ctx.language,
                                    "infra_error",
                                    error=f"{type(exc).__name__}: {exc}",
                                ),
                            ),
                        )
                    save_result(course, store, result)
                    (report.errors if result.status == "error" else report.graded).append(result)
                    if on_done:
                        on_done(login, result)
    finally:
        runner.close()
    report.wall_s = round(time.monotonic() - started, 3)
    return report


def grade_single(
    course: Course,
    week: str,
    *,
    login: str,
    files: dict[str, bytes],
    runner: Runner,
    submitted_at: datetime | None = None,
) -> SubmissionResult:
    """Grade a submission outside the workspace (the `--submission` path of the CLI)."""
    ctx = load_week_context(course, week)
    meta = (
        SubmissionMeta(login=login, week=week, source="local", submitted_at=submitted_at)
        if submitted_at
        else None
    )
    runner.prepare()
    try:
        result = grade_files(ctx, login=login, files=files, runner=runner, meta=meta)
    finally:
        runner.close()
    return replace(result)

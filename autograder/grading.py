"""Grading: sanitize (host) -> execute (runner) -> score (host) -> gradebook.

`grade_submission` grades one submission and stores nothing; `grade_week`
grades every collected submission of a week in parallel, records each result
as soon as it is known (so an interrupted batch resumes where it stopped) and
skips unchanged submissions.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime

from autograder.course import Course
from autograder.gradebook import GradebookStore
from autograder.manual.autograded import write_autograded
from autograder.messages import Message
from autograder.nbgrader_adapter import open_source_gradebook
from autograder.pipeline.context import WeekContext, load_week_context
from autograder.pipeline.evaluate import ScoredModel, evaluate_models
from autograder.pipeline.prepare import prepare_job
from autograder.pipeline.rules import Violation
from autograder.pipeline.score import (
    apply_rules,
    late_penalty,
    run_problems,
    score_tests,
    score_thresholds,
)
from autograder.recording import record_result, recover_week
from autograder.results import SubmissionResult
from autograder.submissions import (
    SubmissionMeta,
    content_hash,
    load_submission_meta,
    read_submission,
)
from gpu_runner.job import Job, RunOutput, RunStatus
from gpu_runner.runners.base import Runner
from gpu_runner.runners.evaluators import Evaluator, ProcessEvaluator

log = logging.getLogger(__name__)


def score_run(
    ctx: WeekContext,
    *,
    login: str,
    output: RunOutput,
    problems: list[Message],
    missing_notebooks: set[str],
    meta: SubmissionMeta | None,
    digest: str,
    violations: list[Violation] | None = None,
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
        language=lang,
    )
    if output.status is RunStatus.INFRA_ERROR:
        return SubmissionResult(
            status="error",
            score=0.0,
            problems=(Message.of("problem.infra_error", error=output.message[:300]),),
            **common,  # type: ignore[arg-type]
        )
    tests = apply_rules(score_tests(ctx, output, missing_notebooks), violations or [])
    flags: list[Message] = []
    if output.status in (RunStatus.KERNEL_DIED,):
        flags.append(Message.of("flag.kernel_died"))
    metrics, review = score_thresholds(ctx, scored or {})
    flags += review
    raw = sum(x.points for x in tests) + sum(m.points for m in metrics)
    late_s, penalty = late_penalty(
        submitted_at=submitted_at,
        cutoff=ctx.course.cutoff(ctx.week.name),
        policy=ctx.course.config.late_policy,
        max_score=ctx.max_score,
    )
    penalties = (penalty,) if penalty else ()
    score = max(0.0, raw + sum(p.points for p in penalties))
    noted = [Message.text(p) for p in (meta.problems if meta else ())]  # stored as text
    all_problems = [*noted, *problems, *run_problems(ctx, output)]
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


def error_result(
    ctx: WeekContext | None,
    *,
    week: str,
    login: str,
    exc: BaseException,
    language: str,
    digest: str = "",
    log_traceback: bool = True,
) -> SubmissionResult:
    """Our fault, never the student's: status "error", the error named for the instructor.

    `log_traceback` False: the caller reports the error itself (a known runner fault)."""
    if log_traceback:
        log.exception("grading %s/%s failed", week, login, exc_info=exc)
    return SubmissionResult(
        assignment=week,
        student=login,
        status="error",
        score=0.0,
        max_score=ctx.max_score if ctx else 0.0,
        problems=(Message.of("problem.infra_error", error=f"{type(exc).__name__}: {exc}"[:300]),),
        content_hash=digest,
        assignment_version=ctx.version if ctx else "",
        language=language,
    )


def grade_files(
    ctx: WeekContext,
    *,
    login: str,
    files: dict[str, bytes],
    runner: Runner,
    meta: SubmissionMeta | None = None,
    problems: list[Message] | None = None,
    evaluator: Evaluator | None = None,
) -> SubmissionResult:
    """Grade one submission given as files; stores nothing and never raises.

    `problems` are notes from reading the submission (refused files). A student's
    damaged input becomes problems inside the steps; anything that still escapes a
    step is a bug of ours and gives status "error". The exported models are scored
    by `evaluator` (default: `evaluator_for(runner)`: a fresh container for a
    sandboxed runner, a subprocess for trusted mode)."""
    return _grade_files(
        ctx, login=login, files=files, runner=runner, meta=meta, problems=problems,
        evaluator=evaluator,
    )[0]  # fmt: skip


def _grade_files(
    ctx: WeekContext,
    *,
    login: str,
    files: dict[str, bytes],
    runner: Runner,
    meta: SubmissionMeta | None = None,
    problems: list[Message] | None = None,
    evaluator: Evaluator | None = None,
) -> tuple[SubmissionResult, RunOutput | None]:
    """`grade_files`, with the run's output (the executed notebooks) when there is one."""
    digest = ""
    try:
        digest = content_hash(files)
        prepared = prepare_job(ctx, login=login, files=files)
        started = time.monotonic()
        output = _execute(prepared.job, runner)
        if not output.runtime_s:
            output = output.with_runner(output.runner or runner.name, time.monotonic() - started)
        output, scored = _evaluate(ctx, output, runner, prepared.job, evaluator)
        result = score_run(
            ctx,
            login=login,
            output=output,
            problems=[*(problems or ()), *prepared.problems],
            missing_notebooks=prepared.missing_notebooks,
            meta=meta,
            digest=digest,
            violations=prepared.violations,
            scored=scored,
        )
        return result, output
    except Exception as exc:  # a bug of ours in a step: this student only
        return error_result(
            ctx, week=ctx.week.name, login=login, exc=exc, language=ctx.language, digest=digest
        ), None


def _grade_for_formgrader(
    ctx: WeekContext,
    *,
    login: str,
    files: dict[str, bytes],
    runner: Runner,
    meta: SubmissionMeta | None,
    problems: list[Message],
    evaluator: Evaluator | None = None,
) -> SubmissionResult:
    """Grade one stored submission and put its executed notebooks in nbgrader's autograded
    folder (what formgrader opens), before the result is recorded; a failure to write
    them is logged and never changes the grade."""
    result, output = _grade_files(
        ctx, login=login, files=files, runner=runner, meta=meta, problems=problems,
        evaluator=evaluator,
    )  # fmt: skip
    if output is not None and result.status == "graded":
        try:
            write_autograded(ctx.course, week=ctx.week.name, login=login, output=output)
        except Exception:
            log.exception("autograded notebooks of %s/%s not written", ctx.week.name, login)
    return result


def _execute(job: Job, runner: Runner) -> RunOutput:
    if not job.notebooks:
        return RunOutput(job_id=job.job_id, status=RunStatus.COMPLETED, runner=runner.name)
    try:
        return runner.run(job)
    except Exception as exc:  # a runner bug is ours, never the student's
        return RunOutput(
            job_id=job.job_id,
            status=RunStatus.INFRA_ERROR,
            message=f"{type(exc).__name__}: {exc}",
            runner=runner.name,
        )


def _evaluate(
    ctx: WeekContext,
    output: RunOutput,
    runner: Runner,
    job: Job,
    evaluator: Evaluator | None,
) -> tuple[RunOutput, dict[str, ScoredModel]]:
    """The exported models scored by the clean evaluator; its fault is ours."""
    if not ctx.week.config.thresholds or output.status is RunStatus.INFRA_ERROR:
        return output, {}
    own = evaluator is None
    evaluator = evaluator or evaluator_for(runner, image=job.image)
    try:
        return output, evaluate_models(ctx, output, evaluator=evaluator, job_id=job.job_id)
    except Exception as exc:  # the evaluator's fault is ours, never the student's
        failed = RunOutput(
            job_id=job.job_id,
            status=RunStatus.INFRA_ERROR,
            message=f"{type(exc).__name__}: {exc}"[:1000],
            runner=output.runner,
            runtime_s=output.runtime_s,
        )
        return failed, {}
    finally:
        if own:
            evaluator.close()


def evaluator_for(runner: Runner, *, image: str) -> Evaluator:
    """The clean evaluator matching `runner`: a container for a sandbox, else a subprocess."""
    if runner.sandboxed:
        from gpu_runner.runners.evaluators import DockerEvaluator

        return DockerEvaluator(image=getattr(runner, "image", None) or image)
    return ProcessEvaluator()


def batch_evaluator(ctx: WeekContext, runner: Runner, *, jobs: int | None) -> Evaluator | None:
    """One clean evaluator for a batch of `jobs` submissions; None when the week needs none.

    Told what is coming, a container evaluator starts its containers (framework
    imported) while the notebooks run; each still serves one submission only."""
    kinds = tuple(
        sorted({t.model.kind for t in ctx.week.config.thresholds if t.model.kind != "array"})
    )
    if not kinds:
        return None
    res = ctx.week.resources
    evaluator = evaluator_for(runner, image=res.image or ctx.course.config.image)
    evaluator.expect(memory_mb=res.memory_mb, cpus=res.cpus, kinds=kinds, jobs=jobs)
    return evaluator


def save_result(course: Course, store: GradebookStore, result: SubmissionResult) -> None:
    """Record `result` (see `autograder.recording`): derived stores first, the truth last."""
    record_result(course, store, result)


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


def read_listing(
    course: Course, week: str, login: str
) -> tuple[dict[str, bytes], list[Message], SubmissionMeta | None, str]:
    """A stored submission: (files, problems reading them, its metadata, content hash)."""
    files, problems = read_submission(course.submission_dir(week, login))
    return files, problems, load_submission_meta(course, week, login), content_hash(files)


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
    keep_runner: bool = False,
) -> BatchReport:
    """Grade every collected submission of `week`; one failure never stops the batch.

    Every step of one student (listing, hashing, grading, recording) is isolated: what
    fails gives that student a result and the batch goes on. Interrupted recordings of
    an earlier run are finished first, so the cache never trusts a half-recorded one.
    `keep_runner`: the caller prepared `runner` and closes it (a server grading push
    after push keeps its containers started ahead and its fork server)."""
    started = time.monotonic()
    ctx = load_week_context(course, week)
    lang = ctx.language
    store = GradebookStore(course)
    recover_week(course, store, week)
    cached = store.cached(week)
    todo: list[tuple[str, dict[str, bytes], SubmissionMeta | None, list[Message]]] = []
    failed: list[SubmissionResult] = []
    report = BatchReport()
    for login in logins or course.submitted_logins(week):
        try:
            files, problems, meta, digest = read_listing(course, week, login)
        except Exception as exc:  # ours: the stored submission cannot be read
            failed.append(error_result(ctx, week=week, login=login, exc=exc, language=lang))
            continue
        previous = cached.get(login)
        if (
            not force
            and previous is not None
            and previous[:2] == (digest, ctx.version)
            and previous[2] == "graded"
        ):
            report.skipped.append(login)
            continue
        todo.append((login, files, meta, problems))
    if on_start:
        on_start(len(todo) + len(failed), len(report.skipped))
    for result in failed:
        _finish(course, store, report, result, on_done)
    workers = jobs or course.config.jobs or default_jobs(ctx.week.resources.memory_mb)
    if todo:  # nbgrader's import and engine: only when something is graded
        ctx.source_gradebook = open_source_gradebook(course)
    if not keep_runner:
        runner.prepare()
    evaluator = None
    try:
        if todo:
            if not keep_runner:  # a batch of known size: start no more ahead than it needs
                runner.expect(len(todo))
            evaluator = batch_evaluator(ctx, runner, jobs=len(todo))
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            pending: dict[Future[SubmissionResult], str] = {
                pool.submit(
                    _grade_for_formgrader,
                    ctx,
                    login=login,
                    files=files,
                    runner=runner,
                    meta=meta,
                    problems=problems,
                    evaluator=evaluator,
                ): login
                for login, files, meta, problems in todo
            }
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    login = pending.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:  # a bug of ours: record it, keep going
                        result = error_result(ctx, week=week, login=login, exc=exc, language=lang)
                    _finish(course, store, report, result, on_done)
    finally:
        if evaluator is not None:
            evaluator.close()
        if not keep_runner:
            runner.close()
    report.wall_s = round(time.monotonic() - started, 3)
    return report


def _finish(
    course: Course,
    store: GradebookStore,
    report: BatchReport,
    result: SubmissionResult,
    on_done: ProgressFn | None,
) -> None:
    """Record one result; a recording failure is that student's error, not the batch's."""
    try:
        save_result(course, store, result)
    except Exception as exc:  # disk or database trouble for this one student
        log.exception("recording %s/%s failed", result.assignment, result.student)
        result = SubmissionResult(
            assignment=result.assignment,
            student=result.student,
            status="error",
            score=0.0,
            max_score=result.max_score,
            problems=(
                Message.text(
                    f"the result could not be recorded: {type(exc).__name__}: {exc}"[:300]
                ),
            ),
            language=result.language,
        )
    if result.status == "graded":  # what every reader sees: with the hand grades
        try:
            result = store.with_hand_grades(result.assignment, [result])[0]
        except Exception:  # reading them back is for display only; the record stands
            log.exception("hand grades of %s/%s not read", result.assignment, result.student)
    (report.errors if result.status == "error" else report.graded).append(result)
    if on_done:
        on_done(result.student, result)


def grade_single(
    course: Course,
    week: str,
    *,
    login: str,
    files: dict[str, bytes],
    runner: Runner,
    submitted_at: datetime | None = None,
    problems: list[Message] | None = None,
) -> SubmissionResult:
    """Grade a submission outside the workspace (the `--submission` path of the CLI)."""
    ctx = load_week_context(course, week)
    meta = (
        SubmissionMeta(login=login, week=week, source="local", submitted_at=submitted_at)
        if submitted_at
        else None
    )
    runner.prepare()
    runner.expect(1)  # one job: start nothing ahead for a next one
    try:
        return grade_files(
            ctx, login=login, files=files, runner=runner, meta=meta, problems=problems
        )
    finally:
        runner.close()

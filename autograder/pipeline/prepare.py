"""Host step 1: turn a student's files into a sanitized Job.

Damaged input never raises: an unreadable, missing or oversized notebook is
left out of the job and recorded, so its cells score zero with a clear note.

Every cell of a sanitized notebook gets its role (``metadata.autograder.role``)
from what the source says, never from what the student submitted: ``test``
(the source's test cells, restored with their hidden tests: they run in the
trusted test process), ``setup`` (the release's locked cells: they run in the
kernel and are replayed for the tests), ``student`` (everything else). The
graded notebooks go into the job's private files, which the kernel never sees.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode

from autograder.messages import Message
from autograder.nbgrader_adapter import sanitize_notebook
from autograder.pipeline.context import WeekContext
from autograder.pipeline.normalize import normalize_notebook
from autograder.pipeline.rules import Violation, check_rules
from gpu_runner.job import ROLE_KEY, Job, Probe, Resources

MAX_NOTEBOOK_BYTES = 100 * 1024 * 1024
MAX_EXTRA_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class Prepared:
    job: Job
    problems: list[Message] = field(default_factory=list)
    missing_notebooks: set[str] = field(default_factory=set)
    violations: list[Violation] = field(default_factory=list)


def _readable(data: bytes, name: str, problems: list[Message]) -> NotebookNode | None:
    if len(data) > MAX_NOTEBOOK_BYTES:
        problems.append(
            Message.of("problem.notebook_too_large", notebook=name, size=len(data) // 2**20)
        )
        return None
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # any parse or schema failure is the student's
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]
        problems.append(Message.of("problem.notebook_unreadable", notebook=name, error=error))
        return None
    if not isinstance(nb.get("cells"), list):
        problems.append(Message.of("problem.notebook_unreadable", notebook=name, error="no cells"))
        return None
    return normalize_notebook(nb, name=name, problems=problems)


def _modified_locked_cells(
    nb: NotebookNode,
    checksums: dict[str, str],
    source_tests: dict[str, str] | None = None,
) -> list[Message]:
    """Locked cells whose content differs from the release (sanitize restores them).

    A test cell may also equal the source's (with its hidden tests): that is the
    instructor's own source graded as a reference check, not a modification."""
    from nbgrader.utils import compute_checksum

    problems = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if grade_id in checksums:
            allowed = {checksums[grade_id], (source_tests or {}).get(grade_id)}
            try:
                changed = compute_checksum(cell) not in allowed
            except Exception:
                changed = True
            if changed:
                problems.append(Message.of("problem.cell_restored", cell=grade_id))
    return problems


def _find_notebooks(
    ctx: WeekContext, files: dict[str, bytes], problems: list[Message]
) -> dict[str, str]:
    """Expected notebook -> the file name it was submitted as (renames tolerated)."""
    expected = list(ctx.week.notebooks)
    found = {name: name for name in expected if name in files}
    missing = [n for n in expected if n not in found]
    spare = sorted(
        f
        for f in files
        if f.endswith(".ipynb") and f not in expected and ".ipynb_checkpoints" not in f
    )
    if len(missing) == 1 and len(spare) == 1:
        found[missing[0]] = spare[0]
        problems.append(Message.of("problem.notebook_renamed", expected=missing[0], found=spare[0]))
        missing = []
    for name in missing:
        problems.append(Message.of("problem.notebook_missing", notebook=name))
    return found


def assign_roles(nb: NotebookNode, ctx: WeekContext, notebook_id: str) -> NotebookNode:
    """Give every cell its role from the source (see module docstring)."""
    tests = {g for g, c in ctx.cells.get(notebook_id, {}).items() if c.kind == "test"}
    locked = set(ctx.release_checksums.get(notebook_id, {}))
    seen: set[str] = set()
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        role = "student"
        if cell.cell_type == "code" and isinstance(grade_id, str) and grade_id not in seen:
            if grade_id in tests:
                role = "test"
            elif grade_id in locked:
                role = "setup"
            if role != "student":
                seen.add(grade_id)
        cell.setdefault("metadata", {})[ROLE_KEY] = {"role": role}
    return nb


def prepare_job(
    ctx: WeekContext,
    *,
    login: str,
    files: dict[str, bytes],
) -> Prepared:
    problems: list[Message] = []
    located = _find_notebooks(ctx, files, problems)
    job_files: dict[str, bytes] = {}
    for name, data in files.items():
        if not name.endswith(".ipynb") and len(data) <= MAX_EXTRA_FILE_BYTES:
            job_files[name] = data
    job_files.update(ctx.public_files)  # the instructor's data wins over the student's copy
    private: dict[str, bytes] = {}
    violations: list[Violation] = []
    notebooks: list[str] = []
    missing: set[str] = set()
    for expected in ctx.week.notebooks:
        notebook_id = expected.removesuffix(".ipynb")
        nb = (
            _readable(files[located[expected]], located[expected], problems)
            if expected in located
            else None
        )
        if nb is not None:
            problems += _modified_locked_cells(
                nb,
                ctx.release_checksums.get(notebook_id, {}),
                ctx.source_test_checksums.get(notebook_id, {}),
            )
            try:
                nb, report = sanitize_notebook(
                    nb,
                    course=ctx.course,
                    week=ctx.week.name,
                    notebook_id=notebook_id,
                    gradebook=ctx.source_gradebook,
                )
            except Exception as exc:  # nbgrader's validation of damaged metadata
                problems.append(
                    Message.of(
                        "problem.sanitize",
                        notebook=expected,
                        error=str(exc).splitlines()[0][:200],
                    )
                )
                nb = None
            else:
                for cell in report.readded:
                    problems.append(Message.of("problem.cell_readded", cell=cell))
        if nb is None:
            missing.add(notebook_id)
            continue
        nb = assign_roles(nb, ctx, notebook_id)
        violations += check_rules(ctx.week.config.rules, nb)
        private[expected] = nbformat.writes(nb).encode("utf-8")
        notebooks.append(expected)
    probes = [  # the model variables to export; hidden inputs stay on the host
        Probe(
            id=threshold.id,
            notebook=threshold.notebook or ctx.week.notebooks[0],
            variable=threshold.model.variable,
            kind=threshold.model.kind,
            max_bytes=threshold.model.max_mb * 2**20,
        )
        for threshold in ctx.week.config.thresholds
    ]
    res = ctx.week.resources
    job = Job(
        job_id=f"{ctx.week.name}-{login}-{hashlib.sha256(repr(sorted(job_files)).encode()).hexdigest()[:8]}",
        files=job_files,
        notebooks=tuple(notebooks),
        cell_timeout_s=res.cell_timeout_s,
        total_timeout_s=res.total_timeout_s,
        output_limit_bytes=res.output_limit_kb * 1024,
        probes=tuple(p for p in probes if p.notebook in notebooks),
        resources=Resources(
            cpus=res.cpus,
            memory_mb=res.memory_mb,
            gpus=res.gpus,
            gpu_optional=res.gpu_optional,
            pids=res.pids,
            scratch_mb=res.scratch_mb,
        ),
        image=res.image or ctx.course.config.image,
        private=private,
    )
    return Prepared(job=job, problems=problems, missing_notebooks=missing, violations=violations)

"""A `Runner` that executes nothing: it isolates the coordinator's own cost.

Every code cell is reported ``ok`` with no output, so scoring takes its
ordinary path. Used by bench/scaling.py for the N = 1,000 row and by
profiling; never for grades.
"""

from __future__ import annotations

import nbformat

from gpu_runner.job import CellRun, CellStatus, Job, NotebookRun, RunOutput, RunStatus
from gpu_runner.runners.base import Runner


class FakeRunner(Runner):
    name = "fake"

    def run(self, job: Job) -> RunOutput:
        runs = []
        for name in job.notebooks:
            data = job.private.get(name) or job.files[name]
            nb = nbformat.reads(data.decode("utf-8"), as_version=4)
            cells = tuple(
                CellRun(
                    index=index,
                    status=CellStatus.OK,
                    grade_id=cell.metadata.get("nbgrader", {}).get("grade_id"),
                )
                for index, cell in enumerate(nb.cells)
                if cell.cell_type == "code"
            )
            runs.append(NotebookRun(name, nbformat.writes(nb), cells))
        return RunOutput(job_id=job.job_id, status=RunStatus.COMPLETED, notebooks=tuple(runs))

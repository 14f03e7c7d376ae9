"""A `Runner` that executes nothing: it isolates the coordinator's own cost.

Every code cell is reported ``ok``; canary cells get the outcome an honest
kernel gives them (must-fail: an error output; must-pass: its nonce on
stdout), so scoring takes its ordinary path. Used by bench/scaling.py for the
N = 1,000 row and by profiling; never for grades.
"""

from __future__ import annotations

import nbformat

from autograder.pipeline.canaries import META_KEY
from gpu_runner.job import CellRun, CellStatus, Job, NotebookRun, RunOutput, RunStatus
from gpu_runner.runners.base import Runner


class FakeRunner(Runner):
    name = "fake"

    def run(self, job: Job) -> RunOutput:
        runs = []
        for name in job.notebooks:
            nb = nbformat.reads(job.files[name].decode("utf-8"), as_version=4)
            cells = []
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                status = CellStatus.OK
                canary = cell.metadata.get(META_KEY)
                if canary and canary["kind"] == "fail":
                    status = CellStatus.ERROR
                    cell.outputs = [
                        nbformat.v4.new_output(
                            "error", ename="AssertionError", evalue="", traceback=[]
                        )
                    ]
                elif canary:
                    cell.outputs = [
                        nbformat.v4.new_output("stream", name="stdout", text=canary["nonce"])
                    ]
                gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                cells.append(CellRun(index=index, status=status, grade_id=gid))
            runs.append(NotebookRun(name, nbformat.writes(nb), tuple(cells)))
        return RunOutput(job_id=job.job_id, status=RunStatus.COMPLETED, notebooks=tuple(runs))

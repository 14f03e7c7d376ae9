"""The executor: runs a Job's notebooks and writes a RunOutput.

It runs inside the sandbox (a container) or, for the trusted process runner, in
a child process; both call it the same way, so both give the same results::

    python -m gpu_runner.executor --job DIR --results DIR [--kernel-argv JSON]
                                  [--kernel-workdir DIR] [--tests-argv JSON]
                                  [--wait-for-job [--kernel-env JSON]]
                                  [--kernel-zygote SOCKET]

``DIR/job.json`` is `Job.spec_dict()`; ``DIR/work`` holds what the kernel may
see (public data, the student's own files) and ``DIR/private`` the graded
notebooks, which only this process reads. Each notebook's cells go by the role
the host gave them (``metadata.autograder.role``):

- ``student`` and ``setup`` cells run in a fresh kernel, the student's: it
  starts from a neutral folder with ``python -P`` and is then moved into its
  working folder, which goes last on ``sys.path``;
- ``test`` cells run in the trusted test process (`gpu_runner.testproc`),
  which reaches the student's names only through the data-only bridge
  (`gpu_runner.bridge`); ``setup`` cells are replayed there too, for trusted
  copies of the instructor's names.
- after the notebook, each probe's model variable is exported (``.keras``,
  skops or ``.npy``) and read without following links, for the clean
  evaluator; nothing here or in the kernel loads it.

With ``--kernel-zygote`` (trusted mode only: the process runner) each kernel is
forked from the runner's preloaded kernel server (`gpu_runner.forked_kernel`).

With ``--wait-for-job`` (`gpu_runner.warm`) the kernel and the test process
are started first and the job's files are awaited: container start, imports
and kernel boot overlap with another job's run.

The kernel is the student's and everything it reports is untrusted; this
process records each cell's status itself, caps outputs in total, and writes
its results only under ``--results``, a folder the kernel cannot write to.
"""

from __future__ import annotations

import gpu_runner._fastimport  # noqa: F401  (before nbformat)

# isort: split
import argparse
import asyncio
import json
import os
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from gpu_runner.bridge.driver import TrustedTests, default_tests_argv, tests_env
from gpu_runner.bridge.relay import kernel_setup_code, run_in_kernel
from gpu_runner.exports import clear_entry, export_error_text, export_source, read_artifact_file
from gpu_runner.job import (
    EXPORT_SUFFIX,
    ROLE_KEY,
    CellRun,
    CellStatus,
    Job,
    NotebookRun,
    Probe,
    ProbeRun,
    RunOutput,
    RunStatus,
)
from gpu_runner.warm import WarmStart, wait_for_job
from gpu_runner.zygote import KERNEL_ENV

TRUNCATION_NOTE = "\n[autograder: output truncated]\n"
KERNEL_ENV_KEEP = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "PYTHONPATH")
KERNEL_SETUP_TIMEOUT_S = 60.0


def default_kernel_argv() -> list[str]:
    return [sys.executable, "-P", "-m", "ipykernel_launcher", "-f", "{connection_file}"]


def cell_role(cell: Any) -> str:
    """The role the host gave a cell: "test", "setup" or "student" (the default)."""
    meta = cell.get("metadata", {}).get(ROLE_KEY, {})
    role = meta.get("role") if isinstance(meta, dict) else None
    return role if role in ("test", "setup") and cell.get("cell_type") == "code" else "student"


class _FixedSpecKernelManager(AsyncKernelManager):
    """A kernel manager with an in-memory kernel spec: no discovery, fixed argv.

    With `zygote` (trusted mode) the kernel is forked from that kernel server
    (`gpu_runner.forked_kernel`), `preload` naming what the notebook imports.
    """

    fixed_spec: KernelSpec | None = None
    zygote: str | None = None
    preload: tuple[str, ...] = ()

    @property
    def kernel_spec(self) -> KernelSpec | None:  # type: ignore[override]
        return self.fixed_spec

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        if self.zygote and self.provisioner is None:
            from gpu_runner.forked_kernel import ForkedKernelProvisioner

            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
            provisioner = ForkedKernelProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )
            provisioner.socket_path, provisioner.preload = self.zygote, self.preload
            self.provisioner = provisioner
        return await super()._async_pre_start_kernel(**kw)


def _kernel_manager(
    spec: KernelSpec, zygote: str | None = None, nb: Any = None
) -> _FixedSpecKernelManager:
    km = _FixedSpecKernelManager()
    km.fixed_spec = spec
    if zygote:
        km.zygote = zygote
        km.preload = _notebook_imports(nb, "student")
    return km


def _notebook_imports(nb: Any, process: str) -> tuple[str, ...]:
    """What the cells a process runs import: the kernel ("student": student and setup
    cells) or the trusted test process ("test": setup and test cells)."""
    from gpu_runner.forked_kernel import imported_modules

    roles = {"student": ("student", "setup"), "test": ("setup", "test")}[process]
    cells = nb.cells if nb is not None else []
    sources = [c.source for c in cells if c.cell_type == "code" and cell_role(c) in roles]
    return tuple(imported_modules(sources))


class _OutputBudget:
    """Shared output budget for the whole job; extra output is dropped."""

    def __init__(self, limit: int) -> None:
        self.remaining = limit
        self.truncated = False

    def take(self, out: Any) -> bool:
        size = len(json.dumps(out, default=str))
        if size <= self.remaining:
            self.remaining -= size
            return True
        self.truncated = True
        return False


class _GradingClient(NotebookClient):
    """nbclient with per-cell reply status, timeout tracking and an output cap."""

    def __init__(self, nb: Any, *, budget: _OutputBudget, deadline: float, **kw: Any) -> None:
        super().__init__(nb, **kw)
        self.budget = budget
        self.deadline = deadline
        self.replies: dict[int, str] = {}
        self.timed_out: set[int] = set()
        self._truncation_marked: set[int] = set()
        self.on_cell_executed = self._record_reply

    def _record_reply(self, cell: Any, cell_index: int, execute_reply: Any) -> None:
        content = (execute_reply or {}).get("content", {})
        self.replies[cell_index] = str(content.get("status", "error"))

    def _get_timeout(self, cell: Any) -> int:
        remaining = self.deadline - time.monotonic()
        return max(1, int(min(float(self.timeout or 60), remaining)))

    async def _async_handle_timeout(self, timeout: int, cell: Any = None) -> Any:
        if cell is not None:
            self.timed_out.add(self._current_index)
        return await super()._async_handle_timeout(timeout, cell)

    async def async_execute_cell(self, cell: Any, cell_index: int, *a: Any, **kw: Any) -> Any:
        self._current_index = cell_index
        return await super().async_execute_cell(cell, cell_index, *a, **kw)

    def output(self, outs: Any, msg: Any, display_id: Any, cell_index: int) -> Any:
        out = super().output(outs, msg, display_id, cell_index)
        if out is not None and not self.budget.take(out):
            outs.remove(out)
            if cell_index not in self._truncation_marked:
                self._truncation_marked.add(cell_index)
                outs.append(nbformat.v4.new_output("stream", name="stdout", text=TRUNCATION_NOTE))
            return None
        return out


def _probe_source(probe: Probe, out_path: Path) -> str:
    return export_source(variable=probe.variable, kind=probe.kind, out_path=out_path)


async def _run_probes(
    client: _GradingClient,
    probes: list[Probe],
    workdir: Path,
    probe_dir: Path,
    results: list[ProbeRun],
) -> None:
    """Export each probe's variable from the kernel, in a scratch notebook of its own."""
    del workdir  # nothing of the job's folder is bound: no hidden input enters the sandbox
    saved = client.nb, client.replies, client.timed_out
    index = 0
    for n, probe in enumerate(probes):
        name = f"{n}{EXPORT_SUFFIX.get(probe.kind, '.bin')}"
        clear_entry(probe_dir, name)
        cell = nbformat.v4.new_code_cell(_probe_source(probe, probe_dir / name))
        client.nb = nbformat.v4.new_notebook(cells=[cell])
        client.replies, client.timed_out = {}, set()
        client.timeout = int(probe.timeout_s)
        client.deadline = time.monotonic() + probe.timeout_s
        try:
            await client.async_execute_cell(cell, index)
        except DeadKernelError:
            results.append(ProbeRun(probe.id, None, "the kernel died while exporting the model"))
            client.nb, client.replies, client.timed_out = saved
            raise
        if index in client.timed_out:
            results.append(ProbeRun(probe.id, None, f"timed out after {probe.timeout_s:.0f} s"))
        elif client.replies.get(index) != "ok":
            results.append(ProbeRun(probe.id, None, export_error_text(cell)))
        else:
            got = read_artifact_file(probe_dir, name, probe.max_bytes)
            if isinstance(got, str):
                results.append(ProbeRun(probe.id, None, got))
            else:
                results.append(ProbeRun(probe.id, got))
        clear_entry(probe_dir, name)
    client.nb, client.replies, client.timed_out = saved


def _cell_runs(nb: Any, client: _GradingClient, started: bool) -> tuple[CellRun, ...]:
    runs = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if not cell.source.strip():
            status = CellStatus.OK
        elif index in client.timed_out:
            status = CellStatus.TIMEOUT
        elif index in client.replies:
            status = CellStatus.OK if client.replies[index] == "ok" else CellStatus.ERROR
        else:
            status = CellStatus.NOT_RUN
        runs.append(CellRun(index=index, status=status, grade_id=grade_id))
    return tuple(runs)


def _kernel_exit_signal(client: _GradingClient) -> int | None:
    km = client.km
    proc = getattr(getattr(km, "provisioner", None), "process", None)
    code = getattr(proc, "returncode", None) if proc is not None else None
    if code is None and proc is not None:
        try:
            code = proc.poll()
        except Exception:
            code = None
    return -code if isinstance(code, int) and code < 0 else None


def _kernel_env(scratch: Path) -> dict[str, str]:
    env = {k: os.environ[k] for k in KERNEL_ENV_KEEP if k in os.environ}
    env.update(
        KERNEL_ENV,
        HOME=str(scratch),
        IPYTHONDIR=str(scratch / ".ipython"),
        MPLCONFIGDIR=str(scratch / ".matplotlib"),
        TMPDIR=str(scratch),
    )
    return env


def _kernel_spec(argv: list[str] | None, scratch: Path, env: dict[str, str]) -> KernelSpec:
    return KernelSpec(
        argv=argv or default_kernel_argv(),
        display_name="autograder",
        language="python",
        env={**_kernel_env(scratch), **env},
    )


def _folders(scratch: Path) -> tuple[Path, Path]:
    """The kernel's neutral start folder and the export folder (probes), made once."""
    probe_dir = scratch / "probes"
    probe_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(probe_dir, 0o1777)
    start_dir = scratch / "kernel-start"
    start_dir.mkdir(parents=True, exist_ok=True)
    return start_dir, probe_dir


async def prestart(
    *,
    workdir: Path,
    scratch: Path,
    env: dict[str, str],
    kernel_argv: list[str] | None = None,
    tests_argv: list[str] | None = None,
) -> WarmStart:
    """Start a kernel (for a job whose environment is `env`) and the test process, no job yet."""
    started = time.monotonic()
    start_dir, _ = _folders(scratch)
    km = _kernel_manager(_kernel_spec(kernel_argv, scratch, env))
    starter = _GradingClient(
        nbformat.v4.new_notebook(),
        km=km,
        budget=_OutputBudget(0),
        deadline=time.monotonic(),
        resources={"metadata": {"path": str(start_dir)}},
    )
    await starter.async_start_new_kernel(cwd=str(start_dir))
    tests = TrustedTests(
        argv=tests_argv or default_tests_argv(),
        env=tests_env(dict(os.environ)),
        cwd=str(workdir),
    )
    await tests.start()
    return WarmStart(
        km=km, env=dict(env), tests=tests, seconds={"prestart": time.monotonic() - started}
    )


async def _take_warm(warm: WarmStart | None, job: Job) -> WarmStart | None:
    """The warm start when it fits this job and its kernel lives; else it is discarded."""
    if warm is None or warm.used:
        return None
    taken = warm.take(job.env)
    if taken is not None and await taken.alive():
        return taken
    await warm.discard()
    return None


async def _run_test_cell(
    client: _GradingClient,
    tests: TrustedTests,
    cell: Any,
    index: int,
    count: int,
    cell_timeout_s: float,
) -> None:
    """One test cell in the trusted test process; its outputs and status recorded here."""
    deadline = min(client.deadline, time.monotonic() + cell_timeout_s)
    status, outputs = await tests.run_test(
        cell.source, count=count, client=client, deadline=deadline
    )
    cell.outputs = []
    for out in outputs:
        node = nbformat.from_dict(out)
        if client.budget.take(node):
            cell.outputs.append(node)
        elif index not in client._truncation_marked:
            client._truncation_marked.add(index)
            cell.outputs.append(
                nbformat.v4.new_output("stream", name="stdout", text=TRUNCATION_NOTE)
            )
    if status == "timeout":
        client.timed_out.add(index)
        if not any(o.get("output_type") == "error" for o in cell.outputs):
            cell.outputs.append(
                nbformat.v4.new_output(
                    "error",
                    ename="CellTimeoutError",
                    evalue=f"the test ran longer than {cell_timeout_s:.0f} s",
                    traceback=[],
                )
            )
    client.replies[index] = "ok" if status == "ok" else "error"


async def execute_job(
    job: Job,
    *,
    workdir: Path,
    scratch: Path,
    private: Path | None = None,
    kernel_argv: list[str] | None = None,
    kernel_workdir: Path | None = None,
    tests_argv: list[str] | None = None,
    warm: WarmStart | None = None,
    kernel_zygote: str | None = None,
) -> RunOutput:
    """Run every notebook of `job`; never raises for student faults.

    `private` holds the graded notebooks (a notebook not found there is read
    from `workdir`: a job built without tests); `kernel_workdir` is where the
    kernel works (the sandbox gives it a writable copy of `workdir`). `warm`:
    a kernel and test process started before the job (first notebook only).
    `kernel_zygote`: the socket of a kernel server to fork kernels from (trusted mode,
    `gpu_runner.forked_kernel`).
    """
    started = time.monotonic()
    deadline = started + job.total_timeout_s
    budget = _OutputBudget(job.output_limit_bytes)
    start_dir, probe_dir = _folders(scratch)
    notebooks_dir = private or workdir
    kernel_home = kernel_workdir or workdir
    spec = _kernel_spec(kernel_argv, scratch, job.env)
    status = RunStatus.COMPLETED
    message = ""
    runs: list[NotebookRun] = []
    probe_runs: list[ProbeRun] = []
    for name in job.notebooks:
        nb_started = time.monotonic()
        source = notebooks_dir / name
        nb = nbformat.read(source if source.is_file() else workdir / name, as_version=4)
        if time.monotonic() >= deadline:
            client = _GradingClient(nb, budget=budget, deadline=deadline)
            runs.append(NotebookRun(name, nbformat.writes(nb), _cell_runs(nb, client, False)))
            status = RunStatus.TIMEOUT
            continue
        ready = await _take_warm(warm, job)
        km = ready.km if ready is not None else _kernel_manager(spec, kernel_zygote, nb)
        client = _GradingClient(
            nb,
            km=km,
            budget=budget,
            deadline=deadline,
            timeout=int(job.cell_timeout_s),
            startup_timeout=120,
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={
                "ename": "CellTimeoutError",
                "evalue": f"the cell ran longer than {job.cell_timeout_s:.0f} s",
                "traceback": [],
            },
            resources={"metadata": {"path": str(start_dir)}},
            record_timing=False,
        )
        tests = (
            ready.tests
            if ready is not None and ready.tests is not None
            else TrustedTests(
                argv=tests_argv or default_tests_argv(),
                env=tests_env(dict(os.environ)),
                cwd=str(workdir),
                zygote=kernel_zygote,
                preload=_notebook_imports(nb, "test") if kernel_zygote else (),
            )
        )
        # a warm kernel started before the files arrived: it copies them in itself
        copy_from = str(workdir) if ready is not None and kernel_workdir else None
        nb_probes = [p for p in job.probes if p.notebook == name]
        try:
            async with client.async_setup_kernel(cwd=str(start_dir)):
                setup = await run_in_kernel(
                    client,
                    kernel_setup_code(str(kernel_home), copy_from=copy_from),
                    min(deadline, time.monotonic() + KERNEL_SETUP_TIMEOUT_S),
                )
                if setup.get("timeout"):
                    raise RuntimeError("the kernel did not answer its setup")
                count = 0
                for index, cell in enumerate(nb.cells):
                    if time.monotonic() >= deadline:
                        status = RunStatus.TIMEOUT
                        message = f"the notebook ran longer than {job.total_timeout_s:.0f} s"
                        break
                    if cell.cell_type != "code":
                        continue
                    count += 1
                    role = cell_role(cell)
                    if role == "test":
                        await _run_test_cell(client, tests, cell, index, count, job.cell_timeout_s)
                        continue
                    await client.async_execute_cell(cell, index)
                    if role == "setup":
                        tests.add_setup(cell.source)
                if status is not RunStatus.TIMEOUT and nb_probes:
                    await _run_probes(client, nb_probes, workdir, probe_dir, probe_runs)
        except DeadKernelError:
            sig = _kernel_exit_signal(client)
            if sig == signal.SIGKILL:
                status, message = RunStatus.MEMORY, "the kernel was killed (memory limit exceeded)"
            else:
                status, message = (
                    RunStatus.KERNEL_DIED,
                    "the kernel died while running the notebook",
                )
        except RuntimeError as exc:  # kernel failed to start or to answer
            if "Kernel didn't respond" in str(exc) or "kernel" in str(exc).lower():
                status, message = RunStatus.KERNEL_DIED, f"the kernel stopped answering: {exc}"
            else:
                raise
        finally:
            await tests.close()
        done = {p.id for p in probe_runs}
        probe_runs += [
            ProbeRun(p.id, None, "the notebook did not finish")
            for p in nb_probes
            if p.id not in done
        ]
        runs.append(
            NotebookRun(
                name=name,
                notebook_json=nbformat.writes(nb),
                cells=_cell_runs(nb, client, True),
                runtime_s=round(time.monotonic() - nb_started, 3),
            )
        )
    return RunOutput(
        job_id=job.job_id,
        status=status,
        notebooks=tuple(runs),
        probes=tuple(probe_runs),
        message=message,
        output_truncated=budget.truncated,
        runtime_s=round(time.monotonic() - started, 3),
    )


def read_job(job_dir: Path) -> Job:
    spec = json.loads((job_dir / "job.json").read_text())
    return Job.from_spec_dict(spec, files={})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gpu_runner.executor", description=__doc__)
    parser.add_argument("--job", type=Path, required=True, help="folder with job.json and work/")
    parser.add_argument("--results", type=Path, required=True, help="folder for result.json")
    parser.add_argument("--scratch", type=Path, default=None, help="kernel HOME and temp files")
    parser.add_argument(
        "--kernel-argv", default=None, help="JSON list; {connection_file} is replaced"
    )
    parser.add_argument(
        "--kernel-workdir", type=Path, default=None, help="the kernel's working folder"
    )
    parser.add_argument("--tests-argv", default=None, help="JSON list: the trusted test process")
    parser.add_argument(
        "--wait-for-job",
        action="store_true",
        help="start the kernel first, then wait for JOB/ready (see gpu_runner.warm)",
    )
    parser.add_argument(
        "--kernel-env", default="{}", help="JSON: the job environment the warm kernel gets"
    )
    parser.add_argument(
        "--kernel-zygote",
        default=None,
        help="trusted mode: fork kernels from the kernel server on this socket",
    )
    args = parser.parse_args(argv)
    scratch = args.scratch or (args.job / "scratch")
    scratch.mkdir(parents=True, exist_ok=True)
    output = asyncio.run(_run(args, scratch))
    args.results.mkdir(parents=True, exist_ok=True)
    tmp = args.results / "result.json.tmp"
    tmp.write_text(output.to_json())
    tmp.replace(args.results / "result.json")
    return 0


async def _run(args: argparse.Namespace, scratch: Path) -> RunOutput:
    kernel_argv = json.loads(args.kernel_argv) if args.kernel_argv else None
    tests_argv = json.loads(args.tests_argv) if args.tests_argv else None
    warm: WarmStart | None = None
    if args.wait_for_job:
        try:
            warm = await prestart(
                workdir=args.job / "work",
                scratch=scratch,
                env=json.loads(args.kernel_env),
                kernel_argv=kernel_argv,
                tests_argv=tests_argv,
            )
        except Exception:  # the job's kernel then starts cold, as without a warm start
            warm = None
        await wait_for_job(args.job)
    job = read_job(args.job)
    try:
        return await execute_job(
            job,
            workdir=args.job / "work",
            scratch=scratch,
            private=args.job / "private",
            kernel_argv=kernel_argv,
            kernel_workdir=args.kernel_workdir,
            tests_argv=tests_argv,
            warm=warm,
            kernel_zygote=args.kernel_zygote,
        )
    except Exception as exc:  # an executor fault is ours, never the student's
        return RunOutput(
            job_id=job.job_id,
            status=RunStatus.INFRA_ERROR,
            message=f"executor error: {type(exc).__name__}: {exc}"[:1000],
        )
    finally:
        if warm is not None and not warm.used:
            await warm.discard()


if __name__ == "__main__":
    sys.exit(main())

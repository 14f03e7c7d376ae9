"""The one backend interface every runner implements."""

from __future__ import annotations

import io
import tarfile
from abc import ABC, abstractmethod
from pathlib import Path, PurePosixPath

from gpu_runner.job import Job, RunOutput


class RunnerUnavailable(RuntimeError):
    """The runner cannot work on this machine (no daemon, no image, no GPU)."""


class Runner(ABC):
    """Executes Jobs; knows nothing of scoring, gradebooks or GitHub.

    Lifecycle:

    1. ``prepare()`` once per batch, before any job: checks what can be checked
       once (daemon, image, kernel) and cleans leftovers of a crashed earlier
       run. Raises `RunnerUnavailable` when the runner cannot work here.
    2. ``run(job)`` per job, possibly from several threads at once. It returns
       a `RunOutput` for every outcome the student caused (timeouts, dead
       kernels, memory) and an ``infra_error`` output for faults of ours; it
       never raises for a student's notebook.
    3. ``close()`` once at the end; idempotent.

    ``expect(n)`` (optional, after ``prepare``) says how many jobs a batch will
    still send, so a runner that starts sandboxes ahead starts no more than that.

    A backend takes keyword-only options in ``__init__`` (so a Ray node can
    rebuild it, `gpu_runner.executors.recipe`) and is registered as an entry
    point of the ``gpu_runner.runners`` group (docs/runners.md).
    """

    #: short name used in results and on the command line
    name: str = "runner"
    #: False when student code can reach the host (trusted instructor checks only)
    sandboxed: bool = False

    def prepare(self) -> None:  # noqa: B027 - optional hook
        """Check the runner can work; default: nothing to check."""

    @abstractmethod
    def run(self, job: Job) -> RunOutput:
        """Execute `job` and return what happened."""

    def expect(self, jobs: int | None) -> None:  # noqa: B027 - optional hook
        """`jobs` more jobs will come (None: unknown); default: nothing to plan."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources; default: nothing to release."""

    def __enter__(self) -> Runner:
        self.prepare()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def safe_relpath(name: str) -> PurePosixPath:
    """A job file name as a relative path that cannot leave its folder."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(p in ("..", "") for p in path.parts):
        raise ValueError(f"unsafe path in job: {name!r}")
    return path


def write_job_files(job: Job, folder: Path, private: Path | None = None) -> None:
    """The kernel's files into `folder`; the private ones (graded notebooks) into `private`."""
    for files, root in ((job.files, folder), (job.private, private)):
        if root is None:
            continue
        root.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            target = root / safe_relpath(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def job_tar(job: Job, *, prefix: str, uid: int = 0, gid: int = 0) -> bytes:
    """The job folder as a tar, for copying into a container.

    ``job.json``; ``work/`` (readable by all: the kernel copies it); ``private/``
    (0700, files 0600: the graded notebooks, for the executor alone).
    """
    import json

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:

        def add(name: str, data: bytes, mode: int = 0o644) -> None:
            info = tarfile.TarInfo(f"{prefix}/{name}")
            info.size, info.mode, info.uid, info.gid = len(data), mode, uid, gid
            tar.addfile(info, io.BytesIO(data))

        add("job.json", json.dumps(job.spec_dict()).encode())
        dirs: set[str] = set()

        def add_dir(key: str, mode: int) -> None:
            if key not in dirs:
                dirs.add(key)
                info = tarfile.TarInfo(f"{prefix}/{key}")
                info.type, info.mode, info.uid, info.gid = tarfile.DIRTYPE, mode, uid, gid
                tar.addfile(info)

        add_dir("private", 0o700)
        for top, files, dir_mode, file_mode in (
            ("work", job.files, 0o755, 0o644),
            ("private", job.private, 0o700, 0o600),
        ):
            for name, data in sorted(files.items()):
                rel = safe_relpath(name)
                for parent in reversed(rel.parents[:-1] if len(rel.parts) > 1 else []):
                    add_dir(f"{top}/{parent}", dir_mode)
                add(f"{top}/{rel}", data, file_mode)
    return buf.getvalue()

"""Wait-for-job mode of the executor: everything that does not depend on the job, started first.

A sandbox container can be created and started before its job is known (the
Docker runner keeps a few ready while others run). Started with
``--wait-for-job``, the executor imports what it needs, starts the student's
kernel (as the kernel's user, from a neutral folder, nothing of any submission
in it) and the trusted test process, and then waits until the job's files
arrive: the runner copies them in with ``put_archive`` and adds `READY_MARKER`
as the archive's last member, so when the marker exists every file before it is
complete. Then the job runs exactly as in a cold start, in this container only;
a container never sees a second job.

The warm kernel is used only when it matches the job: the same environment it
was started with, and still alive. Otherwise it is shut down and the job's
kernel starts cold, as before; only the first notebook of a job gets the warm
kernel (the others start fresh, as always).
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: the last member of the job archive: its presence means the job's files are complete
READY_MARKER = "ready"
POLL_S = 0.02


@dataclass
class WarmStart:
    """A kernel (and trusted test process) started before the job arrived."""

    km: Any  # the kernel manager, its kernel started
    env: dict[str, str]  # the job environment the kernel was started for
    tests: Any | None = None  # gpu_runner.bridge.driver.TrustedTests, started
    used: bool = False
    seconds: dict[str, float] = field(default_factory=dict)

    def take(self, job_env: dict[str, str]) -> WarmStart | None:
        """This warm start for a job with `job_env`, once; None when it does not fit."""
        if self.used or job_env != self.env:
            return None
        self.used = True
        return self

    async def alive(self) -> bool:
        try:
            return bool(await self.km.is_alive())
        except Exception:  # a kernel manager that cannot tell: start cold
            return False

    async def discard(self) -> None:
        """Shut the unused kernel and test process down (the job starts cold)."""
        self.used = True
        try:
            await self.km.shutdown_kernel(now=True)
        except Exception:  # already gone
            pass
        if self.tests is not None:
            await self.tests.close()


async def wait_for_job(job_dir: Path, *, poll_s: float = POLL_S) -> float:
    """Block until the job's files are complete; the seconds waited."""
    started = time.monotonic()
    marker = job_dir / READY_MARKER
    while not os.path.exists(marker):
        await asyncio.sleep(poll_s)
    return time.monotonic() - started


__all__ = ["READY_MARKER", "WarmStart", "wait_for_job"]

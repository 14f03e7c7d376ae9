"""GPU slots: which job gets which GPU device ids.

Each GPU offers ``jobs_per_gpu`` slots. A job asking for a fraction of a GPU
(``Resources.gpus`` < 1) takes ``ceil(gpus * jobs_per_gpu)`` slots on one GPU,
so several small jobs share one card; a job asking for ``n`` >= 1 GPUs takes
``ceil(n)`` whole, otherwise idle cards. Small jobs go to the fullest GPU they
still fit on (best fit), which keeps whole cards free for big jobs.

A request that can never be met (more GPUs than the machine has) is refused at
once; a request that can be met later waits for running jobs to give theirs
back, up to an optional timeout. Nothing here waits forever for a GPU that
does not exist.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

#: environment override of the device list: "0,1", "GPU-uuid,...", or "none"
GPUS_ENV = "AUTOGRADER_GPUS"


class GpuRequestError(ValueError):
    """The request can never be met on this machine (too many GPUs asked for)."""


@dataclass(frozen=True)
class GpuLease:
    """GPUs handed to one job; give it back with `GpuSlots.release`."""

    device_ids: tuple[str, ...] = ()
    slots: int = 0
    #: the GPU may host other jobs at the same time (use memory growth, cap memory)
    shared: bool = False
    #: fraction of each GPU's memory this job may take (slots / jobs_per_gpu)
    memory_fraction: float = 1.0


class GpuSlots:
    """Thread-safe allocator of GPU slots over a fixed list of device ids."""

    def __init__(self, *, devices: Sequence[str], jobs_per_gpu: int = 1) -> None:
        if jobs_per_gpu < 1:
            raise ValueError(f"jobs_per_gpu must be >= 1, not {jobs_per_gpu}")
        if len(set(devices)) != len(devices):
            raise ValueError(f"duplicate GPU ids in {list(devices)}")
        self.devices: tuple[str, ...] = tuple(str(d) for d in devices)
        self.jobs_per_gpu = jobs_per_gpu
        self._free = {d: jobs_per_gpu for d in self.devices}
        self._cond = threading.Condition()

    def __len__(self) -> int:
        return len(self.devices)

    def free_slots(self) -> dict[str, int]:
        with self._cond:
            return dict(self._free)

    def slots_for(self, gpus: float) -> tuple[int, int]:
        """(number of GPUs, slots on each) a request for `gpus` GPUs takes."""
        if gpus <= 0:
            return 0, 0
        if gpus < 1:
            return 1, max(1, math.ceil(gpus * self.jobs_per_gpu - 1e-9))
        return math.ceil(gpus - 1e-9), self.jobs_per_gpu

    def check(self, gpus: float) -> None:
        """Raise `GpuRequestError` when `gpus` can never be granted here."""
        count, _ = self.slots_for(gpus)
        if count > len(self.devices):
            have = len(self.devices)
            raise GpuRequestError(
                f"the job needs {gpus:g} GPU(s) but this machine has {have}"
                + (" (no GPU found)" if not have else f": {', '.join(self.devices)}")
            )

    def _pick(self, count: int, slots: int) -> tuple[str, ...] | None:
        if count == 1 and slots < self.jobs_per_gpu:
            fits = [d for d in self.devices if self._free[d] >= slots]
            if not fits:
                return None
            # best fit: the fullest GPU that still has room; ties by device order
            return (min(fits, key=lambda d: (self._free[d], self.devices.index(d))),)
        idle = [d for d in self.devices if self._free[d] == self.jobs_per_gpu]
        return tuple(idle[:count]) if len(idle) >= count else None

    def try_acquire(self, gpus: float) -> GpuLease | None:
        """A lease now, or None when the GPUs are busy (never blocks)."""
        self.check(gpus)
        count, slots = self.slots_for(gpus)
        if count == 0:
            return GpuLease()
        with self._cond:
            return self._take(count, slots)

    def _take(self, count: int, slots: int) -> GpuLease | None:
        chosen = self._pick(count, slots)
        if chosen is None:
            return None
        for d in chosen:
            self._free[d] -= slots
        return GpuLease(
            device_ids=chosen,
            slots=slots,
            shared=slots < self.jobs_per_gpu,
            memory_fraction=round(slots / self.jobs_per_gpu, 4),
        )

    def acquire(self, gpus: float, *, timeout_s: float | None = None) -> GpuLease:
        """Wait for free slots; `TimeoutError` after `timeout_s` (None: until free)."""
        self.check(gpus)
        count, slots = self.slots_for(gpus)
        if count == 0:
            return GpuLease()
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._cond:
            while True:
                lease = self._take(count, slots)
                if lease is not None:
                    return lease
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"no free GPU for {gpus:g} GPU(s) within {timeout_s:g} s")
                self._cond.wait(remaining)

    def release(self, lease: GpuLease) -> None:
        if not lease.slots:  # nothing was taken from this allocator
            return
        with self._cond:
            for d in lease.device_ids:
                self._free[d] = min(self.jobs_per_gpu, self._free[d] + lease.slots)
            self._cond.notify_all()

    @contextmanager
    def lease(self, gpus: float, *, timeout_s: float | None = None) -> Iterator[GpuLease]:
        held = self.acquire(gpus, timeout_s=timeout_s)
        try:
            yield held
        finally:
            self.release(held)


def parse_devices(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """Device ids from an option or `AUTOGRADER_GPUS`; None means "detect"."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("", "none", "cpu"):
            return ()
        if text.lower() in ("auto", "detect"):
            return None
        return tuple(p.strip() for p in text.split(",") if p.strip())
    return tuple(str(v) for v in value)


def detect_gpus() -> tuple[str, ...]:
    """GPU indices on this machine: `AUTOGRADER_GPUS`, else nvidia-smi, else none."""
    env = parse_devices(os.environ.get(GPUS_ENV))
    if env is not None:
        return env
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return ()
    try:
        out = subprocess.run(
            [smi, "--query-gpu=index", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError):
        return ()
    return tuple(line.strip() for line in out.splitlines() if line.strip().isdigit())


__all__ = [
    "GPUS_ENV",
    "GpuLease",
    "GpuRequestError",
    "GpuSlots",
    "detect_gpus",
    "parse_devices",
]

"""Sandboxes started ahead of need: each handed out once, never reused.

A container's start (create, copy in, start, the interpreter's imports, the
kernel's boot) does not depend on the job it will run, so a `WarmPool` does it
in a background thread while other jobs run, and hands each started item to
exactly one job. The runner (or evaluator) gives the pool three things: how
to start an item of a *key* (image and resources: what a container is fixed
with at creation), how to discard one, and how many may exist at once for a
key (capped by memory, cores and GPUs). Keys are learnt from `take`: the pool
keeps ``idle`` items ready for every key it was asked for, up to that cap
counting the items in use.

An item's removal after its job is handed to the same background work
(`retire`), so the grading thread is free as soon as the result is out.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from gpu_runner.job import Resources

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

#: after a failed start, wait this long before trying that key again
RETRY_S = 2.0


@dataclass
class PoolStats:
    """What the pool did: hits (a job got a started item), misses (it started its own)."""

    hits: int = 0
    misses: int = 0
    started: int = 0
    failed: int = 0
    discarded: int = 0
    start_s: list[float] = field(default_factory=list)


class WarmPool(Generic[K, T]):
    """Items started in the background, per key; each `take` hands one out, once."""

    def __init__(
        self,
        *,
        start: Callable[[K], T | None],
        discard: Callable[[T], None],
        limit: Callable[[K], int],
        idle: int = 1,
        keys: int = 1,
        name: str = "warm-pool",
    ) -> None:
        self._start = start
        self._discard = discard
        self._limit = limit
        self.idle = idle
        #: how many keys are kept warm: the most recently asked for (a server grading
        #: week after week keeps only the current week's kind started)
        self.keys = keys
        self.name = name
        self.stats = PoolStats()
        self._ready: dict[K, list[T]] = {}
        self._starting: Counter[K] = Counter()
        self._in_use: Counter[K] = Counter()
        self._wanted: list[K] = []
        self._blocked_until: dict[K, float] = {}
        self._expected: int | None = None
        self._retiring: list[Callable[[], None]] = []
        self._cond = threading.Condition()
        self._closed = False
        self._threads: list[threading.Thread] = []

    # -- the job's side --------------------------------------------------------------
    def expect(self, jobs: int | None) -> None:
        """`jobs` more will come (a batch's size): start no more ahead than that.

        None: unknown (a server): keep `idle` ready for as long as the pool lives."""
        with self._cond:
            self._expected = jobs
            self._cond.notify_all()

    def want(self, key: K) -> None:
        """Start items of `key` ahead now, before the first `take` asks for one."""
        with self._cond:
            if self._closed:
                return
            dropped = self._prefer(key)
            self._ensure_threads()
            self._cond.notify_all()
        self._discard_all(dropped)

    def _prefer(self, key: K) -> list[T]:
        """`key` first among the wanted; keys beyond `keys` dropped, their ready items out."""
        if key in self._wanted:
            self._wanted.remove(key)
        self._wanted.insert(0, key)
        dropped: list[T] = []
        for old in self._wanted[self.keys :]:
            dropped += self._ready.pop(old, [])
        del self._wanted[self.keys :]
        return dropped

    def _discard_all(self, items: list[T]) -> None:
        for item in items:
            self.stats.discarded += 1
            try:
                self._discard(item)
            except Exception:  # cleanup must never stop a job
                log.exception("%s: discarding a ready item failed", self.name)

    def take(self, key: K) -> T | None:
        """A started item of `key` (now counted in use), or None: the caller starts its own.

        Either way the caller must call `done(key)` when its job is over, and the
        pool starts a replacement in the background."""
        with self._cond:
            if self._closed:
                return None
            self._ensure_threads()
            dropped = self._prefer(key)
            ready = self._ready.get(key)
            item = ready.pop(0) if ready else None
            self._in_use[key] += 1
            if self._expected is not None:
                self._expected = max(0, self._expected - 1)
            if item is None:
                self.stats.misses += 1
            else:
                self.stats.hits += 1
            self._cond.notify_all()
        self._discard_all(dropped)
        return item

    def done(self, key: K, retire: Callable[[], None] | None = None) -> None:
        """The job of `key` is over; `retire` (its cleanup) runs in the background."""
        with self._cond:
            self._in_use[key] -= 1
            if retire is not None:
                if self._closed:
                    run_now = retire
                else:
                    self._retiring.append(retire)
                    run_now = None
            else:
                run_now = None
            self._cond.notify_all()
        if run_now is not None:
            run_now()

    def ready_count(self, key: K) -> int:
        with self._cond:
            return len(self._ready.get(key, ()))

    def wait_ready(self, key: K, count: int, timeout: float) -> bool:
        """Block until `count` items of `key` are ready (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            if key not in self._wanted:
                self._prefer(key)
            self._ensure_threads()
            self._cond.notify_all()
            while len(self._ready.get(key, ())) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    # -- background -------------------------------------------------------------------
    def _ensure_threads(self) -> None:
        if not self._threads:
            for role in ("start", "retire"):
                thread = threading.Thread(
                    target=self._loop, args=(role,), name=f"{self.name}-{role}", daemon=True
                )
                self._threads.append(thread)
                thread.start()

    def _next_key(self) -> K | None:
        now = time.monotonic()
        if self._expected is not None:  # a batch: no more ahead than jobs still to come
            ahead = sum(len(v) for v in self._ready.values()) + sum(self._starting.values())
            if ahead >= self._expected:
                return None
        for key in self._wanted:
            if self._blocked_until.get(key, 0.0) > now:
                continue
            ready, starting = len(self._ready.get(key, ())), self._starting[key]
            if ready + starting >= self.idle:
                continue
            if ready + starting + self._in_use[key] >= self._limit(key):
                continue
            return key
        return None

    def _loop(self, role: str) -> None:
        while True:
            with self._cond:
                while True:
                    if self._closed and (role == "start" or not self._retiring):
                        return
                    if role == "retire" and self._retiring:
                        work: Callable[[], None] = self._retiring.pop(0)
                        key = None
                        break
                    if role == "start" and not self._closed:
                        key = self._next_key()
                        if key is not None:
                            self._starting[key] += 1
                            break
                    self._cond.wait(0.5)
            if role == "retire":
                try:
                    work()
                except Exception:  # cleanup must never stop the pool
                    log.exception("%s: cleanup failed", self.name)
                continue
            assert key is not None
            self._start_one(key)

    def _start_one(self, key: K) -> None:
        started = time.monotonic()
        try:
            item = self._start(key)
        except Exception as exc:  # a start of ours failed: try again a little later
            log.warning("%s: starting ahead failed: %s", self.name, exc)
            item = None
        with self._cond:
            self._starting[key] -= 1
            if item is None:
                self.stats.failed += 1
                self._blocked_until[key] = time.monotonic() + RETRY_S
                self._cond.notify_all()
                return
            self.stats.started += 1
            self.stats.start_s.append(round(time.monotonic() - started, 3))
            if not self._closed and key in self._wanted:
                self._ready.setdefault(key, []).append(item)
                self._cond.notify_all()
                return
        self.stats.discarded += 1
        self._discard(item)

    def close(self) -> None:
        """Discard every ready item, finish pending cleanups, stop the threads."""
        with self._cond:
            self._closed = True
            ready = [item for items in self._ready.values() for item in items]
            self._ready.clear()
            self._cond.notify_all()
        for item in ready:
            self.stats.discarded += 1
            try:
                self._discard(item)
            except Exception:  # closing must not fail a batch
                log.exception("%s: discarding a ready item failed", self.name)
        for thread in self._threads:
            thread.join(timeout=120)
        with self._cond:
            left, self._retiring = self._retiring, []
        for work in left:
            try:
                work()
            except Exception:
                log.exception("%s: cleanup failed", self.name)
        with self._cond:
            self._threads = []
            self._closed = False
            self._expected = None


def machine_limits() -> tuple[int, int]:
    """(cores, memory MB) of this machine."""
    cores = os.cpu_count() or 1
    try:
        memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError):
        memory_mb = 4096
    return cores, int(memory_mb)


def warm_limit(
    resources: Resources,
    *,
    cores: int,
    memory_mb: int,
    gpu_slots: int,
    idle: int,
    memory_share: float = 0.8,
) -> int:
    """How many containers of `resources` may exist at once (running and started ahead).

    Memory: their caps together within `memory_share` of the machine's. Cores:
    as many running as the cores hold, plus `idle` waiting (a waiting container
    sleeps). GPUs: no more than the slots (a started container holds its lease).
    """
    by_memory = int(memory_mb * memory_share) // max(resources.memory_mb, 1)
    by_cores = max(1, int(cores // max(resources.cpus, 0.01))) + idle
    limit = min(by_memory, by_cores)
    if resources.gpus > 0:
        limit = min(limit, gpu_slots)
    return max(1, limit)


__all__ = ["PoolStats", "WarmPool", "machine_limits", "warm_limit"]

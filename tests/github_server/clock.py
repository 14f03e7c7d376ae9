"""A clock the test controls, shared by the server (push times) and the client (pacing)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class SimClock:
    """Epoch seconds that move only when told to; `sleep` advances instead of waiting."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime(2026, 9, 1, tzinfo=UTC)).timestamp()
        self._lock = threading.Lock()
        self.slept = 0.0

    def time(self) -> float:
        with self._lock:
            return self._now

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)
            self.slept += max(0.0, seconds)

    def advance(self, seconds: float = 0, **kwargs: float) -> None:
        delta = seconds + timedelta(**kwargs).total_seconds()
        with self._lock:
            self._now += delta

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when.timestamp()

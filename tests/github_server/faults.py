"""Injectable faults: which requests fail, and how."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})

# kind -> (status, message, headers factory(now) )
SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
PRIMARY = "API rate limit exceeded for user ID 1."


@dataclass
class Fault:
    """Fail matching requests.

    kind: "secondary" (403 secondary limit), "primary" (403 with x-ratelimit-remaining 0),
    "429", "502", "timeout" (the server answers only after `delay` seconds); a
    comma-separated list cycles through the kinds, one per failure; ``kind:N`` sends
    ``Retry-After: N`` with that one.
    `retry_after`: seconds for a Retry-After header (None: no header).
    `every`: fail every n-th matching request; `times`: stop after this many failures.
    `after_effect`: perform the request, then fail its response (the write happened).
    """

    kind: str
    methods: frozenset[str] = WRITE_METHODS
    path: str = ".*"
    every: int = 1
    times: int = 1
    retry_after: int | None = None
    after_effect: bool = False
    delay: float = 2.0
    seen: int = 0
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.fired >= self.times or method not in self.methods:
            return False
        if not re.search(self.path, path):
            return False
        self.seen += 1
        if self.seen % self.every:
            return False
        self.fired += 1
        return True


@dataclass
class Faults:
    rules: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, **kwargs: object) -> Fault:
        fault = Fault(kind=kind, **kwargs)  # type: ignore[arg-type]
        with self.lock:
            self.rules.append(fault)
        return fault

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def pick(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    return rule
        return None


def fault_response(fault: Fault, now: float) -> tuple[int, dict[str, str], dict[str, str]]:
    """(status, headers, body) for a fault; a timeout sleeps in the server thread first."""
    kinds = fault.kind.split(",")
    kind, _, after = kinds[(fault.fired - 1) % len(kinds)].partition(":")
    retry_after = after or (None if fault.retry_after is None else str(fault.retry_after))
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    if kind == "secondary":
        return 403, headers, {"message": SECONDARY}
    if kind == "primary":
        headers.update({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(now) + 30)})
        return 403, headers, {"message": PRIMARY}
    if kind == "429":
        return 429, headers, {"message": SECONDARY}
    if kind == "502":
        return 502, headers, {"message": "Server Error"}
    if kind == "timeout":
        time.sleep(fault.delay)
        return 504, headers, {"message": "too slow"}
    raise ValueError(f"unknown fault kind {kind!r}")

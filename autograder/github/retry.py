"""Backoff for GitHub's rate limits and transient failures, for every verb (PATCH included).

PyGithub's own retry is switched off (it skips PATCH and sleeps on the real clock);
this policy honours ``retry-after`` and ``x-ratelimit-reset`` on 403 and 429, waits
a minute on a secondary limit without either, and backs off exponentially on 5xx and
timeouts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
from github import GithubException, RateLimitExceededException

from autograder.errors import GitHubError
from autograder.github.clock import Clock

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_tries: int = 8
    secondary_wait: float = 60.0
    base_delay: float = 1.0
    max_delay: float = 15 * 60.0


def _header(exc: GithubException, name: str) -> str | None:
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    return headers.get(name)


def _is_rate_limit(exc: GithubException) -> bool:
    if isinstance(exc, RateLimitExceededException) or exc.status == 429:
        return True
    if exc.status == 403:
        message = (
            str((exc.data or {}).get("message", "")).lower() if isinstance(exc.data, dict) else ""
        )
        return (
            _header(exc, "retry-after") is not None
            or _header(exc, "x-ratelimit-remaining") == "0"
            or "rate limit" in message
        )
    return False


def transient_delay(
    exc: BaseException, attempt: int, *, now: float, policy: RetryPolicy
) -> float | None:
    """Seconds to wait before trying again, or None when the error is not transient."""
    backoff = policy.base_delay * (2**attempt)
    if isinstance(exc, GithubException):
        if _is_rate_limit(exc):
            retry_after = _header(exc, "retry-after")
            if retry_after is not None:
                try:
                    return max(0.0, float(retry_after))
                except ValueError:
                    pass
            reset = _header(exc, "x-ratelimit-reset")
            if _header(exc, "x-ratelimit-remaining") == "0" and reset is not None:
                return max(0.0, float(reset) - now) + 1.0
            return policy.secondary_wait * (2**attempt)
        if exc.status >= 500:
            return backoff
        return None
    if isinstance(exc, requests.exceptions.Timeout | requests.exceptions.ConnectionError):
        return backoff
    return None


def with_retries(
    fn: Callable[[], T],
    *,
    clock: Clock,
    policy: RetryPolicy,
    before_try: Callable[[], None] | None = None,
    what: str = "GitHub request",
) -> T:
    """Run an idempotent call, waiting out rate limits and transient failures."""
    for attempt in range(policy.max_tries):
        if before_try is not None:
            before_try()
        try:
            return fn()
        except (GithubException, requests.exceptions.RequestException) as exc:
            delay = transient_delay(exc, attempt, now=clock.time(), policy=policy)
            if delay is None:
                raise
            if delay > policy.max_delay or attempt == policy.max_tries - 1:
                raise GitHubError(
                    f"{what}: gave up after {attempt + 1} tries: {describe(exc)}"
                ) from exc
            clock.sleep(delay)
    raise AssertionError("unreachable")


def describe(exc: BaseException) -> str:
    if isinstance(exc, GithubException):
        message = exc.data.get("message") if isinstance(exc.data, dict) else exc.data
        return f"HTTP {exc.status}: {message}"
    return f"{type(exc).__name__}: {exc}"

"""Connecting to GitHub: token, base URL, and the one object every operation uses.

The token comes from ``GITHUB_TOKEN`` or ``course.config.github.token_file`` and is
never logged or put in an error message. ``api_url`` selects GitHub Enterprise
(``https://HOST/api/v3``) or a test server.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import github
from github import Github
from sqlalchemy import Engine

from autograder.course import Course
from autograder.errors import ConfigError
from autograder.github.clock import Clock, RealClock
from autograder.github.pacing import PaceLimits, WritePacer
from autograder.github.retry import RetryPolicy, with_retries
from autograder.github.store import SCHEMAS, WriteLog
from autograder.workspace_db import workspace_engine

T = TypeVar("T")
TOKEN_ENV = "GITHUB_TOKEN"


def read_token(course: Course, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    token = env.get(TOKEN_ENV, "").strip()
    if token:
        return token
    token_file = course.config.github.token_file
    if token_file:
        path = Path(token_file).expanduser()
        path = path if path.is_absolute() else course.root / path
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"course.toml: github.token_file: cannot read {path}: {exc.strerror}"
            ) from None
        if token:
            return token
        raise ConfigError(f"course.toml: github.token_file: {path} is empty")
    raise ConfigError(f"no GitHub token: set {TOKEN_ENV} or github.token_file in course.toml")


def make_github(*, api_url: str, token: str, timeout: int = 15) -> Github:
    """A PyGithub client with its own retry and throttle off (`GitHub` does both); lazy objects
    so that building a repo or issue costs no request."""
    return Github(
        auth=github.Auth.Token(token),
        base_url=api_url.rstrip("/"),
        timeout=timeout,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
        per_page=100,
        lazy=True,
    )


@dataclass
class GitHub:
    """PyGithub plus the course's org, a clock, retries and write pacing."""

    gh: Github
    org: str
    clock: Clock
    engine: Engine
    pacer: WritePacer
    policy: RetryPolicy = field(default_factory=RetryPolicy)

    def read(self, fn: Callable[[], T], what: str = "GitHub read") -> T:
        return with_retries(fn, clock=self.clock, policy=self.policy, what=what)

    def write(self, fn: Callable[[], T], what: str = "GitHub write") -> T:
        """An idempotent write (PUT, PATCH, content-addressed POST), paced and retried."""
        return with_retries(
            fn, clock=self.clock, policy=self.policy, before_try=self.pacer.acquire, what=what
        )

    def api(
        self, verb: str, url: str, *, params: dict[str, Any] | None = None, body: Any = None
    ) -> tuple[dict[str, Any], Any]:
        """An endpoint PyGithub lacks, through its public requester (no retry here)."""
        return self.gh.requester.requestJsonAndCheck(verb, url, parameters=params, input=body)


def connect(
    course: Course,
    *,
    token: str | None = None,
    clock: Clock | None = None,
    limits: PaceLimits | None = None,
    policy: RetryPolicy | None = None,
    timeout: int = 15,
    env: Mapping[str, str] | None = None,
) -> GitHub:
    settings = course.config.github
    if not settings.org:
        raise ConfigError("course.toml: github.org is not set")
    clock = clock or RealClock()
    engine = workspace_engine(course.db_url, *SCHEMAS)
    log = WriteLog(engine)
    pacer = WritePacer(
        clock=clock,
        limits=limits or PaceLimits(),
        history=log.recent(clock.time()),
        on_write=log.record,
    )
    gh = make_github(
        api_url=settings.api_url, token=token or read_token(course, env), timeout=timeout
    )
    return GitHub(
        gh=gh,
        org=settings.org,
        clock=clock,
        engine=engine,
        pacer=pacer,
        policy=policy or RetryPolicy(),
    )

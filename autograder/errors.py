"""One exception tree. Student faults become feedback; system faults are ours.

Exit codes of the CLI (documented in docs/cli.md):
0 ok · 1 some submissions failed (infrastructure) · 2 bad usage or configuration
· 3 a runner is unavailable · 4 stale release (``release --check``).
"""

from __future__ import annotations


class AutograderError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = 1


class ConfigError(AutograderError):
    """A configuration file or argument is wrong; the message names file and key."""

    exit_code = 2


class CourseError(AutograderError):
    """The course folder is not laid out as expected (missing week, notebook...)."""

    exit_code = 2


class ReleaseError(AutograderError):
    """nbgrader could not generate the student version."""

    exit_code = 2


class StaleReleaseError(AutograderError):
    """A committed release differs from what the sources generate now."""

    exit_code = 4


class SubmissionError(AutograderError):
    """The student's submission is unusable; becomes a problem in the result."""


class InfrastructureError(AutograderError):
    """A fault of ours (runner, daemon, disk); never charged to the student."""


class RunnerUnavailableError(InfrastructureError):
    """The chosen runner cannot work on this machine."""

    exit_code = 3


class GitHubError(InfrastructureError):
    """GitHub refused or failed after retries."""


class ManualGradeError(AutograderError):
    """A hand grade cannot be entered (no such submission or cell, points out of range)."""

    exit_code = 2


class GitHubUnavailable(GitHubError):
    """GitHub cannot be used right now: unreachable, or a rate limit is exhausted.

    `wait_s` is how long GitHub asked us to wait (None: unknown, back off)."""

    def __init__(self, message: str, *, wait_s: float | None = None) -> None:
        super().__init__(message)
        self.wait_s = wait_s

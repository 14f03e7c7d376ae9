"""A GitHub-compatible HTTP server for the tests: real HTTP on 127.0.0.1, real git repos.

PyGithub talks to it with ``base_url=server.api_url`` (``http://127.0.0.1:PORT/api/v3``).
"""

from .clock import SimClock
from .faults import Fault, Faults
from .gitstore import BareRepo, StudentClone
from .server import GitHubTestServer
from .state import Activity, Issue, Repo

__all__ = [
    "Activity",
    "BareRepo",
    "Fault",
    "Faults",
    "GitHubTestServer",
    "Issue",
    "Repo",
    "SimClock",
    "StudentClone",
]

"""pytest fixtures: import them into a test module (``from github_server.fixtures import *``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .clock import SimClock
from .server import GitHubTestServer


@pytest.fixture
def sim_clock() -> SimClock:
    return SimClock()


@pytest.fixture
def github_server(tmp_path: Path, sim_clock: SimClock) -> Iterator[GitHubTestServer]:
    server = GitHubTestServer(tmp_path / "github", clock=sim_clock).start()
    try:
        yield server
    finally:
        server.stop()


__all__ = ["github_server", "sim_clock"]

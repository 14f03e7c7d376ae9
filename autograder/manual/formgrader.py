"""nbgrader's formgrader on this course, on 127.0.0.1 only, behind a token.

`formgrader_launch` writes ``<workspace>/formgrader/nbgrader_config.py`` from the
adapter's settings (`nbgrader_adapter.nbgrader_config_file`) and says how to start
``jupyter server`` with the formgrader extension: bound to the loopback interface,
no browser, the token in the environment (``JUPYTER_TOKEN``, never on the command
line where other users' ``ps`` sees it), and the generated folder as both the
working and the Jupyter configuration folder, so no stray ``nbgrader_config.py``
of the instructor's changes where formgrader looks.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import Course
from autograder.nbgrader_adapter import nbgrader_config_file
from autograder.nbgrader_db import prime_nbgrader_db

HOST = "127.0.0.1"
TOKEN_ENV = "AUTOGRADER_FORMGRADER_TOKEN"


@dataclass(frozen=True)
class FormgraderLaunch:
    """How to start the server: plain data, started by `start_formgrader` or the CLI."""

    argv: tuple[str, ...]
    env: dict[str, str] = field(repr=False)
    cwd: Path
    port: int
    token: str = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/formgrader?token={self.token}"


def formgrader_dir(course: Course) -> Path:
    return course.workspace / "formgrader"


def formgrader_launch(
    course: Course, *, port: int, token: str | None = None, base_env: dict[str, str] | None = None
) -> FormgraderLaunch:
    """Write the generated configuration; the command that serves formgrader on `port`."""
    folder = formgrader_dir(course)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    exchange = folder / "exchange"
    exchange.mkdir(exist_ok=True)
    (folder / "nbgrader_config.py").write_text(
        nbgrader_config_file(course, exchange=exchange), encoding="utf-8"
    )
    course.workspace.mkdir(parents=True, exist_ok=True)
    prime_nbgrader_db(course.db_url)
    chosen = token or os.environ.get(TOKEN_ENV) or secrets.token_urlsafe(32)
    env = dict(os.environ if base_env is None else base_env)
    env.update(
        JUPYTER_TOKEN=chosen,
        JUPYTER_CONFIG_DIR=str(folder),
        JUPYTER_RUNTIME_DIR=str(folder / "runtime"),
    )
    argv = (
        sys.executable,
        "-m",
        "jupyter_server",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.open_browser=False",
        f"--ServerApp.root_dir={course.root}",
        "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.formgrader': True}",
        *(("--ServerApp.allow_root=True",) if hasattr(os, "geteuid") and os.geteuid() == 0 else ()),
    )
    return FormgraderLaunch(argv=argv, env=env, cwd=folder, port=port, token=chosen)


def start_formgrader(
    launch: FormgraderLaunch, *, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start the server in the background (tests, scripts); the caller stops it."""
    out = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        list(launch.argv), env=launch.env, cwd=launch.cwd, stdout=out, stderr=subprocess.STDOUT
    )

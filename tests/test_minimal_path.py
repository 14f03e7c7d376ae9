"""The console script started by absolute path with a minimal PATH (systemd, cron, pipx):
nbgrader would run `alembic` from PATH for every new gradebook; the grader stamps the
database itself, with the head revision of nbgrader's own migrations."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sysconfig
from pathlib import Path

import pytest

from autograder.nbgrader_db import nbgrader_alembic_head, prime_nbgrader_db

MINIMAL_PATH = "/usr/bin:/bin"


def console_script() -> Path:
    script = Path(sysconfig.get_path("scripts")) / "autograder"
    if not script.exists():
        pytest.fail(f"the console script is not installed at {script} (pip install -e .)")
    return script


def test_demo_runs_from_an_absolute_path_without_the_environment_on_path(tmp_path: Path) -> None:
    assert shutil.which("alembic", path=MINIMAL_PATH) is None  # else the test proves nothing
    env = {"HOME": str(tmp_path), "PATH": MINIMAL_PATH, "LANG": "C"}
    if "PYTHONPATH" in os.environ:  # the checkout under test, when it is not the installed one
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    out = tmp_path / "demo"
    proc = subprocess.run(
        [str(console_script()), "demo", "--out", str(out), "--runner", "process"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    assert len(list((out / ".autograder" / "feedback").rglob("*.md"))) == 8  # 4 x demo01, demo02
    with sqlite3.connect(out / ".autograder" / "gradebook.db") as db:
        assert db.execute("select version_num from alembic_version").fetchall() == [
            (nbgrader_alembic_head(),)
        ]


def test_the_stamp_is_what_nbgraders_alembic_reports(tmp_path: Path) -> None:
    alembic = Path(sysconfig.get_path("scripts")) / "alembic"
    from nbgrader.dbutil import _temp_alembic_ini

    with _temp_alembic_ini(f"sqlite:///{tmp_path}/x.db") as ini:
        heads = subprocess.check_output([str(alembic), "-c", ini, "heads"], cwd=tmp_path)
    assert heads.decode().split()[0] == nbgrader_alembic_head()
    url = f"sqlite:///{tmp_path}/gb.db"
    prime_nbgrader_db(url)
    prime_nbgrader_db(url)  # a database with tables is left alone
    with sqlite3.connect(tmp_path / "gb.db") as db:
        assert db.execute("select * from alembic_version").fetchall() == [
            (heads.decode().split()[0],)
        ]

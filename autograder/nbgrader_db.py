"""nbgrader's gradebook database, made ready without running `alembic` from PATH.

nbgrader's `Gradebook` stamps a brand-new database with its schema version by running
the ``alembic`` command found on ``PATH`` (``nbgrader.api.get_alembic_version``), which
fails when the console script is started by absolute path (systemd, cron, pipx) with
no environment on ``PATH``. nbgrader only does that for a database without tables, so
every database the grader opens is stamped first here, with the head revision read
from nbgrader's own migration scripts through alembic's Python API: the same row
nbgrader would write, no subprocess.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Engine, create_engine, inspect, text


@cache
def nbgrader_alembic_head() -> str:
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    head = ScriptDirectory(ALEMBIC_DIR).get_current_head()
    if head is None:  # pragma: no cover - nbgrader always ships its migrations
        raise RuntimeError("nbgrader's alembic migrations have no head revision")
    return head


def prime_nbgrader_db(target: Engine | str) -> None:
    """Stamp an empty database with nbgrader's schema version (no-op when it has tables)."""
    engine = create_engine(target, future=True) if isinstance(target, str) else target
    if inspect(engine).get_table_names():
        return
    head = nbgrader_alembic_head()
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": head})
    if isinstance(target, str):
        engine.dispose()

"""The workspace database: one engine per URL, shared by every store.

The gradebook (ours and nbgrader's tables), the GitHub side (outbox, write log), the
continuous queue and the similarity reviews all live in one database, named by
``Course.db_url`` (SQLite in the workspace by default; any SQLAlchemy URL, e.g.
``postgresql+psycopg://...`` when several graders share it). They all open it here:

- one `Engine` per URL per process, so connection pools and SQLite settings agree;
- nbgrader's schema stamp is written before any table of ours exists (nbgrader
  stamps only an empty database, and otherwise runs ``alembic`` from ``PATH``);
- each store names its tables (a `Schema`) when it opens the engine; the first time on
  that engine they are created (``checkfirst``: an existing database is only ever
  added to) and the schema's upgrades run. A reader that only reads (the reports)
  names none, so it never creates another store's tables.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a commit costs ~0.1 ms instead of an
fsync, and survives the process being killed (only a power cut can lose the last
commits; every GitHub write in flight is reconciled by its marker, and a result whose
``ag_result`` row is lost is graded again).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url

from autograder.nbgrader_db import prime_nbgrader_db

Upgrade = Callable[[Engine], None]


@dataclass(frozen=True, eq=False)
class Schema:
    """A store's tables, and the upgrades that bring an older database to them.

    An upgrade runs once per engine, after the tables are created; it must be
    idempotent (it runs again in every new process).
    """

    metadata: MetaData
    upgrades: tuple[Upgrade, ...] = ()


_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_ready: dict[str, set[int]] = {}  # url -> ids of the schemas applied on its engine


def workspace_engine(url: str, *schemas: Schema) -> Engine:
    """The engine for `url`, with the tables (and upgrades) of `schemas` applied."""
    with _lock:
        engine = _engines.get(url)
        if engine is not None and _file_gone(url):
            engine.dispose()  # the workspace was removed under us: start afresh
            engine = None
        if engine is None:
            engine = _open(url)
            _engines[url] = engine
            _ready[url] = set()
        done = _ready[url]
        for schema in schemas:
            if id(schema) in done:
                continue
            schema.metadata.create_all(engine, checkfirst=True)
            for upgrade in schema.upgrades:
                upgrade(engine)
            done.add(id(schema))
        return engine


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _file_gone(url: str) -> bool:
    path = _sqlite_file(url)
    return path is not None and not path.exists()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _open(url: str) -> Engine:
    path = _sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if make_url(url).drivername.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    prime_nbgrader_db(engine)
    return engine

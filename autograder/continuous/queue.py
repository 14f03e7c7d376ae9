"""The persistent work queue: one row per (week, login), coalescing every push into it.

A push never creates a second job for the same student: it moves the row's due
time (a trailing debounce, capped so a student who pushes non-stop is still
graded), never earlier than the per-student rate limit allows. A push that
arrives while the student's job runs sets ``again``, and the job is queued once
more when it finishes. Rows live in the workspace database, so a restart picks
up where it stopped (`recover` hands back rows a crash left ``running``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from autograder.continuous.store import deliveries, jobs, marks
from autograder.github.repos import RepoStore, StudentRepo

IDLE, PENDING, RUNNING, FAILED = "idle", "pending", "running", "failed"
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Job:
    week: str
    login: str
    repo: str
    repo_id: int
    default_branch: str
    state: str
    sha: str | None
    received_at: float | None
    due_at: float
    pushes: int
    runs: int
    attempts: int
    last_run_at: float | None
    graded_sha: str | None
    final_done: bool
    last_error: str | None

    @property
    def target(self) -> StudentRepo:
        return StudentRepo(self.week, self.login, self.repo, self.repo_id, self.default_branch)


def _job(row: object) -> Job:
    r = row._mapping  # type: ignore[attr-defined]
    return Job(
        r["week"],
        r["login"],
        r["repo"],
        r["repo_id"],
        r["default_branch"],
        r["state"],
        r["sha"],
        r["received_at"],
        r["due_at"],
        r["pushes"],
        r["runs"],
        r["attempts"],
        r["last_run_at"],
        r["graded_sha"],
        bool(r["final_done"]),
        r["last_error"],
    )


class WorkQueue:
    def __init__(self, engine: Engine, *, debounce_s: float = 30.0, max_wait_s: float = 300.0):
        self.engine = engine
        # the student repos and their reconciliation cursors (same database, own table)
        self.repos = RepoStore(engine)
        self.debounce_s = debounce_s
        self.max_wait_s = max_wait_s

    # -- deliveries -------------------------------------------------------------------
    def record_delivery(
        self, delivery_id: str, *, event: str, now: float, repo: str | None, outcome: str
    ) -> bool:
        """Remember a delivery id; False when it was seen before (a redelivery)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(deliveries).values(
                        delivery_id=delivery_id,
                        event=event,
                        received_at=now,
                        repo=repo,
                        outcome=outcome[:200],
                    )
                )
        except IntegrityError:
            return False
        return True

    def delivery_count(self) -> int:
        with self.engine.begin() as conn:
            return int(conn.execute(select(func.count()).select_from(deliveries)).scalar_one())

    # -- pushes -----------------------------------------------------------------------
    def _due(self, *, now: float, first: float, last_run: float | None, interval: float) -> float:
        due = min(now + self.debounce_s, first + self.max_wait_s)
        if last_run is not None:
            due = max(due, last_run + interval)
        return due

    def push(
        self,
        target: StudentRepo,
        *,
        sha: str | None,
        received_at: float,
        now: float,
        min_interval_s: float = 0.0,
        not_before: float | None = None,
    ) -> Job:
        """Fold one push into the student's row; returns the row as it is now."""
        key = (jobs.c.week == target.week, jobs.c.login == target.login)
        with self.engine.begin() as conn:
            row = conn.execute(select(jobs).where(*key)).first()
            common = dict(
                repo=target.full_name,
                repo_id=target.repo_id,
                default_branch=target.default_branch,
                min_interval_s=min_interval_s,
            )
            if row is not None and row.received_at is not None and sha is not None:
                if sha == row.sha and received_at <= row.received_at:
                    return _job(row)  # the same push again (webhook, then reconciliation)
            if row is None:
                due = self._due(now=now, first=now, last_run=None, interval=min_interval_s)
                if not_before is not None:
                    due = max(due, not_before)
                conn.execute(
                    insert(jobs).values(
                        week=target.week,
                        login=target.login,
                        state=PENDING,
                        sha=sha,
                        received_at=received_at,
                        first_push_at=now,
                        due_at=due,
                        again=False,
                        pushes=1,
                        runs=0,
                        attempts=0,
                        final_done=False,
                        **common,
                    )
                )
            elif row.state == RUNNING:
                conn.execute(
                    update(jobs)
                    .where(*key)
                    .values(again=True, sha=sha, received_at=received_at, **common)
                )
            else:
                first = row.first_push_at if row.state == PENDING else now
                due = self._due(
                    now=now, first=first, last_run=row.last_run_at, interval=min_interval_s
                )
                if not_before is not None:
                    due = max(due, not_before)
                conn.execute(
                    update(jobs)
                    .where(*key)
                    .values(
                        state=PENDING,
                        sha=sha,
                        received_at=received_at,
                        first_push_at=first,
                        due_at=due,
                        pushes=(row.pushes if row.state == PENDING else 0) + 1,
                        attempts=0 if row.state == FAILED else row.attempts,
                        **common,
                    )
                )
            return _job(conn.execute(select(jobs).where(*key)).one())

    def schedule_final(self, week: str, targets: list[StudentRepo], *, now: float) -> int:
        """Queue the final run of `week` for every target once; later calls do nothing."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(marks).values(key=f"final:{week}", at=now))
        except IntegrityError:
            return 0
        for target in targets:
            key = (jobs.c.week == week, jobs.c.login == target.login)
            with self.engine.begin() as conn:
                row = conn.execute(select(jobs).where(*key)).first()
                if row is None:
                    conn.execute(
                        insert(jobs).values(
                            week=week,
                            login=target.login,
                            repo=target.full_name,
                            repo_id=target.repo_id,
                            default_branch=target.default_branch,
                            state=PENDING,
                            first_push_at=now,
                            due_at=now,
                            again=False,
                            pushes=0,
                            runs=0,
                            attempts=0,
                            min_interval_s=0.0,
                            final_done=False,
                        )
                    )
                elif row.state == RUNNING:
                    conn.execute(update(jobs).where(*key).values(again=True))
                else:
                    conn.execute(
                        update(jobs)
                        .where(*key)
                        .values(state=PENDING, due_at=now, first_push_at=now, attempts=0)
                    )
        return len(targets)

    def final_scheduled(self, week: str) -> bool:
        with self.engine.begin() as conn:
            return (
                conn.execute(select(marks).where(marks.c.key == f"final:{week}")).first()
                is not None
            )

    # -- the worker's side --------------------------------------------------------------
    def recover(self) -> int:
        """Rows a crash left running are pending again (their work is idempotent)."""
        with self.engine.begin() as conn:
            return conn.execute(
                update(jobs).where(jobs.c.state == RUNNING).values(state=PENDING)
            ).rowcount

    def claim(self, now: float) -> Job | None:
        """The most overdue pending job, marked running; None when nothing is due."""
        with self.engine.begin() as conn:
            while True:
                row = conn.execute(
                    select(jobs)
                    .where(jobs.c.state == PENDING, jobs.c.due_at <= now)
                    .order_by(jobs.c.due_at)
                    .limit(1)
                ).first()
                if row is None:
                    return None
                taken = conn.execute(
                    update(jobs)
                    .where(jobs.c.week == row.week, jobs.c.login == row.login)
                    .where(jobs.c.state == PENDING)
                    .values(state=RUNNING, again=False)
                ).rowcount
                if taken:
                    return _job(
                        conn.execute(
                            select(jobs).where(jobs.c.week == row.week, jobs.c.login == row.login)
                        ).one()
                    )

    def finish(
        self, job: Job, *, now: float, graded: bool, sha: str | None, final: bool = False
    ) -> Job:
        """Done: idle, or pending again when a push came in meanwhile (rate limit applies)."""
        key = (jobs.c.week == job.week, jobs.c.login == job.login)
        with self.engine.begin() as conn:
            row = conn.execute(select(jobs).where(*key)).one()
            last_run = now if graded else row.last_run_at
            values: dict[str, object] = dict(
                runs=row.runs + (1 if graded else 0),
                last_run_at=last_run,
                attempts=0,
                last_error=None,
                final_done=bool(row.final_done or final),
            )
            if sha:
                values["graded_sha"] = sha
            if row.again:
                values.update(
                    state=PENDING,
                    again=False,
                    first_push_at=now,
                    pushes=1,
                    due_at=self._due(
                        now=now, first=now, last_run=last_run, interval=row.min_interval_s
                    ),
                )
            else:
                values.update(state=IDLE, pushes=0)
            conn.execute(update(jobs).where(*key).values(**values))
            return _job(conn.execute(select(jobs).where(*key)).one())

    def fail(self, job: Job, *, now: float, error: str) -> Job:
        """An infrastructure fault: retry with backoff, then give up (a new push revives it)."""
        key = (jobs.c.week == job.week, jobs.c.login == job.login)
        with self.engine.begin() as conn:
            row = conn.execute(select(jobs).where(*key)).one()
            attempts = row.attempts + 1
            state = FAILED if attempts >= MAX_ATTEMPTS and not row.again else PENDING
            conn.execute(
                update(jobs)
                .where(*key)
                .values(
                    state=state,
                    attempts=attempts,
                    again=False,
                    last_error=error[:2000],
                    due_at=now + min(30.0 * 2**attempts, 3600.0),
                )
            )
            return _job(conn.execute(select(jobs).where(*key)).one())

    def get(self, week: str, login: str) -> Job | None:
        with self.engine.begin() as conn:
            row = conn.execute(
                select(jobs).where(jobs.c.week == week, jobs.c.login == login)
            ).first()
        return None if row is None else _job(row)

    def all(self) -> list[Job]:
        with self.engine.begin() as conn:
            return [_job(r) for r in conn.execute(select(jobs).order_by(jobs.c.due_at))]

    def next_due(self) -> float | None:
        with self.engine.begin() as conn:
            return conn.execute(
                select(func.min(jobs.c.due_at)).where(jobs.c.state == PENDING)
            ).scalar_one_or_none()

    def counts(self) -> dict[str, int]:
        with self.engine.begin() as conn:
            rows = conn.execute(select(jobs.c.state, func.count()).group_by(jobs.c.state)).all()
        return {state: n for state, n in rows}

"""`feedback WEEK --post`: one issue per student per week, exactly once, paced.

The issue is found again by a hidden marker in its body (``<!-- autograder:week03:alice -->``),
never by its title or labels, which students can edit. A regrade edits the body and
adds a short comment saying what changed. Posting goes through the outbox
(`outbox.py`), so a crash at any point is resumed by running the command again.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import requests
from github import GithubException
from github.Issue import Issue
from github.Repository import Repository

from autograder.course import LOGIN_NAME, Course
from autograder.errors import GitHubError
from autograder.github.client import GitHub, connect
from autograder.github.outbox import DONE, ISSUE_DONE, Outbox, OutboxRow
from autograder.github.renames import repo_by_id_or_name
from autograder.github.repos import RepoStore
from autograder.github.retry import describe, transient_delay
from autograder.messages import Labels
from autograder.results import SubmissionResult
from autograder.submissions import load_submission_meta

log = logging.getLogger(__name__)

LABEL = "autograder"
MAX_BODY = 65000  # GitHub refuses issue bodies over 65,536 characters


def marker(week: str, login: str) -> str:
    return f"<!-- autograder:{week}:{login} -->"


def comment_marker(week: str, login: str, digest: str) -> str:
    return f"<!-- autograder:{week}:{login}:rev:{digest[:12]} -->"


@dataclass(frozen=True)
class PostReport:
    week: str
    posted: tuple[str, ...] = ()  # logins whose issue was created or updated now
    unchanged: tuple[str, ...] = ()  # already posted with this exact body
    skipped: tuple[tuple[str, str], ...] = ()  # (login, why)
    failed: tuple[tuple[str, str], ...] = ()
    writes: int = 0
    waited_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def __str__(self) -> str:
        lines = [f"  {login:<24} skipped: {why}" for login, why in self.skipped]
        lines += [f"  {login:<24} FAILED: {why}" for login, why in self.failed]
        return "\n".join([*lines, self.summary()])

    def summary(self) -> str:
        return (
            f"{self.week}: {len(self.posted)} posted, {len(self.unchanged)} unchanged, "
            f"{len(self.skipped)} skipped, {len(self.failed)} failed "
            f"({self.writes} writes, {self.waited_s:.0f} s paced)"
        )


Step = Callable[[str, OutboxRow], None]


def _score(course: Course, week: str, login: str) -> str | None:
    path = course.result_path(week, login)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return f"{data['score']:g}/{data['max_score']:g}"
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _repo_of(course: Course, client: GitHub, week: str, login: str) -> str | None:
    meta = load_submission_meta(course, week, login)
    if meta is not None and meta.repo:
        return meta.repo
    known = RepoStore(client.engine).get(week, login)
    return known.full_name if known else None


def enqueue_week(
    *, course: Course, client: GitHub, week: str, logins: list[str] | None = None
) -> tuple[list[str], list[tuple[str, str]]]:
    """Queue every rendered feedback file that differs from what was posted last."""
    text = Labels(course.config.language, "issue")
    box = Outbox(client.engine)
    folder = course.feedback_dir / week
    files = sorted(folder.glob("*.md")) if folder.is_dir() else []
    unchanged, skipped = [], []
    for path in files:
        login = path.stem
        if logins is not None and login not in logins:
            continue
        if not LOGIN_NAME.match(login):
            skipped.append((login, "not a GitHub login"))
            continue
        try:
            repo = _repo_of(course, client, week, login)
            markdown = path.read_bytes().decode("utf-8", "replace")
        except (OSError, ValueError) as exc:  # this student's files only
            skipped.append((login, f"unreadable: {type(exc).__name__}: {exc}"[:200]))
            continue
        if repo is None:
            skipped.append((login, "no repository known (collect first)"))
            continue
        score = _score(course, week, login)
        if not _enqueue(
            box, client, text, week=week, login=login, repo=repo, markdown=markdown, score=score
        ):
            unchanged.append(login)
    return unchanged, skipped


def _enqueue(
    box: Outbox,
    client: GitHub,
    text: Labels,
    *,
    week: str,
    login: str,
    repo: str,
    markdown: str,
    score: str | None,
) -> bool:
    """Queue one body (marked, capped); False when it is what was posted last."""
    if len(markdown) > MAX_BODY:
        markdown = markdown[:MAX_BODY] + text("truncated")
    body = f"{markdown.rstrip()}\n\n{marker(week, login)}\n"
    old = box.last_posted_score(week, login)
    lines = [text("regraded")]
    if score is not None:
        lines.append(text("score", old=old or "-", new=score))
    row = box.enqueue(
        week=week,
        login=login,
        repo=repo,
        title=text("title", week=week),
        body=body,
        score=score,
        comment_for="\n\n".join(lines),
        now=client.clock.time(),
    )
    return row is not None


class GitHubIssueSink:
    """Publishes a rendered result as the student's feedback issue, through the outbox.

    Takes the result and its body in memory (nothing is read back from the feedback
    file or the result file); posts at once, one post at a time. A failure to post
    raises (the caller retries); the outbox row stays for the next run.
    """

    def __init__(self, course: Course, client: GitHub) -> None:
        self.course = course
        self.client = client
        self._lock = threading.Lock()  # the outbox and the write pacing: one post at a time

    def publish(self, result: SubmissionResult, body: str) -> bool:
        """True when an issue was created or updated now (False: unchanged or skipped)."""
        week, login = result.assignment, result.student
        if not self.course.config.github.post_feedback or not LOGIN_NAME.match(login):
            return False
        repo = _repo_of(self.course, self.client, week, login)
        if repo is None:
            log.warning("feedback for %s/%s not posted: no repository known", week, login)
            return False
        data = result.to_dict()  # the score as the result file holds it
        score = f"{data['score']:g}/{data['max_score']:g}"
        text = Labels(self.course.config.language, "issue")
        with self._lock:
            box = Outbox(self.client.engine)
            _enqueue(
                box,
                self.client,
                text,
                week=week,
                login=login,
                repo=repo,
                markdown=body,
                score=score,
            )
            poster = IssuePoster(self.client)
            posted = False
            for row in poster.box.pending(week):
                if row.login == login:
                    poster.post_with_retries(row)
                    posted = True
        return posted


class IssuePoster:
    """Drives outbox rows to DONE; every step is safe to repeat after a crash."""

    def __init__(self, client: GitHub, *, on_step: Step | None = None) -> None:
        self.client = client
        self.box = Outbox(client.engine)
        self.on_step = on_step or (lambda step, row: None)
        self._bot: str | None = None

    @property
    def bot(self) -> str:
        if self._bot is None:
            self._bot = self.client.read(lambda: self.client.gh.get_user().login, "who am I")
        return self._bot

    def _find_by_marker(self, repo: Repository, mark: str, name: str) -> Issue | None:
        def search() -> Issue | None:
            # PyGithub sends a str creator as the login (its type hint says NamedUser)
            for issue in repo.get_issues(state="all", creator=self.bot):  # type: ignore[arg-type]
                if issue.pull_request is None and mark in (issue.body or ""):
                    return issue
            return None

        return self.client.read(search, f"search issues of {name}")

    def _comment_exists(self, issue: Issue, mark: str) -> bool:
        return self.client.read(
            lambda: any(mark in (c.body or "") for c in issue.get_comments()), "list comments"
        )

    def post(self, row: OutboxRow) -> None:
        client, box = self.client, self.box
        # by id, or resolved first: a renamed repo answers writes under its old name with a
        # 307, which PyGithub never follows
        repo = repo_by_id_or_name(client, row.week, row.login, row.repo)
        mark = marker(row.week, row.login)
        if row.state not in (ISSUE_DONE, DONE):
            number = row.issue_number or box.known_issue(row.week, row.login)
            current_body = None
            if number is None:
                found = self._find_by_marker(repo, mark, row.repo)
                if found is not None:
                    number, current_body = found.number, found.body
            if number is None:
                box.mark(row.id, in_flight="create", attempts=row.attempts + 1)
                self.on_step("before_create", row)
                client.pacer.acquire()
                issue = repo.create_issue(title=row.title, body=row.body, labels=[LABEL, row.week])
                self.on_step("after_create", row)
                box.mark(row.id, issue_number=issue.number, state=ISSUE_DONE, in_flight=None)
            else:
                if current_body != row.body:
                    issue = repo.get_issue(number)
                    client.write(
                        lambda: issue.edit(body=row.body, state="open"),
                        f"edit issue #{number} of {row.repo}",
                    )
                    self.on_step("after_edit", row)
                box.mark(row.id, issue_number=number, state=ISSUE_DONE, in_flight=None)
            row = box.get(row.id)
        if row.comment and row.state == ISSUE_DONE:
            assert row.issue_number is not None
            issue = repo.get_issue(row.issue_number)
            cmark = comment_marker(row.week, row.login, row.body_hash)
            if row.in_flight == "comment" and self._comment_exists(issue, cmark):
                pass
            else:
                box.mark(row.id, in_flight="comment")
                self.on_step("before_comment", row)
                client.pacer.acquire()
                issue.create_comment(f"{row.comment}\n\n{cmark}")
                self.on_step("after_comment", row)
        box.mark(row.id, state=DONE, in_flight=None, done_at=client.clock.time())
        self.on_step("done", row)

    def post_with_retries(self, row: OutboxRow) -> None:
        policy = self.client.policy
        for attempt in range(policy.max_tries):
            try:
                self.post(self.box.get(row.id))
                return
            except (GithubException, requests.RequestException) as exc:
                delay = transient_delay(exc, attempt, now=self.client.clock.time(), policy=policy)
                self.box.mark(row.id, last_error=describe(exc))
                if delay is None or delay > policy.max_delay:
                    raise
                log.info("posting for %s: %s; retrying in %.0f s", row.login, describe(exc), delay)
                self.client.clock.sleep(delay)
        raise GitHubError(f"posting for {row.login}: gave up after {policy.max_tries} tries")


def post_feedback(
    *,
    course: Course,
    week: str,
    client: GitHub | None = None,
    logins: list[str] | None = None,
    on_step: Step | None = None,
) -> PostReport:
    """Post (or update) every student's feedback issue of `week`; resumable."""
    if not course.config.github.post_feedback:
        return PostReport(week, skipped=(("*", "github.post_feedback is false in course.toml"),))
    client = client or connect(course)
    unchanged, skipped = enqueue_week(course=course, client=client, week=week, logins=logins)
    poster = IssuePoster(client, on_step=on_step)
    writes_before, waited_before = client.pacer.writes, client.pacer.waited
    posted, failed = [], []
    for row in poster.box.pending(week):
        if logins is not None and row.login not in logins:
            continue
        try:
            poster.post_with_retries(row)
            posted.append(row.login)
        except (GitHubError, GithubException, requests.RequestException) as exc:
            log.warning("feedback for %s not posted: %s", row.login, describe(exc))
            failed.append((row.login, describe(exc)))
        except Exception as exc:  # e.g. PyGithub refusing a redirect: this student only
            log.exception("feedback for %s not posted", row.login)
            failed.append((row.login, f"{type(exc).__name__}: {exc}"[:300]))
    return PostReport(
        week,
        tuple(dict.fromkeys(posted)),
        tuple(unchanged),
        tuple(skipped),
        tuple(failed),
        client.pacer.writes - writes_before,
        client.pacer.waited - waited_before,
    )

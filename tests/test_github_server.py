"""The GitHub-compatible test server, driven through PyGithub, and our retry policy on it."""

from __future__ import annotations

import github
import pytest
from github_server import GitHubTestServer, SimClock

from autograder.errors import GitHubError
from autograder.github.client import make_github
from autograder.github.retry import RetryPolicy, with_retries

pytest_plugins = ["github_server.fixtures"]


def pygithub(server: GitHubTestServer, timeout: int = 15) -> github.Github:
    return make_github(api_url=server.api_url, token=server.world.token, timeout=timeout)


def test_urls_pagination_and_rate_headers(github_server: GitHubTestServer) -> None:
    for i in range(250):
        github_server.create_repo(f"week01-student{i:03d}")
    gh = pygithub(github_server)
    repos = list(gh.get_organization("course-org").get_repos())
    assert [r.name for r in repos] == [f"week01-student{i:03d}" for i in range(250)]
    pages = github_server.requests("GET", r"/orgs/course-org/repos$")
    assert len(pages) == 3  # per_page=100, followed by Link rel="next" carrying every param
    assert "page=3" in pages[-1].query and "per_page=100" in pages[-1].query
    assert repos[0].url == f"{github_server.api_url}/repos/course-org/week01-student000"
    remaining, limit = gh.rate_limiting
    assert limit == 5000 and remaining < 5000


def test_bad_token_is_refused(github_server: GitHubTestServer) -> None:
    gh = make_github(api_url=github_server.api_url, token="wrong")
    with pytest.raises(github.BadCredentialsException):
        list(gh.get_organization("course-org").get_repos())


def test_classroom_endpoints_are_gone(github_server: GitHubTestServer) -> None:
    gh = pygithub(github_server)
    with pytest.raises(github.GithubException) as info:
        gh.requester.requestJsonAndCheck("GET", "/classrooms")
    assert info.value.status == 410


def _issue_repo(server: GitHubTestServer) -> github.Repository.Repository:
    server.create_repo("week01-alice")
    return pygithub(server).get_repo("course-org/week01-alice")


@pytest.mark.parametrize(
    ("kind", "retry_after", "min_wait"),
    [
        ("secondary", 7, 7),
        ("secondary", None, 60),
        ("429", 3, 3),
        ("primary", None, 31),
        ("502", None, 1),
    ],
)
def test_write_faults_are_waited_out_on_the_clock(
    github_server: GitHubTestServer,
    sim_clock: SimClock,
    kind: str,
    retry_after: int | None,
    min_wait: float,
) -> None:
    repo = _issue_repo(github_server)
    issue = repo.create_issue("t", body="old")
    github_server.faults.add(kind, methods=frozenset({"PATCH"}), retry_after=retry_after)
    before = sim_clock.time()
    with_retries(lambda: issue.edit(body="new"), clock=sim_clock, policy=RetryPolicy())
    assert sim_clock.time() - before >= min_wait
    patches = github_server.requests("PATCH")
    assert [p.status for p in patches] == [
        403 if kind in ("secondary", "primary") else int(kind),
        200,
    ]
    assert github_server.world.repo("course-org", "week01-alice").issues[0].body == "new"


def test_timeout_is_retried(github_server: GitHubTestServer, sim_clock: SimClock) -> None:
    repo = _issue_repo(github_server)
    github_server.faults.add("timeout", methods=frozenset({"GET"}), path="/issues$", delay=1.3)
    slow = pygithub(github_server, timeout=1)
    slow_repo = slow.get_repo(repo.full_name)
    issues = with_retries(
        lambda: list(slow_repo.get_issues(state="all")), clock=sim_clock, policy=RetryPolicy()
    )
    assert issues == []
    assert len(github_server.requests("GET", "/issues$")) == 2


def test_gives_up_with_a_github_error(github_server: GitHubTestServer, sim_clock: SimClock) -> None:
    repo = _issue_repo(github_server)
    github_server.faults.add("502", methods=frozenset({"POST"}), times=99)
    with pytest.raises(GitHubError, match="gave up after 3 tries: HTTP 502"):
        with_retries(
            lambda: repo.create_issue("t"), clock=sim_clock, policy=RetryPolicy(max_tries=3)
        )


def test_not_found_is_not_retried(github_server: GitHubTestServer, sim_clock: SimClock) -> None:
    gh = pygithub(github_server)
    with pytest.raises(github.UnknownObjectException):
        with_retries(
            lambda: gh.get_repo("course-org/nope").id, clock=sim_clock, policy=RetryPolicy()
        )
    assert sim_clock.slept == 0


def test_renamed_repo_redirects(github_server: GitHubTestServer) -> None:
    repo = github_server.create_repo("week01-bob")
    github_server.world.rename(repo, "my-homework")
    moved = pygithub(github_server).get_repo("course-org/week01-bob")
    assert moved.id == repo.id and moved.name == "my-homework"

"""REST endpoints of the test server (the subset of GitHub the grader uses)."""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, Any

from .gitstore import ZERO_SHA
from .server import ApiError, Request, Response
from .state import Activity, Comment, Issue, Repo, iso

if TYPE_CHECKING:
    from .server import GitHubTestServer

PERMS = {
    "pull": "read",
    "triage": "triage",
    "push": "write",
    "maintain": "maintain",
    "admin": "admin",
}


def register(srv: GitHubTestServer) -> None:  # noqa: C901 - a route table
    world = srv.world
    api = srv.api_url
    route = srv.route

    # -- renderers --------------------------------------------------------------------
    def user(login: str) -> dict[str, Any]:
        return {
            "login": login,
            "id": abs(hash(login)) % 10**7,
            "type": "User",
            "url": f"{api}/users/{login}",
            "html_url": f"{srv.base}/{login}",
        }

    def repo_json(repo: Repo) -> dict[str, Any]:
        url = f"{api}/repos/{repo.owner}/{repo.name}"
        return {
            "id": repo.id,
            "node_id": f"R_{repo.id}",
            "name": repo.name,
            "full_name": repo.full_name,
            "owner": {**user(repo.owner), "type": "Organization"},
            "private": repo.private,
            "visibility": "private" if repo.private else "public",
            "is_template": repo.is_template,
            "default_branch": repo.default_branch,
            "url": url,
            "html_url": f"{srv.base}/{repo.full_name}",
            "clone_url": f"file://{repo.git.path}",
            "archived": False,
            "created_at": iso(repo.created_at),
            "pushed_at": iso(repo.pushed_at) if repo.pushed_at else None,
            "permissions": {"admin": True, "push": True, "pull": True},
        }

    def label_json(repo: Repo, name: str) -> dict[str, Any]:
        return {
            "name": name,
            "color": repo.labels.get(name, "ededed"),
            "description": None,
            "url": f"{api}/repos/{repo.full_name}/labels/{name}",
        }

    def issue_json(repo: Repo, issue: Issue) -> dict[str, Any]:
        url = f"{api}/repos/{repo.full_name}/issues/{issue.number}"
        return {
            "id": repo.id * 10000 + issue.number,
            "number": issue.number,
            "title": issue.title,
            "body": issue.body,
            "state": issue.state,
            "user": user(issue.user),
            "labels": [label_json(repo, n) for n in issue.labels],
            "comments": len(issue.comments),
            "url": url,
            "comments_url": f"{url}/comments",
            "repository_url": f"{api}/repos/{repo.full_name}",
            "html_url": f"{srv.base}/{repo.full_name}/issues/{issue.number}",
            "created_at": iso(issue.created_at),
            "updated_at": iso(issue.updated_at),
            "closed_at": None,
            "locked": False,
            "assignees": [],
        }

    def comment_json(repo: Repo, comment: Comment) -> dict[str, Any]:
        return {
            "id": comment.id,
            "body": comment.body,
            "user": user(comment.user),
            "url": f"{api}/repos/{repo.full_name}/issues/comments/{comment.id}",
            "issue_url": f"{api}/repos/{repo.full_name}/issues/{comment.issue_number}",
            "html_url": f"{srv.base}/{repo.full_name}/issues/{comment.issue_number}"
            f"#issuecomment-{comment.id}",
            "created_at": iso(comment.created_at),
            "updated_at": iso(comment.updated_at),
        }

    def activity_json(item: Activity) -> dict[str, Any]:
        return {
            "id": item.id,
            "node_id": f"A_{item.id}",
            "before": item.before,
            "after": item.after,
            "ref": item.ref,
            "timestamp": iso(item.timestamp),
            "activity_type": item.activity_type,
            "actor": user(item.actor),
        }

    # -- lookups ----------------------------------------------------------------------
    def get_repo(req: Request) -> Repo:
        owner, name = req.match["owner"], req.match["repo"]  # type: ignore[index]
        repo = world.repo(owner, name)
        if repo is None:
            raise ApiError(404, "Not Found")
        return repo

    def get_issue(repo: Repo, number: str) -> Issue:
        for issue in repo.issues:
            if issue.number == int(number):
                return issue
        raise ApiError(404, "Not Found")

    def body(req: Request) -> dict[str, Any]:
        if not isinstance(req.body, dict):
            raise ApiError(400, "Problems parsing JSON")
        return req.body

    R = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"

    # -- users and orgs ------------------------------------------------------------------
    @route("GET", "/user")
    def _me(req: Request) -> Response:
        return Response(200, user(world.bot))

    @route("GET", "/orgs/(?P<org>[^/]+)")
    def _org(req: Request) -> Response:
        if req.match["org"] != world.org:  # type: ignore[index]
            raise ApiError(404, "Not Found")
        return Response(
            200,
            {
                "login": world.org,
                "id": 1,
                "type": "Organization",
                "url": f"{api}/orgs/{world.org}",
                "repos_url": f"{api}/orgs/{world.org}/repos",
            },
        )

    @route("GET", "/orgs/(?P<org>[^/]+)/repos")
    def _org_repos(req: Request) -> Response:
        repos = sorted(
            (r for r in world.repos.values() if r.owner == req.match["org"]),  # type: ignore[index]
            key=lambda r: r.id,
        )
        return srv.paginate(req, [repo_json(r) for r in repos])

    @route("POST", "/orgs/(?P<org>[^/]+)/repos")
    def _create_repo(req: Request) -> Response:
        data = body(req)
        if world.repo(req.match["org"], data["name"]):  # type: ignore[index]
            raise ApiError(422, "Repository creation failed: name already exists on this account")
        repo = world.create_repo(
            data["name"],
            owner=req.match["org"],  # type: ignore[index]
            private=bool(data.get("private", False)),
            is_template=bool(data.get("is_template", False)),
        )
        if data.get("auto_init"):
            blob = repo.git.hash_blob(f"# {repo.name}\n".encode())
            tree = repo.git.write_tree([("README.md", "100644", blob)], None)
            sha = repo.git.commit_tree(tree, [], "Initial commit", int(world.clock.time()))
            repo.git.update_ref("main", sha)
            world.record_push(repo, ZERO_SHA, sha, "refs/heads/main", world.bot)
        return Response(201, repo_json(repo))

    # -- repositories ----------------------------------------------------------------------
    @route("GET", R)
    def _repo(req: Request) -> Response:  # a renamed repo's old name: `server._renamed`
        return Response(200, repo_json(get_repo(req)))

    @route("PATCH", R)
    def _edit_repo(req: Request) -> Response:
        repo = get_repo(req)
        data = body(req)
        if "name" in data and data["name"] != repo.name:
            world.rename(repo, data["name"])
        for key in ("private", "is_template", "default_branch"):
            if key in data:
                setattr(repo, key, data[key])
        return Response(200, repo_json(repo))

    @route("GET", r"/repositories/(?P<id>\d+)")
    def _repo_by_id(req: Request) -> Response:
        repo = world.repos.get(int(req.match["id"]))  # type: ignore[index]
        if repo is None:
            raise ApiError(404, "Not Found")
        return Response(200, repo_json(repo))

    @route("POST", R + "/generate")
    def _generate(req: Request) -> Response:
        template = get_repo(req)
        if not template.is_template:
            raise ApiError(422, "Repository is not a template")
        data = body(req)
        owner = data.get("owner", world.org)
        if world.repo(owner, data["name"]):
            raise ApiError(422, "Name already exists on this account")
        repo = world.create_repo(data["name"], owner=owner, private=bool(data.get("private")))
        head = template.git.head(template.default_branch)
        if head:
            from .gitstore import git

            git(
                "fetch",
                "--quiet",
                str(template.git.path),
                f"refs/heads/{template.default_branch}:refs/tmp/template",
                cwd=repo.git.path,
            )
            tree = repo.git.commit_info(head)["tree"]
            sha = repo.git.commit_tree(tree, [], "Initial commit", int(world.clock.time()))
            repo.git.update_ref("main", sha)
            git("update-ref", "-d", "refs/tmp/template", cwd=repo.git.path)
        return Response(201, repo_json(repo))

    @route("GET", R + "/activity")
    def _activity(req: Request) -> Response:
        repo = get_repo(req)
        if not world.activity_enabled:
            raise ApiError(404, "Not Found")
        items = list(repo.activity)
        if "ref" in req.query:
            ref = req.query["ref"]
            full = ref if ref.startswith("refs/") else f"refs/heads/{ref}"
            items = [a for a in items if a.ref == full]
        if "activity_type" in req.query:
            items = [a for a in items if a.activity_type == req.query["activity_type"]]
        if "actor" in req.query:
            items = [a for a in items if a.actor == req.query["actor"]]
        items.sort(key=lambda a: a.id, reverse=req.query.get("direction", "desc") == "desc")
        per_page = min(int(req.query.get("per_page", 30)), 100)
        if "after" in req.query:  # cursor: continue after the item with this id
            ids = [a.id for a in items]
            cursor = int(req.query["after"])
            items = items[ids.index(cursor) + 1 :] if cursor in ids else []
        page, rest = items[:per_page], items[per_page:]
        headers = {}
        if rest:
            query = {k: v for k, v in req.query.items() if k not in ("after", "before")}
            query.update({"per_page": str(per_page), "after": str(page[-1].id)})
            import urllib.parse

            headers["Link"] = f'<{api}{req.path}?{urllib.parse.urlencode(query)}>; rel="next"'
        return Response(200, [activity_json(a) for a in page], headers)

    @route("GET", R + "/(?P<fmt>tarball|zipball)/(?P<ref>.+)")
    def _tarball(req: Request) -> Response:
        repo = get_repo(req)
        if req.match["fmt"] != "tarball":  # type: ignore[index]
            raise ApiError(415, "only tarballs here")
        sha = repo.git.resolve(req.match["ref"])  # type: ignore[index]
        if sha is None:
            raise ApiError(404, "Not Found")
        location = f"{srv.base}/_codeload/{repo.id}/{sha}.tar.gz"
        return Response(302, None, {"Location": location})

    @route("GET", r"/_codeload/(?P<id>\d+)/(?P<sha>[0-9a-f]{40})\.tar\.gz")
    def _codeload(req: Request) -> Response:
        repo = world.repos.get(int(req.match["id"]))  # type: ignore[index]
        sha = req.match["sha"]  # type: ignore[index]
        if repo is None:
            raise ApiError(404, "Not Found")
        override = srv.tarball_overrides.get(sha)
        if override is not None:
            return Response(200, raw=override)
        prefix = f"{repo.owner}-{repo.name}-{sha[:7]}"
        return Response(200, raw=repo.git.archive(sha, prefix))

    # -- branches and git data -------------------------------------------------------------
    @route("GET", R + "/branches/(?P<branch>.+)")
    def _branch(req: Request) -> Response:
        repo = get_repo(req)
        sha = repo.git.head(req.match["branch"])  # type: ignore[index]
        if sha is None:
            raise ApiError(404, "Branch not found")
        return Response(
            200,
            {
                "name": req.match["branch"],
                "protected": False,  # type: ignore[index]
                "commit": {"sha": sha, "url": f"{api}/repos/{repo.full_name}/commits/{sha}"},
            },
        )

    def ref_json(repo: Repo, branch: str, sha: str) -> dict[str, Any]:
        return {
            "ref": f"refs/heads/{branch}",
            "node_id": "REF",
            "url": f"{api}/repos/{repo.full_name}/git/refs/heads/{branch}",
            "object": {
                "sha": sha,
                "type": "commit",
                "url": f"{api}/repos/{repo.full_name}/git/commits/{sha}",
            },
        }

    @route("GET", R + "/git/(?:ref|refs)/heads/(?P<branch>.+)")
    def _get_ref(req: Request) -> Response:
        repo = get_repo(req)
        sha = repo.git.head(req.match["branch"])  # type: ignore[index]
        if sha is None:
            raise ApiError(404, "Not Found")
        return Response(200, ref_json(repo, req.match["branch"], sha))  # type: ignore[index]

    @route("PATCH", R + "/git/refs/heads/(?P<branch>.+)")
    def _update_ref(req: Request) -> Response:
        repo = get_repo(req)
        branch = req.match["branch"]  # type: ignore[index]
        data = body(req)
        old = repo.git.head(branch)
        if old is None:
            raise ApiError(422, "Reference does not exist")
        new = data["sha"]
        if not data.get("force") and not repo.git.is_ancestor(old, new):
            raise ApiError(422, "Update is not a fast forward")
        repo.git.update_ref(branch, new)
        world.record_push(repo, old, new, f"refs/heads/{branch}", world.bot)
        return Response(200, ref_json(repo, branch, new))

    @route("POST", R + "/git/refs")
    def _create_ref(req: Request) -> Response:
        repo = get_repo(req)
        data = body(req)
        branch = data["ref"].removeprefix("refs/heads/")
        if repo.git.head(branch):
            raise ApiError(422, "Reference already exists")
        repo.git.update_ref(branch, data["sha"])
        world.record_push(repo, ZERO_SHA, data["sha"], data["ref"], world.bot)
        return Response(201, ref_json(repo, branch, data["sha"]))

    @route("POST", R + "/git/blobs")
    def _blob(req: Request) -> Response:
        repo = get_repo(req)
        data = body(req)
        raw = (
            base64.b64decode(data["content"])
            if data.get("encoding") == "base64"
            else data["content"].encode()
        )
        sha = repo.git.hash_blob(raw)
        return Response(201, {"sha": sha, "url": f"{api}/repos/{repo.full_name}/git/blobs/{sha}"})

    @route("POST", R + "/git/trees")
    def _tree(req: Request) -> Response:
        repo = get_repo(req)
        data = body(req)
        entries = []
        for item in data["tree"]:
            path = item["path"]
            if any(part in ("", ".", "..", ".git") for part in path.split("/")):
                raise ApiError(422, f"invalid tree path {path!r}")
            sha = item.get("sha")
            if sha is None and "content" in item:
                sha = repo.git.hash_blob(item["content"].encode())
            entries.append((path, item.get("mode", "100644"), sha or ""))
        sha = repo.git.write_tree(entries, data.get("base_tree"))
        return Response(201, tree_json(repo, sha, recursive=False))

    def tree_json(repo: Repo, sha: str, *, recursive: bool) -> dict[str, Any]:
        rows = repo.git.ls_tree(sha, recursive)
        return {
            "sha": sha,
            "url": f"{api}/repos/{repo.full_name}/git/trees/{sha}",
            "truncated": False,
            "tree": [
                {
                    "path": path,
                    "mode": mode,
                    "type": kind,
                    "sha": obj,
                    **({"size": size} if kind == "blob" else {}),
                    "url": f"{api}/repos/{repo.full_name}/git/{kind}s/{obj}",
                }
                for mode, kind, obj, path, size in rows
            ],
        }

    @route("GET", R + "/git/trees/(?P<sha>[0-9a-f]{40})")
    def _get_tree(req: Request) -> Response:
        repo = get_repo(req)
        sha = req.match["sha"]  # type: ignore[index]
        kind = repo.git.object_type(sha)
        if kind == "commit":
            sha = repo.git.commit_info(sha)["tree"]
        elif kind != "tree":
            raise ApiError(404, "Not Found")
        recursive = req.query.get("recursive") not in (None, "", "0", "false")
        return Response(200, tree_json(repo, sha, recursive=recursive))

    def commit_json(repo: Repo, sha: str) -> dict[str, Any]:
        info = repo.git.commit_info(sha)
        url = f"{api}/repos/{repo.full_name}/git/commits/{sha}"
        return {
            "sha": sha,
            "url": url,
            "message": info["message"].rstrip("\n"),
            "tree": {
                "sha": info["tree"],
                "url": f"{api}/repos/{repo.full_name}/git/trees/{info['tree']}",
            },
            "parents": [
                {"sha": p, "url": f"{api}/repos/{repo.full_name}/git/commits/{p}"}
                for p in info["parents"].split()
            ],
            "author": {"name": info["an"], "email": info["ae"], "date": iso(int(info["at"]))},
            "committer": {"name": info["cn"], "email": info["ce"], "date": iso(int(info["ct"]))},
        }

    @route("GET", R + "/git/commits/(?P<sha>[0-9a-f]{40})")
    def _get_commit(req: Request) -> Response:
        repo = get_repo(req)
        if repo.git.object_type(req.match["sha"]) != "commit":  # type: ignore[index]
            raise ApiError(404, "Not Found")
        return Response(200, commit_json(repo, req.match["sha"]))  # type: ignore[index]

    @route("POST", R + "/git/commits")
    def _create_commit(req: Request) -> Response:
        repo = get_repo(req)
        data = body(req)
        sha = repo.git.commit_tree(
            data["tree"], list(data.get("parents", [])), data["message"], int(world.clock.time())
        )
        return Response(201, commit_json(repo, sha))

    # -- collaborators -----------------------------------------------------------------------
    @route("PUT", R + "/collaborators/(?P<user>[^/]+)")
    def _add_collab(req: Request) -> Response:
        repo = get_repo(req)
        perm = (req.body or {}).get("permission", "push")
        login = req.match["user"]  # type: ignore[index]
        existed = login in repo.collaborators
        repo.collaborators[login] = perm
        if existed:
            return Response(204)
        return Response(
            201,
            {
                "id": world.next_id(),
                "invitee": user(login),
                "permissions": PERMS.get(perm, perm),
                "url": f"{api}/user/repository_invitations/1",
            },
        )

    @route("DELETE", R + "/collaborators/(?P<user>[^/]+)")
    def _remove_collab(req: Request) -> Response:
        get_repo(req).collaborators.pop(req.match["user"], None)  # type: ignore[index]
        return Response(204)

    @route("GET", R + "/collaborators/(?P<user>[^/]+)/permission")
    def _collab_perm(req: Request) -> Response:
        repo = get_repo(req)
        login = req.match["user"]  # type: ignore[index]
        perm = repo.collaborators.get(login)
        role = PERMS.get(perm, "none") if perm else "none"
        legacy = {
            "read": "read",
            "triage": "read",
            "write": "write",
            "maintain": "write",
            "admin": "admin",
            "none": "none",
        }[role]
        return Response(200, {"permission": legacy, "role_name": role, "user": user(login)})

    @route("GET", R + "/collaborators")
    def _collabs(req: Request) -> Response:
        repo = get_repo(req)
        return srv.paginate(
            req,
            [
                {**user(u), "role_name": PERMS.get(p, p)}
                for u, p in sorted(repo.collaborators.items())
            ],
        )

    # -- labels ------------------------------------------------------------------------------
    @route("GET", R + "/labels")
    def _labels(req: Request) -> Response:
        repo = get_repo(req)
        return srv.paginate(req, [label_json(repo, n) for n in sorted(repo.labels)])

    @route("POST", R + "/labels")
    def _create_label(req: Request) -> Response:
        repo = get_repo(req)
        data = body(req)
        if data["name"] in repo.labels:
            raise ApiError(422, "Validation Failed")
        repo.labels[data["name"]] = data.get("color", "ededed")
        return Response(201, label_json(repo, data["name"]))

    # -- issues and comments -------------------------------------------------------------------
    @route("GET", R + "/issues")
    def _issues(req: Request) -> Response:
        repo = get_repo(req)
        state = req.query.get("state", "open")
        items = [i for i in repo.issues if state == "all" or i.state == state]
        if req.query.get("creator"):
            items = [i for i in items if i.user == req.query["creator"]]
        if req.query.get("labels"):
            wanted = set(req.query["labels"].split(","))
            items = [i for i in items if wanted <= set(i.labels)]
        items.sort(key=lambda i: i.number, reverse=req.query.get("direction", "desc") == "desc")
        return srv.paginate(req, [issue_json(repo, i) for i in items])

    @route("POST", R + "/issues")
    def _create_issue(req: Request) -> Response:
        repo = get_repo(req)
        data = body(req)
        if not data.get("title"):
            raise ApiError(422, "Validation Failed: title")
        now = world.clock.time()
        labels = list(data.get("labels") or [])
        for name in labels:  # GitHub creates missing labels for users with push access
            repo.labels.setdefault(name, "ededed")
        number = max((i.number for i in repo.issues), default=0) + 1
        issue = Issue(
            number=number,
            title=data["title"],
            body=data.get("body") or "",
            user=world.bot,
            labels=labels,
            state="open",
            created_at=now,
            updated_at=now,
        )
        repo.issues.append(issue)
        return Response(201, issue_json(repo, issue))

    @route("GET", R + r"/issues/(?P<number>\d+)")
    def _issue(req: Request) -> Response:
        repo = get_repo(req)
        return Response(200, issue_json(repo, get_issue(repo, req.match["number"])))  # type: ignore[index]

    @route("PATCH", R + r"/issues/(?P<number>\d+)")
    def _edit_issue(req: Request) -> Response:
        repo = get_repo(req)
        issue = get_issue(repo, req.match["number"])  # type: ignore[index]
        data = body(req)
        for key in ("title", "body", "state"):
            if key in data:
                setattr(issue, key, data[key])
        if "labels" in data:
            issue.labels = list(data["labels"])
            for name in issue.labels:
                repo.labels.setdefault(name, "ededed")
        issue.updated_at = world.clock.time()
        return Response(200, issue_json(repo, issue))

    @route("GET", R + r"/issues/(?P<number>\d+)/comments")
    def _comments(req: Request) -> Response:
        repo = get_repo(req)
        issue = get_issue(repo, req.match["number"])  # type: ignore[index]
        return srv.paginate(req, [comment_json(repo, c) for c in issue.comments])

    @route("POST", R + r"/issues/(?P<number>\d+)/comments")
    def _add_comment(req: Request) -> Response:
        repo = get_repo(req)
        issue = get_issue(repo, req.match["number"])  # type: ignore[index]
        now = world.clock.time()
        comment = Comment(
            id=world.next_id(),
            issue_number=issue.number,
            body=body(req)["body"],
            user=world.bot,
            created_at=now,
            updated_at=now,
        )
        issue.comments.append(comment)
        return Response(201, comment_json(repo, comment))

    @route("PATCH", R + r"/issues/comments/(?P<id>\d+)")
    def _edit_comment(req: Request) -> Response:
        repo = get_repo(req)
        for issue in repo.issues:
            for comment in issue.comments:
                if comment.id == int(req.match["id"]):  # type: ignore[index]
                    comment.body = body(req)["body"]
                    comment.updated_at = world.clock.time()
                    return Response(200, comment_json(repo, comment))
        raise ApiError(404, "Not Found")

    # -- the GitHub Classroom API: shut down ------------------------------------------------------
    for pattern in ("/classrooms.*", "/assignments.*"):

        @route("GET", pattern)
        def _classroom(req: Request) -> Response:
            raise ApiError(410, "Gone")

    # -- the push hook of the bare repos (not part of GitHub's API) --------------------------------
    @route("POST", "/_test/push")
    def _push(req: Request) -> Response:
        from pathlib import Path

        data = body(req)
        repo = world.by_path(Path(data["repo_dir"]))
        if repo is None:
            raise ApiError(404, "unknown repo")
        for update in data["updates"]:
            world.record_push(
                repo,
                update["before"],
                update["after"],
                update["ref"],
                data.get("actor") or world.bot,
            )
        return Response(204)

    _ = re  # keep the import used by type checkers of route patterns

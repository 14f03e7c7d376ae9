"""Real bare git repositories behind the test server, driven with the `git` CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ZERO_SHA = "0" * 40

CURL_HOOK = """#!/bin/sh
# post-receive: tell the server which refs moved; it stamps them with its own clock
body=""
while read old new ref; do
  body="$body{\\"before\\":\\"$old\\",\\"after\\":\\"$new\\",\\"ref\\":\\"$ref\\"},"
done
exec curl -s -f -o /dev/null -X POST -H 'Content-Type: application/json' \\
  --data "{\\"repo_dir\\":\\"$(pwd)\\",\\"actor\\":\\"$AG_TEST_ACTOR\\",\\"updates\\":[${body%,}]}" \\
  "@URL@"
"""

PYTHON_HOOK = """#!/bin/sh
exec {python} -c '
import json, os, sys, urllib.request
lines = [l.split() for l in sys.stdin.read().splitlines() if l.strip()]
body = json.dumps({{"repo_dir": os.getcwd(), "actor": os.environ.get("AG_TEST_ACTOR", ""),
                   "updates": [{{"before": a, "after": b, "ref": r}} for a, b, r in lines]}}).encode()
req = urllib.request.Request("{url}", data=body, method="POST",
                             headers={{"Content-Type": "application/json"}})
urllib.request.urlopen(req, timeout=10).read()
'
"""

PYTHON_HOOK = PYTHON_HOOK.replace("{{", "{").replace("}}", "}").replace("{url}", "@URL@")
HOOK = CURL_HOOK if shutil.which("curl") else PYTHON_HOOK  # curl starts 10x faster


def git(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: bytes | None = None,
) -> str:
    full_env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=full_env, input=input, capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode(errors="replace").strip()


def git_bytes(*args: str, cwd: Path) -> bytes:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


class BareRepo:
    """One repository on the server: a bare git dir with a post-receive hook to the server."""

    def __init__(self, path: Path, hook_url: str, skeleton: Path | None = None) -> None:
        self.path = path
        if not path.exists():
            if skeleton is not None:  # copying a ready bare repo is ~20x faster than `git init`
                shutil.copytree(skeleton, path)
            else:
                git("init", "--quiet", "--bare", "--template=", "--initial-branch=main", str(path))
            hook = path / "hooks" / "post-receive"
            hook.parent.mkdir(exist_ok=True)
            hook.write_text(HOOK.replace("@URL@", hook_url).replace("{python}", sys.executable))
            hook.chmod(0o755)

    def head(self, branch: str) -> str | None:
        try:
            return git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", cwd=self.path)
        except RuntimeError:
            return None

    def resolve(self, ref: str) -> str | None:
        try:
            return git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=self.path)
        except RuntimeError:
            return None

    def is_ancestor(self, old: str, new: str) -> bool:
        proc = subprocess.run(
            ["git", "merge-base", "--is-ancestor", old, new],
            cwd=self.path,
            capture_output=True,
            check=False,
        )
        return proc.returncode == 0

    def archive(self, sha: str, prefix: str) -> bytes:
        return git_bytes("archive", "--format=tar.gz", f"--prefix={prefix}/", sha, cwd=self.path)

    def hash_blob(self, data: bytes) -> str:
        return git("hash-object", "-w", "--stdin", cwd=self.path, input=data)

    def cat_blob(self, sha: str) -> bytes:
        return git_bytes("cat-file", "blob", sha, cwd=self.path)

    def object_type(self, sha: str) -> str | None:
        try:
            return git("cat-file", "-t", sha, cwd=self.path)
        except RuntimeError:
            return None

    def write_tree(self, entries: list[tuple[str, str, str]], base_tree: str | None) -> str:
        """entries: (path, mode, blob sha or '' to delete); paths may contain '/'."""
        index = self.path / f"tmp-index-{os.getpid()}-{id(entries)}"
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            if base_tree:
                git("read-tree", base_tree, cwd=self.path, env=env)
            else:
                git("read-tree", "--empty", cwd=self.path, env=env)
            for path, mode, sha in entries:
                if sha:
                    git(
                        "update-index",
                        "--add",
                        "--cacheinfo",
                        f"{mode},{sha},{path}",
                        cwd=self.path,
                        env=env,
                    )
                else:
                    git("update-index", "--force-remove", path, cwd=self.path, env=env)
            return git("write-tree", cwd=self.path, env=env)
        finally:
            index.unlink(missing_ok=True)

    def commit_tree(
        self,
        tree: str,
        parents: list[str],
        message: str,
        when: int,
        name: str = "autograder",
        email: str = "autograder@example.com",
    ) -> str:
        date = f"{when} +0000"
        env = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": date,
        }
        args = ["commit-tree", tree, "-m", message]
        for parent in parents:
            args += ["-p", parent]
        return git(*args, cwd=self.path, env=env)

    def update_ref(self, branch: str, sha: str) -> None:
        git("update-ref", f"refs/heads/{branch}", sha, cwd=self.path)

    def ls_tree(self, sha: str, recursive: bool) -> list[tuple[str, str, str, str, int]]:
        """(mode, type, sha, path, size) rows."""
        args = ["ls-tree", "-l"] + (["-r", "-t"] if recursive else []) + [sha]
        rows = []
        for line in git(*args, cwd=self.path).splitlines():
            meta, path = line.split("\t", 1)
            mode, kind, obj, size = meta.split()
            rows.append((mode, kind, obj, path, 0 if size == "-" else int(size)))
        return rows

    def commit_info(self, sha: str) -> dict[str, str]:
        fmt = "%T%n%P%n%an%n%ae%n%at%n%cn%n%ce%n%ct%n%B"
        out = git("show", "-s", f"--format={fmt}", sha, cwd=self.path).split("\n", 8)
        keys = ["tree", "parents", "an", "ae", "at", "cn", "ce", "ct", "message"]
        return dict(zip(keys, out + [""] * (9 - len(out)), strict=True))


class StudentClone:
    """A student's working copy; commits can carry forged dates, pushes go through the hook."""

    def __init__(self, path: Path, remote: Path, login: str) -> None:
        self.path = path
        self.login = login
        self.remote = remote
        path.mkdir(parents=True, exist_ok=True)
        git("init", "--quiet", "--initial-branch=main", cwd=path)
        git("remote", "add", "origin", str(remote), cwd=path)
        if BareRepo(remote, "").head("main"):
            git("fetch", "--quiet", "origin", "main", cwd=path)
            git("reset", "--quiet", "--hard", "origin/main", cwd=path)

    def commit(
        self,
        files: dict[str, bytes | str],
        message: str = "work",
        date: str | None = None,
        symlinks: dict[str, str] | None = None,
    ) -> str:
        for name, data in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data.encode() if isinstance(data, str) else data)
        for name, target_path in (symlinks or {}).items():
            link = self.path / name
            link.parent.mkdir(parents=True, exist_ok=True)
            if link.is_symlink() or link.exists():
                link.unlink()
            link.symlink_to(target_path)
        git("add", "-A", cwd=self.path)
        env = {
            "GIT_AUTHOR_NAME": self.login,
            "GIT_AUTHOR_EMAIL": f"{self.login}@example.com",
            "GIT_COMMITTER_NAME": self.login,
            "GIT_COMMITTER_EMAIL": f"{self.login}@example.com",
        }
        if date:  # forged (client-side) commit date
            env.update({"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})
        git("commit", "--quiet", "--allow-empty", "-m", message, cwd=self.path, env=env)
        return git("rev-parse", "HEAD", cwd=self.path)

    def amend(self, files: dict[str, bytes | str], message: str = "rewritten") -> str:
        for name, data in files.items():
            (self.path / name).write_bytes(data.encode() if isinstance(data, str) else data)
        git("add", "-A", cwd=self.path)
        git(
            "commit",
            "--quiet",
            "--amend",
            "-m",
            message,
            cwd=self.path,
            env={"GIT_COMMITTER_NAME": self.login, "GIT_COMMITTER_EMAIL": "x@example.com"},
        )
        return git("rev-parse", "HEAD", cwd=self.path)

    def push(self, *, force: bool = False) -> None:
        args = ["push", "--quiet", "origin", "HEAD:refs/heads/main"]
        if force:
            args.insert(1, "--force")
        git(*args, cwd=self.path, env={"AG_TEST_ACTOR": self.login})

"""The HTTP side: routing, JSON, pagination with Link headers, rate-limit headers, faults."""

from __future__ import annotations

import json
import re
import socket
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .clock import SimClock
from .faults import Faults, fault_response
from .gitstore import StudentClone
from .state import Repo, World

PREFIX = "/api/v3"
REPO_PATH = re.compile(r"^/repos/([^/]+)/([^/]+)(/.*)?$")
REPO_BY_ID = re.compile(r"^/repositories/(\d+)(/.+)$")


@dataclass
class Request:
    method: str
    path: str  # without the /api/v3 prefix and without the query
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    match: re.Match[str] | None = None


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


Handler = Callable[[Request], Response]


@dataclass
class LoggedRequest:
    method: str
    path: str
    status: int
    query: str


class GitHubTestServer:
    """A GitHub-compatible server on 127.0.0.1:<free port>; see `api.py` for the endpoints."""

    def __init__(
        self,
        root: Path,
        *,
        clock: SimClock | None = None,
        org: str = "course-org",
        bot: str = "grader-bot",
        token: str = "test-token-123",
    ) -> None:
        self.clock = clock or SimClock()
        self.world = World(root, self.clock, org, bot, token)
        self.faults = Faults()
        self.log: list[LoggedRequest] = []
        self.rate_remaining = 5000
        self.tarball_overrides: dict[str, bytes] = {}  # sha -> bytes served instead of git archive
        self._lock = threading.Lock()
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{self.base}{PREFIX}"
        self.world.hook_url = f"{self.base}/_test/push"
        from .api import register

        register(self)
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle ------------------------------------------------------------------
    def start(self) -> GitHubTestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.routes.append((method, re.compile(f"^{pattern}$"), fn))
            return fn

        return deco

    # -- helpers for tests --------------------------------------------------------
    def requests(self, method: str | None = None, pattern: str = ".*") -> list[LoggedRequest]:
        with self._lock:
            return [
                r
                for r in self.log
                if (method is None or r.method == method) and re.search(pattern, r.path)
            ]

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()

    def url(self, path: str) -> str:
        return f"{self.api_url}{path}"

    def create_repo(self, name: str, **kwargs: object) -> Repo:
        return self.world.create_repo(name, **kwargs)  # type: ignore[arg-type]

    def clone(self, repo: Repo, login: str, workdir: Path) -> StudentClone:
        """A student's working copy of `repo`; its pushes reach the activity log."""
        return StudentClone(workdir / f"{login}-{repo.id}", repo.git.path, login)

    # -- pagination -----------------------------------------------------------------
    def paginate(self, req: Request, items: list[Any]) -> Response:
        per_page = min(int(req.query.get("per_page", 30)), 100)
        page = max(int(req.query.get("page", 1)), 1)
        last = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []

        def link(n: int, rel: str) -> str:
            query = {**req.query, "page": str(n), "per_page": str(per_page)}
            return f'<{self.api_url}{req.path}?{urllib.parse.urlencode(query)}>; rel="{rel}"'

        if page > 1:
            links += [link(page - 1, "prev"), link(1, "first")]
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        headers = {"Link": ", ".join(links)} if links else {}
        return Response(200, chunk, headers)

    # -- the handler class --------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def setup(self) -> None:
                super().setup()  # headers and body are separate writes: no Nagle delay
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _serve(self) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
                headers = {k.lower(): v for k, v in self.headers.items()}
                entry = LoggedRequest(self.command, parsed.path, 0, parsed.query)
                with server._lock:
                    server.log.append(entry)  # logged on arrival; the status once answered
                response = server.dispatch(self.command, parsed.path, query, body, headers)
                entry.status = response.status
                try:
                    self._send(response)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _send(self, response: Response) -> None:
                payload = response.raw
                content_type = "application/octet-stream"
                if payload is None:
                    payload = b"" if response.body is None else json.dumps(response.body).encode()
                    content_type = "application/json; charset=utf-8"
                self.send_response(response.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve  # noqa: N815

        return _Handler

    def dispatch(
        self, method: str, path: str, query: dict[str, str], body: Any, headers: dict[str, str]
    ) -> Response:
        now = self.clock.time()
        fault = self.faults.pick(method, path)
        if fault is not None and not fault.after_effect:
            status, fheaders, fbody = fault_response(fault, now)
            return Response(status, fbody, {**self._rate_headers(now), **fheaders})
        response = self._route(method, path, query, body, headers)
        if fault is not None:  # the write happened, but the client is told it failed
            status, fheaders, fbody = fault_response(fault, now)
            response = Response(status, fbody, fheaders)
        if path.startswith(PREFIX):
            response = self._conditional(method, headers, response)
            counted = response.status != 304  # GitHub: a 304 costs no rate limit
            response.headers = {**self._rate_headers(now, counted=counted), **response.headers}
        return response

    @staticmethod
    def _conditional(method: str, headers: dict[str, str], response: Response) -> Response:
        """ETag on JSON GETs; ``If-None-Match`` with the current tag gets an empty 304."""
        if method != "GET" or response.status != 200 or response.raw is not None:
            return response
        import hashlib

        text = json.dumps(response.body, sort_keys=True) + response.headers.get("Link", "")
        etag = f'W/"{hashlib.sha1(text.encode()).hexdigest()}"'
        response.headers = {**response.headers, "ETag": etag}
        if etag in (t.strip() for t in headers.get("if-none-match", "").split(",")):
            return Response(304, None, {"ETag": etag})
        return response

    def _renamed(self, method: str, sub: str, query: dict[str, str]) -> Response | None:
        """GitHub on a renamed repo's old name: 301 to ``/repositories/{id}/...`` for reads,
        307 for writes (the Location keeps the rest of the path and the query)."""
        match = REPO_PATH.match(urllib.parse.unquote(sub))
        if match is None:
            return None
        owner, name, rest = match.group(1), match.group(2), match.group(3) or ""
        with self.world.lock:
            if self.world.repo(owner, name) is not None:
                return None
            moved = self.world.renamed_from(owner, name)
        if moved is None:
            return None
        location = f"{self.api_url}/repositories/{moved.id}{rest}"
        if query:
            location += "?" + urllib.parse.urlencode(query)
        status = 301 if method in ("GET", "HEAD") else 307
        message = "Moved Permanently" if status == 301 else "Temporary Redirect"
        return Response(status, {"message": message, "url": location}, {"Location": location})

    def _by_id(self, sub: str) -> str:
        """``/repositories/{id}/rest`` is the repo's current ``/repos/{owner}/{name}/rest``."""
        match = REPO_BY_ID.match(sub)
        if match is None:
            return sub
        with self.world.lock:
            repo = self.world.repos.get(int(match.group(1)))
        return sub if repo is None else f"/repos/{repo.full_name}{match.group(2)}"

    def _rate_headers(self, now: float, *, counted: bool = True) -> dict[str, str]:
        with self._lock:
            if counted:
                self.rate_remaining = max(0, self.rate_remaining - 1)
            remaining = self.rate_remaining
        return {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-used": str(5000 - remaining),
            "x-ratelimit-reset": str(int(now) + 3600),
            "x-ratelimit-resource": "core",
        }

    def _route(
        self, method: str, path: str, query: dict[str, str], body: Any, headers: dict[str, str]
    ) -> Response:
        internal = not path.startswith(PREFIX)
        sub = path if internal else path[len(PREFIX) :] or "/"
        if not internal:
            auth = headers.get("authorization", "")
            if auth not in (f"token {self.world.token}", f"Bearer {self.world.token}"):
                return Response(401, {"message": "Bad credentials"})
        if not internal:
            moved = self._renamed(method, sub, query)
            if moved is not None:
                return moved
            sub = self._by_id(sub)
        req = Request(method, sub, query, body, headers)
        for verb, pattern, handler in self.routes:
            if verb != method:
                continue
            match = pattern.match(urllib.parse.unquote(sub))
            if match:
                req.match = match
                try:
                    with self.world.lock:
                        return handler(req)
                except ApiError as exc:
                    return Response(exc.status, {"message": exc.message})
        return Response(404, {"message": "Not Found"})

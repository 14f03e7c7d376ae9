"""``POST /webhook``: GitHub push webhooks over a stdlib threading HTTP server.

Order of checks, cheapest and safest first: path and method; a declared
``Content-Length`` within the cap (GitHub sends at most 25 MB; larger is 413 and
the body is never read); the raw body read; its ``X-Hub-Signature-256`` checked
in constant time (403 when missing or wrong, before any parsing); only then the
intake (`intake.py`), which records and queues and never grades. Every answer
comes in milliseconds; the work happens in the worker thread.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from autograder.continuous.intake import Answer, Intake
from autograder.continuous.signature import verify_signature

log = logging.getLogger(__name__)

MAX_BODY = 25 * 1024 * 1024  # GitHub's payload cap
PATH = "/webhook"


class WebhookServer:
    def __init__(
        self,
        *,
        intake: Intake,
        secret: bytes,
        host: str = "127.0.0.1",
        port: int = 8080,
        max_body: int = MAX_BODY,
    ) -> None:
        if not secret:
            raise ValueError("a webhook secret is required")
        self.intake = intake
        self.secret = secret
        self.max_body = max_body
        self.httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self.httpd.daemon_threads = True
        bound_host, self.port = self.httpd.server_address[:2]
        self.host = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{PATH}"

    def start(self) -> WebhookServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.5)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "autograder-webhook"
            timeout = 30  # seconds a client may stall mid-request (slow-loris)
            sys_version = ""

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                log.debug("%s " + format, self.address_string(), *args)

            def setup(self) -> None:
                super().setup()
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _answer(self, status: int, body: dict[str, object], *, close: bool = False) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                if close:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:  # noqa: N802
                if self.path.split("?")[0] == "/healthz":
                    self._answer(200, {"status": "ok", "jobs": server.intake.queue.counts()})
                else:
                    self._answer(404, {"error": "not found"})

            def do_POST(self) -> None:  # noqa: N802
                if self.path.split("?")[0] != PATH:
                    self._answer(404, {"error": "not found"}, close=True)
                    return
                if self.headers.get("Transfer-Encoding"):
                    self._answer(411, {"error": "Content-Length required"}, close=True)
                    return
                try:
                    length = int(self.headers.get("Content-Length", ""))
                except ValueError:
                    self._answer(411, {"error": "Content-Length required"}, close=True)
                    return
                if length < 0:
                    self._answer(400, {"error": "bad Content-Length"}, close=True)
                    return
                if length > server.max_body:  # refused unread; the connection is closed
                    self._answer(413, {"error": "payload too large"}, close=True)
                    return
                body = self.rfile.read(length)
                if len(body) != length:
                    self._answer(400, {"error": "truncated body"}, close=True)
                    return
                signature = self.headers.get("X-Hub-Signature-256")
                if not verify_signature(server.secret, body, signature):
                    self._answer(403, {"error": "bad or missing signature"})
                    return
                try:
                    answer = server.intake.handle(
                        event=self.headers.get("X-GitHub-Event", ""),
                        delivery=self.headers.get("X-GitHub-Delivery", ""),
                        body=body,
                    )
                except Exception:  # noqa: BLE001 - answer 500 so GitHub marks it failed
                    log.exception("webhook intake failed")
                    answer = Answer(500, {"error": "internal error"})
                self._answer(answer.status, answer.body)

            def _not_allowed(self) -> None:
                self._answer(405, {"error": "method not allowed"}, close=True)

            do_PUT = do_PATCH = do_DELETE = _not_allowed  # noqa: N815

        return Handler

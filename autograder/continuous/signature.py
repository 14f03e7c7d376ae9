"""GitHub's webhook signature: ``X-Hub-Signature-256: sha256=<HMAC-SHA256(secret, raw body)>``.

Computed over the exact bytes received (never re-serialised JSON) and compared in
constant time. The signature covers no timestamp: replays are caught by the
delivery id (`queue.WorkQueue.record_delivery`), not here.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="
SECRET_ENV = "AUTOGRADER_WEBHOOK_SECRET"


def sign(secret: bytes, body: bytes) -> str:
    return PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify_signature(secret: bytes, body: bytes, header: str | None) -> bool:
    """True only for a well-formed header whose digest matches; empty secrets never verify."""
    if not secret or not header or not header.startswith(PREFIX):
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.strip().encode())

"""Continuous grading: push webhooks, polling, a persistent queue, check-policy feedback.

`autograder serve` receives signed push webhooks (`webhook.py`); `autograder watch`
polls with conditional requests (`poller.py`). Both feed the same queue in the
workspace database (`queue.py`), drained by one worker thread (`worker.py`) that
collects one student's repo, grades it and posts feedback rendered with the week's
check policy before the deadline (`render.py`) and in full after it.
"""

from autograder.continuous.queue import WorkQueue
from autograder.continuous.signature import sign, verify_signature

__all__ = ["WorkQueue", "sign", "verify_signature"]

"""The limit: execute notebooks with plain nbclient, one at a time, no grading.

    python bench/bare.py NOTEBOOK...

Each notebook gets a fresh kernel (start + execute + shutdown), as in grading,
but nothing is sanitized, restored or scored. Prints one line per
notebook and the sum (``TOTAL <seconds>``), which compare.py reads.
"""

from __future__ import annotations

import os
import sys
import time

import gpu_runner._fastimport  # noqa: F401  (before nbformat)

# isort: split
import nbformat
from nbclient import NotebookClient


def main(paths: list[str]) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("MPLBACKEND", "Agg")
    total = 0.0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        started = time.monotonic()
        NotebookClient(
            nb,
            kernel_name="python3",
            timeout=600,
            allow_errors=True,
            resources={"metadata": {"path": os.path.dirname(path)}},
        ).execute()
        took = time.monotonic() - started
        total += took
        print(f"{path}\t{took:.3f}")
    print(f"TOTAL {total:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

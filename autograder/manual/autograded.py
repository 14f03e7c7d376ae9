"""The executed notebooks where nbgrader's formgrader looks for them.

``<workspace>/autograded/<login>/<week>/<notebook>.ipynb`` (nbgrader's
``autograded_directory``) plus its ``timestamp.txt``. These copies hold the test
cells with their hidden tests, as nbgrader's own autograded notebooks do: the
folder is the instructor's (inside the git-ignored workspace) and nothing in it is
ever sent to a student; feedback is rendered from results, never from these files.

Formgrader renders these notebooks as HTML in the instructor's browser, with the
token of the instructor's server, and its template shows Markdown cells and outputs
unsanitised. So the copy is made inert: outputs keep only plain text and PNG/JPEG
images (no HTML, JavaScript, SVG, Markdown or widget outputs from the student's
code), and in Markdown cells ``&`` and ``<`` are escaped, so raw HTML shows as text.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder.course import Course
from autograder.submissions import TIMESTAMP_FILE
from gpu_runner.job import RunOutput

KEPT_MIME = ("text/plain", "image/png", "image/jpeg")


def inert_notebook(nb: NotebookNode) -> NotebookNode:
    """`nb` safe to render in formgrader (see the module docstring)."""
    for cell in nb.cells:
        cell.get("metadata", {}).pop("autograder", None)
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace("&", "&amp;").replace("<", "&lt;")
            cell.pop("attachments", None)
        elif cell.cell_type == "code":
            outputs = []
            for out in cell.get("outputs", []):
                if out.get("output_type") in ("display_data", "execute_result"):
                    data = {k: v for k, v in out.get("data", {}).items() if k in KEPT_MIME}
                    if not data:
                        continue
                    out["data"] = data
                    out["metadata"] = {}
                outputs.append(out)
            cell.outputs = outputs
    nb.metadata.pop("widgets", None)
    return nb


def write_autograded(course: Course, *, week: str, login: str, output: RunOutput) -> Path:
    """Replace the student's autograded folder with the executed notebooks of `output`."""
    target = course.autograded_dir / login / week
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{week}.", dir=target.parent))
    try:
        for run in output.notebooks:
            name = Path(run.name).name
            if not name.endswith(".ipynb") or name != run.name:
                continue
            nb = inert_notebook(nbformat.reads(run.notebook_json, as_version=4))
            nbformat.write(nb, staging / name)
        stamp = course.submission_dir(week, login) / TIMESTAMP_FILE
        if stamp.is_file():
            shutil.copyfile(stamp, staging / TIMESTAMP_FILE)
        os.chmod(staging, 0o755)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target

"""Sanitize, first step: a submitted notebook made safe to read at all.

Runs before anything else looks at the notebook. Two rules:

- every string is valid Unicode (a JSON ``"\\ud800"`` escape decodes to a lone
  surrogate, which would crash any later UTF-8 encode: writing the job, the
  result, the gradebook);
- metadata keys the grader uses internally (any key starting with ``autograder``,
  on the notebook or on a cell) are removed: a student cannot forge them.
"""

from __future__ import annotations

import nbformat
from nbformat import NotebookNode

from autograder.messages import Message
from gpu_runner.textsafe import display_text, valid_json

INTERNAL_PREFIX = "autograder"


def _internal(key: object) -> bool:
    return isinstance(key, str) and key.lower().startswith(INTERNAL_PREFIX)


def _strip(metadata: object) -> list[str]:
    if not isinstance(metadata, dict):
        return []
    found = [key for key in metadata if _internal(key)]
    for key in found:
        del metadata[key]
    return found


def normalize_notebook(nb: NotebookNode, *, name: str, problems: list[Message]) -> NotebookNode:
    """`nb` with valid strings and no internal metadata; a note when keys were removed."""
    clean = nbformat.from_dict(valid_json(nb))
    removed = _strip(clean.get("metadata"))
    cells = clean.get("cells")
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict):
            removed += _strip(cell.get("metadata"))
    if removed:
        keys = ", ".join(sorted({display_text(k, 60) for k in removed}))
        problems.append(Message.of("problem.internal_metadata", notebook=name, keys=keys))
    return clean

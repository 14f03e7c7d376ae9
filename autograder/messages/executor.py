"""The executor's fixed English texts (gpu_runner never imports the catalog) as codes.

`gpu_runner` writes a short English sentence when an export or a probe fails for a
reason that is not the student's own exception; the catalog's ``executor.*`` entries
hold those sentences as their English text, so the match is exact, and a student's
exception text (anything else) stays verbatim.
"""

from __future__ import annotations

from autograder.messages import CATALOG, Message

_BY_TEXT = {
    entry["en"]: code
    for code, entry in CATALOG.items()
    if code.startswith("executor.") and "{" not in entry["en"]
}


def executor_message(text: str) -> Message:
    """The executor's text as a fact: a known code, a timeout, or the text itself."""
    text = text.strip()[:500] or "?"
    if text in _BY_TEXT:
        return Message.of(_BY_TEXT[text])
    if text.startswith("timed out after ") and text.endswith(" s"):
        seconds = text.removeprefix("timed out after ").removesuffix(" s")
        return Message.of("executor.timed_out", seconds=seconds)
    return Message.text(text)

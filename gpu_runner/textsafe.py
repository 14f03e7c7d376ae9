"""Text that crosses the trust boundary: valid Unicode, nothing invisible, bounded.

Student code controls every string that comes out of the sandbox or a submission
(exception messages, file names, notebook text). Two levels:

- `valid_text`: always safe to encode as UTF-8 (lone surrogates, which JSON's
  ``\\ud800`` escapes and ``surrogateescape`` file names produce, become U+FFFD).
  Applied to everything decoded at the boundary.
- `display_text`: `valid_text`, then control, format (bidi overrides, zero-width
  joiners, BOM), separator and invisible filler characters removed, and capped.
  Applied to anything a person reads (feedback, reports, console, problems).

Pure functions, no imports from `autograder`: both packages use them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"
ELLIPSIS = "…"

# invisible letters and marks that Unicode does not class as format characters
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180e\u3164\uffa0\u2800")
# categories never rendered: control, format (bidi, zero-width), surrogate, private use,
# unassigned, line and paragraph separators
_DROP = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))


def valid_text(text: str) -> str:
    """`text` with every lone surrogate replaced, so that it always encodes as UTF-8."""
    return SURROGATE.sub(REPLACEMENT, text)


def decode_bytes(data: bytes) -> str:
    """Bytes from outside as text: UTF-8, invalid sequences replaced (never raises)."""
    return data.decode("utf-8", "replace")


def _keep(char: str, *, newlines: bool) -> bool:
    if char == "\n":
        return newlines
    if char == "\t":
        return True
    if char in _INVISIBLE:
        return False
    # variation selectors and tag characters: invisible modifiers
    if "\ufe00" <= char <= "\ufe0f" or "\U000e0000" <= char <= "\U000e0fff":
        return False
    return unicodedata.category(char) not in _DROP


def display_text(text: str, limit: int | None = None, *, newlines: bool = False) -> str:
    """Printable text for people: no control or invisible characters, at most `limit` chars.

    Tabs are kept, newlines only when `newlines` (else they become spaces).
    """
    text = valid_text(text)
    if not newlines:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    cleaned = "".join(c for c in text if _keep(c, newlines=newlines))
    return cap(cleaned, limit)


def cap(text: str, limit: int | None) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    if limit is None or len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + ELLIPSIS


def valid_json(value: Any) -> Any:
    """A decoded JSON value with `valid_text` applied to every string, keys included."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, list):
        return [valid_json(v) for v in value]
    if isinstance(value, dict):
        return {valid_text(str(k)): valid_json(v) for k, v in value.items()}
    return value


__all__ = ["cap", "decode_bytes", "display_text", "valid_json", "valid_text"]

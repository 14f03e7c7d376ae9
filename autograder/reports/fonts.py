"""A font for Korean plot labels, or none (then plots fall back to English).

Matplotlib's font cache may predate a font installed later (``apt-get install
fonts-nanum``), so the system font folders are scanned too and a font that
really covers Hangul is registered. Never guessed by name alone: a font is
used only when its character map holds the Hangul syllables the labels need.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PREFERRED = (
    "NanumGothic",
    "NanumBarunGothic",
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "Source Han Sans KR",
    "Malgun Gothic",
    "AppleGothic",
    "UnDotum",
)
_HINTS = ("nanum", "cjk", "kr", "korean", "hangul", "malgun", "gothic", "dotum", "gulim", "batang")
_PROBE = "가한글점수"


def covers_hangul(path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(path).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in _PROBE)


@lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """The family name of an installed font that renders Hangul, or None."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    known = {f.name: f.fname for f in manager.ttflist}
    for family in PREFERRED:
        if family in known and covers_hangul(known[family]):
            return family
    candidates = [
        p for p in font_manager.findSystemFonts() if any(h in Path(p).name.lower() for h in _HINTS)
    ]
    found: dict[str, str] = {}
    for path in sorted(candidates):
        if path.lower().endswith((".ttf", ".otf", ".ttc")) and covers_hangul(path):
            name: str = font_manager.FontProperties(fname=path).get_name()
            found.setdefault(name, path)
    if not found:
        return None
    family = next((f for f in PREFERRED if f in found), sorted(found)[0])
    manager.addfont(found[family])
    return family

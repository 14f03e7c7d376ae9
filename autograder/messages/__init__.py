"""One message catalog (Korean, English) and its one renderer.

Inside the grader, text is a fact: a `Message` (a stable code from `catalog.CATALOG`
and its parameters). It becomes a sentence only where a person reads it (feedback,
reports, console, the text fields of the JSON contract), through `render`.

One fallback rule: a language an entry lacks falls back to the other language (a
language the catalog does not know at all is the course default, Korean). An unknown
code is a `KeyError`, never guessed; `tests/test_messages.py` checks every entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from autograder.messages.catalog import CATALOG

LANGUAGES = ("ko", "en")
DEFAULT_LANGUAGE = "ko"  # the course language unless course.toml says otherwise
TEXT = "note.text"  # free text that has no code (an exception's message, an old result)

__all__ = ["CATALOG", "LANGUAGES", "Labels", "Message", "language_of", "render"]


def language_of(language: str | None) -> str:
    """`language` when the catalog has it, else the course default."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _template(code: str, language: str | None) -> str:
    entry = CATALOG[code]
    lang = language_of(language)
    text = entry.get(lang)
    if text is None:  # the one fallback: the other language
        text = next(entry[other] for other in LANGUAGES if other != lang)
    return text


def render(code: str, language: str | None, /, **params: Any) -> str:
    """The sentence for `code` in `language`; `Message` parameters are rendered too."""
    values = {k: v.render(language) if isinstance(v, Message) else v for k, v in params.items()}
    return _template(code, language).format(**values)


@dataclass(frozen=True)
class Message:
    """A fact people will read: a catalog code and its parameters (plain data or Messages)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, code: str, /, **params: Any) -> Message:
        CATALOG[code]  # an unknown code fails where it is made, not where it is shown
        return cls(code, params)

    @classmethod
    def text(cls, text: str) -> Message:
        """Free text with no code (an exception's message, a result stored before codes)."""
        return cls(TEXT, {"text": str(text)})

    def __hash__(self) -> int:  # params is a dict: hash what equality compares
        return hash((self.code, tuple(sorted((k, repr(v)) for k, v in self.params.items()))))

    @property
    def is_text(self) -> bool:
        return self.code == TEXT

    def render(self, language: str | None) -> str:
        return render(self.code, language, **self.params)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "params": {
                k: v.to_dict() if isinstance(v, Message) else v for k, v in self.params.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Message:
        """A stored fact; anything else (an old result's plain string) becomes free text."""
        if not isinstance(data, Mapping):
            return cls.text(str(data))
        code = str(data.get("code", ""))
        if code not in CATALOG:
            return cls.text(str(data.get("params", {}).get("text", code)))
        params = {
            str(k): cls.from_dict(v) if isinstance(v, Mapping) and "code" in v else v
            for k, v in dict(data.get("params", {})).items()
        }
        return cls(code, params)


class Labels:
    """`render` bound to one language and one area: ``tx = Labels("ko", "report"); tx("mean")``."""

    def __init__(self, language: str | None, area: str) -> None:
        self.language = language_of(language)
        self.area = area

    def __call__(self, key: str, /, **values: Any) -> str:
        return render(f"{self.area}.{key}", self.language, **values)

"""Generate docs/configuration.md from the typed configuration model.

    python docs/gen_config.py            # rewrite docs/configuration.md
    python docs/gen_config.py --check    # exit 1 when it is out of date
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from pydantic import BaseModel

HEADER = """# Configuration reference

Generated from `autograder/config.py` by `python docs/gen_config.py`; do not edit by hand.
Every key is optional. A bad file stops the command with exit code 2 and a message naming
the file, the key and the problem.
"""


def _default(field) -> str:  # type: ignore[no-untyped-def]
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "(table)"
    return f"`{value!r}`"


def _table(model: type[BaseModel], prefix: str) -> list[str]:
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    nested: list[tuple[str, type[BaseModel]]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        kind = getattr(annotation, "__name__", str(annotation)).replace("typing.", "")
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            nested.append((f"{prefix}{name}", annotation))
        rows.append(f"| `{name}` | {kind.replace('|', 'or')} | {_default(field)} | {field.description or ''} |")
    out = rows
    for key, sub in nested:
        out += ["", f"### `[{key}]`", "", (sub.__doc__ or "").strip(), "", *_table(sub, f"{key}.")]
    return out


def render() -> str:
    from autograder.config import AssignmentConfig, CourseConfig, Rule, Threshold

    parts = [HEADER, "\n## `course.toml`\n", (CourseConfig.__doc__ or "").strip(), ""]
    parts += _table(CourseConfig, "")
    parts += ["", "## `solutions/WEEK/assignment.toml`", "", (AssignmentConfig.__doc__ or "").strip(), ""]
    parts += _table(AssignmentConfig, "")
    parts += ["", "### `[[thresholds]]`", "", (Threshold.__doc__ or "").strip(), ""]
    parts += _table(Threshold, "thresholds.")
    parts += ["", "### `[[rules]]`", "", inspect.cleandoc(Rule.__doc__ or ""), ""]
    parts += _table(Rule, "rules.")
    return "\n".join(parts) + "\n"


def main() -> int:
    target = Path(__file__).with_name("configuration.md")
    text = render()
    if "--check" in sys.argv:
        return 0 if target.exists() and target.read_text() == text else 1
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

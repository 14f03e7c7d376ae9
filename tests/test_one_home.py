"""Issue 18: each concept has one home, reached through public names."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def test_no_private_names_imported_across_packages() -> None:
    crossings = []
    for path in sorted((ROOT / "autograder").rglob("*.py")):
        here = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
                continue
            if not node.module.startswith("autograder.") or _package(node.module) == _package(here):
                continue
            private = [a.name for a in node.names if a.name.startswith("_")]
            if private:
                crossings.append(f"{here}: from {node.module} import {', '.join(private)}")
    assert crossings == []


def test_continuous_collect_uses_the_public_step() -> None:
    source = (ROOT / "autograder" / "continuous" / "collect.py").read_text(encoding="utf-8")
    assert "collect_repo" in source and "colleague" not in source

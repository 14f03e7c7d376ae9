"""Host step: "by hand" rules, checked statically on the student's cell sources.

Nothing here runs the student's code or trusts the kernel: a rule is broken when
the student's cells (every code cell that is not the release's locked cell or a
test) name a forbidden module, callable or attribute, after following import
aliases and simple assignments, or use a dynamic escape that a static check
cannot see through. A violation zeroes the tests the rule names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from nbformat import NotebookNode

from autograder.config import Rule
from gpu_runner.job import ROLE_KEY

#: calls that reach names a static check cannot see
DYNAMIC_CALLS = frozenset(
    {"__import__", "eval", "exec", "compile", "globals", "locals", "vars", "get_ipython"}
)
DYNAMIC_MODULES = ("importlib", "builtins", "sys", "ctypes", "inspect", "runpy", "code")
DYNAMIC_ATTRIBUTES = frozenset({"__dict__", "__builtins__", "__getattribute__", "__import__"})
#: line magics that run nothing hidden (``%time``/``%timeit`` lines are checked as code)
HARMLESS_MAGICS = ("matplotlib", "config", "precision", "load_ext autoreload", "autoreload")


@dataclass(frozen=True)
class Violation:
    rule: str
    tests: tuple[str, ...]
    what: str  # e.g. "numpy.mean"
    cell: int  # 1-based number among the notebook's code cells
    line: int

    @property
    def where(self) -> str:
        return f"{self.what}, cell {self.cell} line {self.line}"


def _python(source: str) -> tuple[str, list[tuple[int, str]]]:
    """Source with magics blanked (timed lines kept as code), plus the magics found."""
    lines, magics = [], []
    cell_magic = False
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.lstrip()
        if number == 1 and stripped.startswith("%%"):
            cell_magic = True
        if stripped.startswith(("%time ", "%timeit ")):
            lines.append(line.replace(stripped, stripped.split(" ", 1)[1]))
        elif stripped.startswith(("%", "!")):
            name = stripped.lstrip("%!")
            if not (stripped.startswith("%") and name.startswith(HARMLESS_MAGICS)):
                magics.append((number, stripped.split()[0] if stripped.split() else stripped))
            lines.append("")
        else:
            lines.append(line)
    if cell_magic:
        magics.append((1, source.lstrip().split()[0]))
    return "\n".join(lines) + "\n", magics


class _Checker(ast.NodeVisitor):
    def __init__(self, rule: Rule, aliases: dict[str, str]) -> None:
        self.rule = rule
        self.aliases = aliases  # name -> qualified name, shared across the notebook's cells
        self.found: list[tuple[str, int]] = []

    # -- names -----------------------------------------------------------------------------

    def qualified(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualified(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def _forbidden_name(self, name: str) -> bool:
        for pattern in self.rule.forbid_calls:
            if pattern.endswith(".*"):
                if name.startswith(pattern[:-1]):
                    return True
            elif name == pattern or name.startswith(pattern + "."):
                return True
        return any(name == m or name.startswith(m + ".") for m in self.rule.forbid_imports)

    def _hit(self, what: str, node: ast.AST) -> None:
        self.found.append((what, getattr(node, "lineno", 0)))

    # -- visitors --------------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._module(alias.name, node)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases[top] = top

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        self._module(module, node)
        for alias in node.names:
            full = f"{module}.{alias.name}" if module else alias.name
            if alias.name == "*":
                if any(p.startswith(module + ".") for p in self.rule.forbid_calls):
                    self._hit(f"from {module} import *", node)
                continue
            if self._forbidden_name(full):
                self._hit(full, node)
            self.aliases[alias.asname or alias.name] = full

    def _module(self, name: str, node: ast.AST) -> None:
        if any(name == m or name.startswith(m + ".") for m in self.rule.forbid_imports):
            self._hit(name, node)
        elif not self.rule.allow_dynamic and name.split(".")[0] in DYNAMIC_MODULES:
            self._hit(name, node)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        target = self.qualified(node.value)
        for t in node.targets:
            if isinstance(t, ast.Name):
                if target:
                    self.aliases[t.id] = target
                else:
                    self.aliases.pop(t.id, None)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            name = self.aliases.get(node.id)
            if name and self._forbidden_name(name) and name.count("."):
                self._hit(name, node)
            if not self.rule.allow_dynamic and node.id in ("__builtins__", "importlib"):
                self._hit(node.id, node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = self.qualified(node)
        if name and self._forbidden_name(name):
            self._hit(name, node)
            return
        if node.attr in self.rule.forbid_attributes:
            self._hit(f".{node.attr}", node)
        if not self.rule.allow_dynamic and node.attr in DYNAMIC_ATTRIBUTES:
            self._hit(f".{node.attr}", node)
        self.visit(node.value)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("getattr", "hasattr", "setattr", "delattr"):
            attr = node.args[1] if len(node.args) > 1 else None
            if isinstance(attr, ast.Constant) and isinstance(attr.value, str):
                base = self.qualified(node.args[0])
                if attr.value in self.rule.forbid_attributes:
                    self._hit(f".{attr.value}", node)
                elif base and self._forbidden_name(f"{base}.{attr.value}"):
                    self._hit(f"{base}.{attr.value}", node)
            elif not self.rule.allow_dynamic:
                self._hit(f"{func.id}(..., <computed name>)", node)
        elif (
            isinstance(func, ast.Name)
            and func.id in DYNAMIC_CALLS
            and not self.rule.allow_dynamic
            and func.id not in self.aliases
        ):
            self._hit(f"{func.id}()", node)
        self.generic_visit(node)


def code_cells(nb: NotebookNode) -> Iterable[tuple[int, str, str]]:
    """(code cell number, role, source) of every code cell, in order."""
    number = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        meta = cell.get("metadata", {}).get(ROLE_KEY, {})
        role = meta.get("role", "student") if isinstance(meta, dict) else "student"
        yield number, role, cell.source


def check_rules(rules: list[Rule], nb: NotebookNode) -> list[Violation]:
    """The first violation of each rule in the student's cells (in notebook order).

    The locked setup cells run in the same kernel, so their imports count as
    aliases (``np`` from the setup is numpy); only the student's cells can break
    a rule. Test cells never run in the kernel and are skipped.
    """
    violations = []
    cells = [c for c in code_cells(nb) if c[1] in ("student", "setup")]
    for rule in rules:
        aliases: dict[str, str] = {}
        for number, role, source in cells:
            code, magics = _python(source)
            hits: list[tuple[str, int]] = []
            if magics and not rule.allow_dynamic:
                hits += [(name, line) for line, name in magics]
            try:
                tree = ast.parse(code)
            except SyntaxError:
                tree = None  # a cell that does not compile defines nothing in the kernel
            if tree is not None:
                checker = _Checker(rule, aliases)
                checker.visit(tree)
                hits += checker.found
            if hits and role == "student":
                what, line = min(hits, key=lambda h: h[1])
                violations.append(Violation(rule.id, tuple(rule.tests), what, number, line))
                break
    return violations


__all__ = ["Violation", "check_rules", "code_cells"]

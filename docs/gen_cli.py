"""Generate docs/cli.md from the CLI's own --help texts.

    python docs/gen_cli.py            # rewrite docs/cli.md
    python docs/gen_cli.py --check    # exit 1 when docs/cli.md is out of date

tests/test_docs.py runs the check, so an undocumented command fails the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

HEADER = """# Command-line reference

Generated from `--help` by `python docs/gen_cli.py`; do not edit by hand.

Exit codes: 0 ok · 1 some submissions hit an infrastructure error (or a command failed) ·
2 bad usage or configuration · 3 a runner is unavailable · 4 stale release (`release --check`).
"""


def _walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.list_commands(click.Context(command))):
            sub = command.get_command(click.Context(command), name)
            if sub is not None and not sub.hidden:
                found += _walk(sub, [*path, name])
    return found


def render() -> str:
    from autograder.cli import cli

    parts = [HEADER]
    # every command as the real CLI builds it: the root's settings (-h/--help) inherited,
    # so the help option click caches on each command is the same whoever builds it first
    settings = {**cli.context_settings, **{"terminal_width": 100, "max_content_width": 100}}
    for path, command in _walk(cli, ["autograder"]):
        ctx = click.Context(command, info_name=" ".join(path), **settings)
        title = " ".join(path)
        parts.append(f"\n## `{title}`\n\n```text\n{command.get_help(ctx)}\n```\n")
    return "".join(parts)


def main() -> int:
    target = Path(__file__).with_name("cli.md")
    text = render()
    if "--check" in sys.argv:
        if not target.exists() or target.read_text() != text:
            print("docs/cli.md is out of date: run `python docs/gen_cli.py`", file=sys.stderr)
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

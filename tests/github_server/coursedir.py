"""A minimal course folder wired to the test server."""

from __future__ import annotations

from pathlib import Path

from .server import GitHubTestServer


def make_course(
    root: Path,
    server: GitHubTestServer,
    *,
    deadlines: dict[str, str],
    grace_minutes: float = 0,
    language: str = "ko",
    roster: list[tuple[str, str, str, str]] | None = None,
) -> Path:
    """A minimal course folder whose [github] table points at the test server."""
    import nbformat

    root.mkdir(parents=True, exist_ok=True)
    lines = [
        f'language = "{language}"',
        "",
        "[late_policy]",
        f"grace_minutes = {grace_minutes}",
        "",
        "[github]",
        f'org = "{server.world.org}"',
        f'api_url = "{server.api_url}"',
    ]
    if roster is not None:
        lines.insert(0, 'roster = "roster.csv"')
        rows = ["login,student_id,name,section", *(",".join(r) for r in roster)]
        (root / "roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (root / "course.toml").write_text("\n".join(lines) + "\n")
    for week, deadline in deadlines.items():
        for folder in (root / "solutions" / week, root / "assignments" / week):
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(
                nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]),
                folder / f"{week}.ipynb",
            )
        (root / "solutions" / week / "assignment.toml").write_text(f'deadline = "{deadline}"\n')
    return root

"""``autograder similarity WEEK``: pairs of similar submissions, flagged for review.

Exit codes: 0 ok (flagged pairs are not an error), 2 bad usage or configuration.
"""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.table import Table

from autograder.commands import course_of


@click.command("similarity")
@click.argument("week")
@click.option("--json", "as_json", is_flag=True, help="Print every pair as JSON on stdout.")
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    help="Flag pairs scoring at least this (default 0.65).",
)
@click.option(
    "--allow",
    type=(str, str),
    default=None,
    metavar="A B",
    help="Mark a pair allowed (declared pair work).",
)
@click.option(
    "--reviewed",
    type=(str, str),
    default=None,
    metavar="A B",
    help="Mark a pair reviewed (looked at, no action).",
)
@click.option(
    "--unmark", type=(str, str), default=None, metavar="A B", help="Remove the mark of a pair."
)
@click.option("--note", default="", help="Why, kept with --allow / --reviewed.")
@click.option(
    "--top", type=click.IntRange(min=1), default=20, show_default=True, help="Rows in the table."
)
@click.option(
    "--language", type=click.Choice(["ko", "en"]), help="Override course.toml's language."
)
@click.option("--no-flags", is_flag=True, help="Do not write the review flag into the results.")
@click.pass_context
def similarity(
    ctx: click.Context,
    week: str,
    as_json: bool,
    threshold: float | None,
    allow: tuple[str, str] | None,
    reviewed: tuple[str, str] | None,
    unmark: tuple[str, str] | None,
    note: str,
    top: int,
    language: str | None,
    no_flags: bool,
) -> None:
    """Compare the students' own code (and unusual outputs) of WEEK, pair by pair.

    Scores every pair 0..1, robust to renamed variables, reordered functions,
    rewritten comments and split cells; the release's code does not count.
    Pairs at or above the threshold are flagged for the instructor's review
    (never a penalty): a flag in both results (naming no one), the report's
    similarity section and the CSV export. --allow / --reviewed A B keep a
    decision in the workspace; it survives regrading. Writes
    <workspace>/reports/WEEK/similarity.html.
    """
    from autograder.messages import Labels
    from autograder.similarity import DEFAULT_THRESHOLD, analyse_week, apply_flags
    from autograder.similarity.render import render_page
    from autograder.similarity.reviews import mark_pair, unmark_pair

    course = course_of(ctx)
    lang = language or course.config.language
    label = Labels(lang, "similarity")
    console = Console(stderr=True)
    release_dir = course.week(week).release_dir  # an unknown week: a usage error, nothing written
    if not release_dir.is_dir():
        console.print(label("not_released", path=release_dir, week=week))
    chosen = [x for x in (allow, reviewed, unmark) if x]
    if len(chosen) > 1:
        raise click.UsageError("give one of --allow, --reviewed, --unmark")
    if allow or reviewed:
        a, b = allow or reviewed  # type: ignore[misc]
        decision = mark_pair(
            course, week, a, b, state="allowed" if allow else "reviewed", note=note
        )
        console.print(
            label(
                "marked",
                a=decision.a,
                b=decision.b,
                state=label(f"state_{decision.state}"),
            )
        )
    elif unmark:
        unmark_pair(course, week, *unmark)
        console.print(label("unmarked", a=unmark[0], b=unmark[1]))
    sim = analyse_week(
        course, week, threshold=DEFAULT_THRESHOLD if threshold is None else threshold
    )
    if not no_flags:
        changed = apply_flags(course, week, sim)
        if changed:
            console.print(label("flags_changed", n=len(changed)))
    from autograder.reports.week_report import reports_dir

    out = reports_dir(course) / week / "similarity.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_page(sim, language=lang), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(sim.to_dict(), ensure_ascii=False, indent=1))
        return
    table = Table(title=f"{week}: {len(sim.students)} · ≥ {sim.threshold:g}")
    for col in ("rank", "student_a", "student_b", "score", "code", "outputs", "state"):
        table.add_column(label(col))
    for rank, p in enumerate(sim.pairs[:top], start=1):
        state = (
            f"state_{p.review.state}"
            if p.review
            else ("state_flagged" if p.flagged else "state_below")
        )
        table.add_row(
            str(rank),
            p.a,
            p.b,
            f"{p.score:.2f}",
            f"{p.code_score:.2f}",
            f"{p.output_score:.2f}",
            label(state),
        )
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    console.print(label("written", path=out))

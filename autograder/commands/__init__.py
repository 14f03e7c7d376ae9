"""Command modules of the CLI, one per concern; each exports ``COMMANDS``.

`autograder.cli` registers every module's ``COMMANDS``; `course_of` gives a
command the course of the root ``--course`` option, loaded once.
"""

from __future__ import annotations

import click

from autograder.course import Course


def course_of(ctx: click.Context) -> Course:
    """The course named by the root command's ``--course`` (loaded on first use)."""
    obj = ctx.find_root().obj
    if isinstance(obj, Course):
        return obj
    if isinstance(obj, dict) and "course_dir" in obj:
        if obj.get("course") is None:
            obj["course"] = Course(obj["course_dir"])
        course: Course = obj["course"]
        return course
    raise click.UsageError("no course loaded (run inside a course folder or pass --course DIR)")

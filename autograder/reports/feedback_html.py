"""Per-student feedback as a standalone HTML page, rendered from the Markdown feedback.

The page says exactly what the feedback issue says (one renderer, `to_markdown`):
results never hold hidden-test source, so neither does this page. Markdown is
rendered with raw HTML, links and images disabled, because test messages can
carry student-controlled text: nothing in a page can load or point anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from markdown_it import MarkdownIt

from autograder.course import Course
from autograder.feedback import to_markdown
from autograder.reports import html as h
from autograder.results import SubmissionResult


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    md.disable(["link", "image", "autolink"])
    return md


def feedback_page(result: SubmissionResult, *, language: str, title: str) -> str:
    body = _markdown().render(to_markdown(result, language=language, title=title))
    name = f"{title} · {result.student}"
    return h.page(title=name, language=language, body=f'<article class="feedback">{body}</article>')


def write_feedback_html(
    course: Course,
    week: str,
    results: Iterable[SubmissionResult] | None = None,
    *,
    language: str | None = None,
) -> list[Path]:
    """``<workspace>/feedback/<week>/<login>.html`` for every result (default: the gradebook's)."""
    from autograder.gradebook import GradebookStore

    lang = language or course.config.language
    title = course.week(week).title
    chosen = GradebookStore(course).results(week) if results is None else list(results)
    paths = []
    for result in sorted(chosen, key=lambda r: r.student):
        path = course.feedback_path(week, result.student, ".html")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(feedback_page(result, language=lang, title=title), encoding="utf-8")
        paths.append(path)
    return paths

"""The similarity section of the week report (and its standalone page).

A ranked table of pairs, then for each pair at or above the threshold the matching
code side by side (student A's lines left, B's right, by matching run) and the
unusual outputs both share. Every piece of student text is escaped; no scripts,
no external resources, like the rest of the report.
"""

from __future__ import annotations

from html import escape

from autograder.messages import Labels
from autograder.reports import html as h
from autograder.similarity.analysis import PairScore, WeekSimilarity
from autograder.similarity.extract import Submission
from autograder.similarity.fingerprint import Token

TOP_ROWS = 20  # pairs in the ranked table below the threshold, for context
MAX_DETAILED = 30  # pairs shown side by side
MAX_REGIONS = 12  # matching runs per pair
MAX_LINES = 40  # lines per snippet
MAX_OUTPUTS = 15

STYLE = (
    "<style>"
    "table.sbs{width:100%;table-layout:fixed}"
    "table.sbs pre{margin:0;white-space:pre-wrap;word-break:break-word;font-size:.85em;"
    "background:#fffde7}"
    "table.sbs .where{color:#616161;font-size:.8em}"
    "section.pair{border-top:1px solid #cfd8dc;margin-top:12px}"
    "</style>"
)


def _state(pair: PairScore) -> str:
    if pair.review is not None:
        return f"state_{pair.review.state}"
    return "state_flagged" if pair.flagged else "state_below"


def _snippet(sub: Submission, toks: tuple[Token, ...], start: int, end: int) -> str:
    """The cells' lines that the token span touches, one block per cell."""
    touched: dict[int, tuple[int, int]] = {}
    for tok in toks[start:end]:
        lo, hi = touched.get(tok.cell, (tok.line, tok.line))
        touched[tok.cell] = (min(lo, tok.line), max(hi, tok.line))
    blocks = []
    for cell_index, (lo, hi) in sorted(touched.items()):
        cell = sub.cells[cell_index]
        lines = cell.source.split("\n")[lo - 1 : min(hi, lo + MAX_LINES - 1)]
        where = f"{cell.label} L{lo}–{hi}"
        blocks.append(
            f'<div class="where">{escape(where)}</div><pre>{escape(chr(10).join(lines))}</pre>'
        )
    return "".join(blocks)


def _pair_detail(sim: WeekSimilarity, pair: PairScore, language: str) -> str:
    tx = Labels(language, "similarity")

    parts = [
        f"<h3>{escape(pair.a)} ↔ {escape(pair.b)} · {escape(tx('score'))} "
        f"{h.fmt(pair.score)} ({escape(tx('code'))} {h.fmt(pair.code_score)}, "
        f"{escape(tx('outputs'))} {h.fmt(pair.output_score)}) · {escape(tx(_state(pair)))}</h3>"
    ]
    if pair.review is not None and pair.review.note:
        parts.append(h.paragraph(f"{tx('note')}: {pair.review.note}", css="meta"))
    index = sim.index
    regions = sim.regions(pair)[:MAX_REGIONS] if index is not None else []
    if regions and index is not None:
        order = {login: i for i, login in enumerate(sim.students)}
        fa, fb = index.prints[order[pair.a]], index.prints[order[pair.b]]
        sa, sb = sim.submissions[pair.a], sim.submissions[pair.b]
        rows = "".join(
            f"<tr><td>{_snippet(sa, fa.toks, r.a_start, r.a_end)}</td>"
            f"<td>{_snippet(sb, fb.toks, r.b_start, r.b_end)}</td></tr>"
            for r in regions
        )
        parts.append(
            f'<table class="sbs"><thead><tr><th>{escape(pair.a)}</th><th>{escape(pair.b)}</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    else:
        parts.append(h.paragraph(tx("no_code_match"), css="meta"))
    if pair.shared_outputs:
        items = "".join(
            f"<li>{escape(tx('kind_' + i.kind))}: <code>{escape(i.text)}</code></li>"
            for i in pair.shared_outputs[:MAX_OUTPUTS]
        )
        parts.append(f"<p>{escape(tx('shared_outputs'))}</p><ul>{items}</ul>")
    return f'<section class="pair">{"".join(parts)}</section>'


def render_section(sim: WeekSimilarity, *, language: str) -> str:
    """The report's section: ranked table and side-by-side evidence."""

    tx = Labels(language, "similarity")

    above = [p for p in sim.pairs if p.above]
    shown = above + [p for p in sim.pairs if not p.above][: max(0, TOP_ROWS - len(above))]
    shown = [p for p in shown if p.score > 0]
    table = h.table(
        [
            tx("rank"),
            tx("student_a"),
            tx("student_b"),
            tx("score"),
            tx("code"),
            tx("outputs"),
            tx("state"),
        ],
        [
            [
                h.Cell(str(rank), numeric=True),
                h.Cell(p.a, href=f"#pair-{rank}" if p.above else None),
                p.b,
                h.num(p.score),
                h.num(p.code_score),
                h.num(p.output_score),
                tx(_state(p)),
            ]
            for rank, p in enumerate(shown, start=1)
        ],
        table_id="similarity",
    )
    details = "".join(
        f'<div id="pair-{rank}">{_pair_detail(sim, p, language)}</div>'
        for rank, p in enumerate(above[:MAX_DETAILED], start=1)
    )
    pairs = len(sim.students) * (len(sim.students) - 1) // 2
    return h.section(
        tx("title"),
        STYLE,
        h.paragraph(tx("intro", threshold=h.fmt(sim.threshold), week=sim.week), css="note"),
        h.paragraph(tx("students", n=len(sim.students), pairs=pairs), css="meta"),
        table if shown else "",
        details if above else h.paragraph(tx("none_flagged")),
        anchor="similarity",
    )


def render_page(sim: WeekSimilarity, *, language: str) -> str:
    return h.page(
        title=Labels(language, "similarity")("page_title", week=sim.week),
        language=language,
        body=render_section(sim, language=language),
    )

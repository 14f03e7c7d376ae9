"""Self-contained HTML: inline CSS, images as ``data:`` URIs, every value escaped.

No scripts, no external stylesheets or fonts, no remote images, so a report
opens offline, can be mailed as one file, and makes no request when viewed.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from autograder.reports.plots import Plot

CSS = """
body{font-family:"Noto Sans CJK KR","Noto Sans KR","NanumGothic","Malgun Gothic","Apple SD Gothic Neo",
"DejaVu Sans",sans-serif;margin:24px auto;max-width:1180px;padding:0 16px;color:#212121;line-height:1.45}
h1{font-size:1.6em;border-bottom:2px solid #1565c0;padding-bottom:6px}
h2{font-size:1.25em;margin-top:1.8em;color:#0d47a1}
h3{font-size:1.05em}
table{border-collapse:collapse;margin:8px 0 16px;font-size:.9em}
th,td{border:1px solid #cfd8dc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eceff1}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.state-error td,tr.state-missing td{color:#9e9e9e}
tr.late td.late{color:#c62828;font-weight:bold}
.meta{color:#616161;font-size:.9em}
.note{background:#fff8e1;border-left:4px solid #ffb300;padding:6px 10px}
img.plot{max-width:100%;border:1px solid #eceff1;margin:4px 0}
.grid{display:flex;flex-wrap:wrap;gap:16px}
.grid>section{flex:1 1 520px}
code{background:#f5f5f5;padding:0 3px;border-radius:3px}
"""


@dataclass(frozen=True)
class Cell:
    """A table cell: text (escaped) or trusted markup, optionally numeric or linked."""

    text: str
    numeric: bool = False
    href: str | None = None
    css: str = ""

    def render(self) -> str:
        inner = escape(self.text)
        if self.href:
            inner = f'<a href="{escape(self.href)}">{inner}</a>'
        classes = " ".join(c for c in ("num" if self.numeric else "", self.css) if c)
        attr = f' class="{classes}"' if classes else ""
        return f"<td{attr}>{inner}</td>"


def num(value: float | None, *, digits: int = 2) -> Cell:
    return Cell(fmt(value, digits=digits), numeric=True)


def fmt(value: float | None, *, digits: int = 2) -> str:
    """Numbers as the tables and the CSV show them: rounded, no trailing zeros."""
    if value is None:
        return ""
    return f"{round(float(value), digits):g}" if abs(value) < 1e15 else f"{value:.4g}"


def table(
    headers: Sequence[str] | None,
    rows: Iterable[Sequence[Cell | str]],
    *,
    table_id: str,
    row_classes: Sequence[str] | None = None,
) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers or ())
    body = []
    for i, row in enumerate(rows):
        cells = "".join((c if isinstance(c, Cell) else Cell(str(c))).render() for c in row)
        css = row_classes[i] if row_classes else ""
        attr = f' class="{escape(css)}"' if css else ""
        body.append(f"<tr{attr}>{cells}</tr>")
    return (
        f'<table id="{escape(table_id)}">'
        + (f"<thead><tr>{head}</tr></thead>" if head else "")
        + f"<tbody>{''.join(body)}</tbody></table>"
    )


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def image(plot: Plot, *, alt: str) -> str:
    return f'<img class="plot" id="plot-{escape(plot.name)}" alt="{escape(alt)}" src="{data_uri(plot.png)}">'


def section(title: str, *content: str, anchor: str = "") -> str:
    attr = f' id="{escape(anchor)}"' if anchor else ""
    return f"<section{attr}><h2>{escape(title)}</h2>{''.join(content)}</section>"


def paragraph(text: str, *, css: str = "") -> str:
    attr = f' class="{escape(css)}"' if css else ""
    return f"<p{attr}>{escape(text)}</p>"


def page(*, title: str, language: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="autograder">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>\n"
    )

"""The report's figures: matplotlib on the Agg canvas, PNG bytes out.

Figures are built with `matplotlib.figure.Figure` and saved straight to PNG
(Agg), never through pyplot: no display, no global backend switch, no shared
state. Titles live in the HTML; plots carry axis labels in the plot language:
Korean when a Hangul font is installed, otherwise English (never boxes for
missing glyphs).
"""

from __future__ import annotations

import io
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from autograder.messages import Labels
from autograder.reports.data import WeekData
from autograder.reports.stats import (
    MetricSeries,
    failure_counts,
    hours_from_deadline,
    pass_rates,
)

GREEN, ORANGE, RED, BLUE, GREY = "#2e7d32", "#ef6c00", "#c62828", "#1565c0", "#757575"
DPI = 110


@dataclass(frozen=True)
class PlotStyle:
    """The plot language and the font that can draw it."""

    language: str
    font: str | None = None

    @classmethod
    def choose(cls, language: str, font: str | None) -> PlotStyle:
        """Korean labels need a Hangul font; without one, English labels."""
        if language == "ko" and font is None:
            return cls("en", None)
        return cls(language, font)

    def rc(self) -> dict[str, Any]:
        families = [self.font, "DejaVu Sans"] if self.font else ["DejaVu Sans"]
        return {"font.family": families, "axes.unicode_minus": False, "font.size": 10}


@dataclass(frozen=True)
class Plot:
    name: str  # file stem, e.g. "score_distribution"
    png: bytes


def _render(name: str, style: PlotStyle, draw: Callable[[Figure], None], *, height: float) -> Plot:
    with rc_context(style.rc()):  # type: ignore[arg-type]  # rc keys typed as Literals
        fig = Figure(figsize=(6.4, height), dpi=DPI, layout="constrained")
        draw(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI)
    return Plot(name, buf.getvalue())


def _short(labels: list[str], limit: int = 30) -> bool:
    return len(labels) <= limit


def score_distribution(data: WeekData, style: PlotStyle) -> Plot | None:
    scores = [r.score for r in data.graded]
    if not scores:
        return None
    tx = Labels(style.language, "report")
    top = max(data.max_score, max(scores), 1.0)
    step = 1.0 if top <= 20 else math.ceil(top / 20)
    edges = [i * step - step / 2 for i in range(int(math.ceil(top / step)) + 2)]

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        ax.hist(scores, bins=edges, color=BLUE, edgecolor="white")
        mean, median = statistics.fmean(scores), statistics.median(scores)
        ax.axvline(mean, color=ORANGE, linestyle="--", label=f"{tx('mean')} {mean:.2f}")
        ax.axvline(median, color=GREEN, linestyle=":", label=f"{tx('median')} {median:.2f}")
        ax.set_xlabel(f"{tx('score')} (/ {data.max_score:g})")
        ax.set_ylabel(tx("students_count"))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="best")

    return _render("score_distribution", style, draw, height=3.0)


def test_pass_rates(data: WeekData, style: PlotStyle) -> Plot | None:
    rates = pass_rates(data)
    if not rates:
        return None
    tx = Labels(style.language, "report")

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        names = [r.id + (f" ({tx('hidden')})" if r.hidden else "") for r in rates]
        values = [100 * r.rate for r in rates]
        colors = [GREEN if v >= 80 else ORANGE if v >= 50 else RED for v in values]
        ys = list(range(len(rates)))[::-1]
        ax.barh(ys, values, color=colors)
        ax.set_yticks(ys, names)
        for y, r, v in zip(ys, rates, values, strict=True):
            ax.text(min(v + 1, 101), y, f"{r.passed}/{r.attempted}", va="center", fontsize=8)
        ax.set_xlim(0, 112)
        ax.set_xlabel(f"{tx('pass_rate')} (%)")

    return _render("test_pass_rates", style, draw, height=0.9 + 0.35 * len(rates))


def metric_plot(series: MetricSeries, style: PlotStyle) -> Plot:
    tx = Labels(style.language, "report")
    lower = series.direction == "lower"

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        points = [(login, v, p, m) for login, v, p, m in series.values if v is not None]
        points.sort(key=lambda item: item[1], reverse=lower)
        xs = list(range(len(points)))
        colors = [GREEN if p >= m else ORANGE if p > 0 else RED for _, _, p, m in points]
        ax.scatter(xs, [v for _, v, _, _ in points], c=colors, zorder=3)
        ax.axhline(
            series.target, color=GREEN, linestyle="--", label=f"{tx('target')} {series.target:g}"
        )
        ax.axhline(series.floor, color=RED, linestyle=":", label=f"{tx('floor')} {series.floor:g}")
        names = [login for login, _, _, _ in points]
        if _short(names):
            ax.set_xticks(xs, names, rotation=45, ha="right", fontsize=7)
        else:
            ax.set_xticks([])
        missing = len(series.values) - len(points)
        xlabel = tx("students")
        if missing:
            xlabel += f" ({tx('no_value')}: {missing})"
        ax.set_xlabel(xlabel)
        ax.set_ylabel(series.metric)
        ax.legend(loc="lower right" if not lower else "upper right")
        ax.grid(axis="y", alpha=0.3)

    return _render(f"metric_{series.id}", style, draw, height=3.0)


def submission_times(data: WeekData, style: PlotStyle) -> Plot | None:
    hours = hours_from_deadline(data)
    if not hours:
        return None
    tx = Labels(style.language, "report")
    values = [h for _, h in hours]

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        lo, hi = min(values + [-1.0]), max(values + [1.0])
        span = hi - lo
        width = 1.0 if span <= 48 else 6.0 if span <= 24 * 14 else 24.0
        edges = [lo - (lo % width) + i * width for i in range(int(span // width) + 3)]
        on_time = [h for h in values if h <= 0]
        late = [h for h in values if h > 0]
        ax.hist(
            [on_time, late],
            bins=edges,
            stacked=True,
            color=[GREEN, RED],
            label=[tx("on_time"), tx("late")],
        )
        ax.axvline(0, color="black", linewidth=1.2)
        ax.text(0, ax.get_ylim()[1] * 0.95, f" {tx('deadline')}", va="top", fontsize=8)
        ax.set_xlabel(tx("hours_from_deadline"))
        ax.set_ylabel(tx("students_count"))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="best")

    return _render("submission_times", style, draw, height=3.0)


def runtimes(data: WeekData, style: PlotStyle) -> Plot | None:
    runs = sorted(((r.runtime_s, r.student, r.run_status) for r in data.results), reverse=True)
    if not runs:
        return None
    tx = Labels(style.language, "report")
    color = {"completed": BLUE, "timeout": RED, "memory_limit": RED, "kernel_died": ORANGE}

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        xs = list(range(len(runs)))
        ax.bar(xs, [r[0] for r in runs], color=[color.get(r[2], GREY) for r in runs])
        names = [r[1] for r in runs]
        if _short(names):
            ax.set_xticks(xs, names, rotation=45, ha="right", fontsize=7)
        else:
            ax.set_xticks([])
        ax.set_ylabel(tx("seconds"))
        ax.set_xlabel(tx("submissions"))

    return _render("runtimes", style, draw, height=3.0)


def failures(data: WeekData, style: PlotStyle) -> Plot | None:
    counts = failure_counts(data)
    if not counts:
        return None
    tx = Labels(style.language, "report")

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        names = [tx(f"reason_{k}") for k in counts]
        ys = list(range(len(counts)))[::-1]
        ax.barh(ys, list(counts.values()), color=RED)
        ax.set_yticks(ys, names)
        ax.set_xlabel(tx("count"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))

    return _render("failures", style, draw, height=0.9 + 0.35 * len(counts))


def score_by_week(weeks: list[WeekData], style: PlotStyle) -> Plot | None:
    series = [
        (w.week, [100 * r.score / w.max_score for r in w.graded if w.max_score]) for w in weeks
    ]
    series = [(name, values) for name, values in series if values]
    if not series:
        return None
    tx = Labels(style.language, "report")

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        ax.boxplot([v for _, v in series], tick_labels=[n for n, _ in series])
        ax.set_ylim(-5, 105)
        ax.set_ylabel(tx("percent"))
        ax.set_xlabel(tx("week"))
        ax.grid(axis="y", alpha=0.3)

    return _render("score_by_week", style, draw, height=3.0)


def week_plots(data: WeekData, style: PlotStyle) -> dict[str, Plot]:
    """Every plot the week has data for, by section key."""
    plots: dict[str, Plot | None] = {
        "score_distribution": score_distribution(data, style),
        "test_pass_rates": test_pass_rates(data, style),
        "submission_times": submission_times(data, style),
        "runtimes": runtimes(data, style),
        "failures": failures(data, style),
    }
    from autograder.reports.stats import metric_series

    for series in metric_series(data):
        plots[f"metric_{series.id}"] = metric_plot(series, style)
    return {k: v for k, v in plots.items() if v is not None}

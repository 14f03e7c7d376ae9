"""A generated class for the similarity tests and bench: honest students and planted copies.

Honest students start from the real week02 release and solve it the obvious way:
every function is written from a handful of common variants, with each student's
own names, comments, spacing, optional helper variables and check cells. Copies
take one honest student's notebook and disguise it the way students do: renamed
identifiers, reordered functions, rewritten comments, a cell split in two.
"""

from __future__ import annotations

import copy
import io
import json
import random
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
WEEK = "week02"

NAMES = {
    "s": ["s", "ordered", "sorted_xs", "vals", "arr", "srt", "data"],
    "n": ["n", "length", "size", "cnt", "num"],
    "total": ["total", "acc", "summed", "tot", "result"],
    "m": ["m", "mu", "avg", "mean_x", "center"],
    "mid": ["mid", "half", "k", "middle", "h"],
    "counts": ["counts", "freq", "table", "counter", "tally"],
    "best": ["best", "top", "most", "max_count", "highest"],
    "p": ["p", "pos", "rank", "idx_f", "where"],
    "i": ["i", "lo", "low", "base", "j"],
    "f": ["f", "frac", "w", "t", "weight"],
    "x": ["x", "v", "value", "item", "num_"],
    "y": ["y", "u", "other", "yv", "val2"],
    "mx": ["mx", "mean_x", "xbar", "ax", "x_mean"],
    "my": ["my", "mean_y", "ybar", "ay", "y_mean"],
    "out": ["out", "result", "cleaned", "rows_out", "clean"],
    "seen": ["seen", "ids", "used", "seen_ids", "visited"],
    "row": ["row", "r", "rec", "line", "entry"],
    "age": ["age", "a", "age_v", "years", "ag"],
    "height": ["height", "h_", "ht", "cm", "tall"],
    "rid": ["rid", "id_", "ident", "key", "pid"],
    "conv": ["number", "to_num", "parse", "as_float", "convert"],
    "missing": ["missing", "na_values", "blanks", "nulls", "MISSING"],
    "sd": ["sd", "sigma", "dev", "s_dev", "st"],
}
COMMENTS = [
    "",
    "# 정의대로 계산",
    "# compute it by hand",
    "# 직접 구현",
    "# TODO: 확인",
    "# 공식: 교재 2장",
    "# simple version",
    "# 리스트를 정렬한다",
]


class Student:
    """Random choices of one honest student (names, variants, style)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names = {k: rng.choice(v) for k, v in NAMES.items()}
        self.spaced = rng.random() < 0.8  # "a - b" or "a-b"
        # habits: small things each student does their own way, everywhere
        self.guard = rng.choice(
            [
                None,
                None,
                "if len(xs) == 0:\n    return 0.0",
                "if not xs:\n    raise ValueError('empty')",
            ]
        )
        self.result_variable = rng.choice([None, None, "answer", "res", "ret", "output"])
        self.float_returns = rng.random() < 0.25
        self.debug = rng.choice([None, None, None, 'print("debug:", {arg})', "print(len({arg}))"])
        self.check_numbers = rng.random() < 0.7

    def pick(self, *options: str) -> str:
        return self.rng.choice(options)

    def comment(self) -> str:
        return self.rng.choice(COMMENTS)

    def fill(self, body: str) -> str:
        text = body.format(**self.names)
        if not self.spaced:
            text = re.sub(r" ([-+*/]) ", r"\1", text)
        lines = [line for line in text.strip("\n").split("\n")]
        note = self.comment()
        if note:
            lines.insert(0, note)
        return "\n".join("    " + line if line else "" for line in lines)


def _mean(st: Student) -> str:
    return st.pick(
        "return sum(xs) / len(xs)",
        "{total} = 0\nfor {x} in xs:\n    {total} += {x}\nreturn {total} / len(xs)",
        "{n} = len(xs)\nreturn sum(xs) / {n}",
        "return float(sum(xs)) / len(xs)",
        "{total} = sum(xs)\n{n} = len(xs)\nreturn {total} / {n}",
    )


def _median(st: Student) -> str:
    sort = st.pick("{s} = sorted(xs)", "{s} = list(xs)\n{s}.sort()", "{s} = sorted(list(xs))")
    size = st.pick("{n} = len({s})\n{mid} = {n} // 2", "{n} = len({s})\n{mid} = int({n} / 2)")
    branch = st.pick(
        "if {n} % 2 == 1:\n    return float({s}[{mid}])\nreturn ({s}[{mid} - 1] + {s}[{mid}]) / 2",
        "if {n} % 2 == 0:\n    return ({s}[{mid} - 1] + {s}[{mid}]) / 2\nelse:\n    return {s}[{mid}]",
        "if {n} % 2:\n    return {s}[{mid}]\nreturn ({s}[{mid}] + {s}[{mid} - 1]) / 2.0",
    )
    return f"{sort}\n{size}\n{branch}"


def _mode(st: Student) -> str:
    count = st.pick(
        "{counts} = {{}}\nfor {x} in xs:\n    {counts}[{x}] = {counts}.get({x}, 0) + 1",
        "{counts} = {{}}\nfor {x} in xs:\n    if {x} in {counts}:\n        {counts}[{x}] += 1\n"
        "    else:\n        {counts}[{x}] = 1",
        "{counts} = {{{x}: list(xs).count({x}) for {x} in set(xs)}}",
    )
    choose = st.pick(
        "{best} = max({counts}.values())\nreturn min({x} for {x} in {counts} if {counts}[{x}] == {best})",
        "{best} = max({counts}.values())\n"
        "return min([{x} for {x}, c in {counts}.items() if c == {best}])",
        "return sorted({counts}.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]",
    )
    return f"{count}\n{choose}"


def _variance(st: Student) -> str:
    return st.pick(
        "{m} = mean(xs)\nreturn sum(({x} - {m}) ** 2 for {x} in xs) / (len(xs) - ddof)",
        "{m} = mean(xs)\n{total} = 0\nfor {x} in xs:\n    {total} += ({x} - {m}) ** 2\n"
        "return {total} / (len(xs) - ddof)",
        "{m} = mean(xs)\n{n} = len(xs)\nreturn sum([({x} - {m}) ** 2 for {x} in xs]) / ({n} - ddof)",
    )


def _std(st: Student) -> str:
    return st.pick(
        "return variance(xs, ddof) ** 0.5",
        "return math.sqrt(variance(xs, ddof))",
        "return variance(xs, ddof=ddof) ** 0.5",
    )


def _percentile(st: Student) -> str:
    head = st.pick("{s} = sorted(xs)", "{s} = sorted(list(xs))")
    pos = st.pick(
        "{p} = (len({s}) - 1) * q / 100\n{i} = int(math.floor({p}))",
        "{p} = (len({s}) - 1) * q / 100\n{i} = int({p})",
        "{p} = q / 100 * (len({s}) - 1)\n{i} = math.floor({p})",
    )
    tail = st.pick(
        "{f} = {p} - {i}\nif {i} + 1 >= len({s}):\n    return float({s}[-1])\n"
        "return {s}[{i}] + {f} * ({s}[{i} + 1] - {s}[{i}])",
        "{f} = {p} - {i}\nif {f} == 0:\n    return float({s}[{i}])\n"
        "return {s}[{i}] + {f} * ({s}[{i} + 1] - {s}[{i}])",
        "if {i} == len({s}) - 1:\n    return float({s}[{i}])\n{f} = {p} - {i}\n"
        "return (1 - {f}) * {s}[{i}] + {f} * {s}[{i} + 1]",
    )
    return f"{head}\n{pos}\n{tail}"


def _correlation(st: Student) -> str:
    head = st.pick("{mx}, {my} = mean(xs), mean(ys)", "{mx} = mean(xs)\n{my} = mean(ys)")
    sums = st.pick(
        "\n".join(
            st.rng.sample(
                [
                    "sxy = sum(({x} - {mx}) * ({y} - {my}) for {x}, {y} in zip(xs, ys))",
                    "sxx = sum(({x} - {mx}) ** 2 for {x} in xs)",
                    "syy = sum(({y} - {my}) ** 2 for {y} in ys)",
                ],
                3,
            )
        ),
        "sxy = sxx = syy = 0\nfor {x}, {y} in zip(xs, ys):\n    sxy += ({x} - {mx}) * ({y} - {my})\n"
        "    sxx += ({x} - {mx}) ** 2\n    syy += ({y} - {my}) ** 2",
    )
    ret = st.pick(
        "return sxy / (sxx ** 0.5 * syy ** 0.5)",
        "return sxy / math.sqrt(sxx * syy)",
        "return sxy / (math.sqrt(sxx) * math.sqrt(syy))",
    )
    return f"{head}\n{sums}\n{ret}"


def _zscores(st: Student) -> str:
    return st.pick(
        "{m}, {sd} = mean(xs), std(xs)\nreturn [({x} - {m}) / {sd} for {x} in xs]",
        "{m} = mean(xs)\n{sd} = std(xs)\n{out} = []\nfor {x} in xs:\n    {out}.append(({x} - {m}) / {sd})\n"
        "return {out}",
        "{m} = mean(xs)\n{sd} = std(xs, 0)\nreturn [({x} - {m}) / {sd} for {x} in list(xs)]",
    )


def _clean_survey(st: Student) -> str:
    missing = st.pick(
        '{missing} = {{"", "na", "n/a", "-"}}',
        '{missing} = ["", "na", "n/a", "-"]',
        '{missing} = ("", "NA", "N/A", "-")',
    )
    upper = "upper" if "NA" in missing else "lower"
    conv = st.pick(
        "def {conv}(text):\n    text = text.strip()\n    if text.{upper}() in {missing}:\n        return None\n"
        "    try:\n        return float(text)\n    except ValueError:\n        return None",
        "def {conv}(text):\n    try:\n        if text.strip().{upper}() in {missing}:\n            return None\n"
        "        return float(text.strip())\n    except ValueError:\n        return None",
    ).replace("{upper}", upper)
    init = st.pick(
        "{out}, {seen} = [], set()", "{out} = []\n{seen} = set()", "{out} = []\n{seen} = []"
    )
    checks = st.pick(
        "if {age} is None or {height} is None:\n        continue\n    if not 0 <= {age} <= 120:\n        continue",
        "if {age} is None or {height} is None or {age} < 0 or {age} > 120:\n        continue",
    )
    scale = st.pick(
        "if {height} < 3:\n        {height} *= 100",
        "if {height} < 3:\n        {height} = {height} * 100",
    )
    keep = st.pick(
        "if not 100 <= {height} <= 250:\n        continue",
        "if {height} < 100 or {height} > 250:\n        continue",
    )
    ident = st.pick('{rid} = int({row}["id"].strip())', '{rid} = int({row}["id"])')
    append = st.pick(
        '{out}.append({{"id": {rid}, "name": {row}["name"].strip(), "age": int({age}), "height": {height}}})',
        '{out}.append(dict(id={rid}, name={row}["name"].strip(), age=int({age}), height=float({height})))',
    )
    add = "add" if "set()" in init else "append"
    reads = st.pick(
        '{age} = {conv}({row}["age"])\n    {height} = {conv}({row}["height"])',
        '{height} = {conv}({row}["height"])\n    {age} = {conv}({row}["age"])',
    )
    body = (
        f"{missing}\n\n{conv}\n\n{init}\nfor {{row}} in rows:\n"
        f"    {reads}\n"
        f"    {checks}\n    {scale}\n    {keep}\n    {ident}\n    if {{rid}} in {{seen}}:\n        continue\n"
        f"    {{seen}}.{add}({{rid}})\n    {append}\nreturn {{out}}"
    )
    return body


CELLS: dict[str, list[tuple[str, str, Callable[[Student], str]]]] = {
    "central_tendency": [
        ("mean", "xs", _mean),
        ("median", "xs", _median),
        ("mode", "xs", _mode),
    ],
    "spread": [("variance", "xs, ddof=0", _variance), ("std", "xs, ddof=0", _std)],
    "percentile": [("percentile", "xs, q", _percentile)],
    "correlation_zscores": [
        ("correlation", "xs, ys", _correlation),
        ("zscores", "xs", _zscores),
    ],
    "clean_survey": [("clean_survey", "rows", _clean_survey)],
}


NUMERIC = {"mean", "variance", "std", "percentile", "correlation"}


def habits(st: Student, name: str, args: str, body: str) -> str:
    """The student's own habits applied to one function body (before names are filled)."""
    lines = body.split("\n")
    last = lines[-1]
    if (
        last.startswith("return ")
        and name in NUMERIC
        and st.float_returns
        and st.rng.random() < 0.6
    ):
        last = f"return float({last[7:]})"
    if last.startswith("return ") and st.result_variable and st.rng.random() < 0.6:
        lines[-1:] = [f"{st.result_variable} = {last[7:]}", f"return {st.result_variable}"]
    else:
        lines[-1] = last
    if st.debug and st.rng.random() < 0.4:
        arg = args.split(",")[0]
        lines.insert(0, st.debug.replace("{arg}", arg))
    if st.guard and args.startswith("xs") and name != "std" and st.rng.random() < 0.7:
        lines[:0] = st.guard.split("\n")
    return "\n".join(lines)


def honest_cells(st: Student) -> dict[str, str]:
    """grade_id -> the student's source for that answer cell."""
    out = {}
    keep_marker = st.rng.random() < 0.3  # some leave "# YOUR CODE HERE" in place
    for grade_id, functions in CELLS.items():
        blocks = []
        for name, args, make in functions:
            body = st.fill(habits(st, name, args, make(st)))
            marker = "    # YOUR CODE HERE\n" if keep_marker else ""
            blocks.append(f"def {name}({args}):\n{marker}{body}")
        out[grade_id] = ("\n\n\n" if st.spaced else "\n\n").join(blocks)
    return out


def check_cell(st: Student) -> str | None:
    """Some students add a cell to try their functions on their own numbers."""
    if not st.check_numbers:
        return None
    a, b, c = (st.rng.randint(1, 60) for _ in range(3))
    return st.pick(
        f"print(mean([{a}, {b}, {c}]), median([{a}, {b}, {c}]))",
        f"xs_test = [{a}, {b}, {c}, {a}]\nprint(mode(xs_test), variance(xs_test), std(xs_test))",
        f"print(percentile([{a}, {b}, {c}], {st.rng.randint(1, 99)}))\nprint(zscores([{a}, {b}, {c}]))",
    )


def release(week: str = WEEK) -> nbformat.NotebookNode:
    return nbformat.read(REPO / "assignments" / week / f"{week}.ipynb", as_version=4)


def _at(nb: nbformat.NotebookNode, grade_id: str) -> int:
    return next(
        i
        for i, c in enumerate(nb.cells)
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def notebook(
    cells: dict[str, str], extra: str | None = None, spec: WeekSpec | None = None
) -> nbformat.NotebookNode:
    spec = spec or WEEK02
    nb = copy.deepcopy(release(spec.week))
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in cells:
            cell.source = cells[gid]
    if extra:
        nb.cells.insert(_at(nb, spec.extra_after) + 1, nbformat.v4.new_code_cell(extra))
    return nb


def split_week02(cells: dict[str, str]) -> tuple[dict[str, str], str, str]:
    """central_tendency's last function moves to a new cell right after it."""
    blocks = split_functions(cells["central_tendency"])
    return (
        {**cells, "central_tendency": "\n\n\n".join(blocks[:2])},
        "central_tendency",
        "\n\n\n".join(blocks[2:]),
    )


@dataclass(frozen=True)
class WeekSpec:
    """How to generate one week's class: answer cells, own check cell, where a copy splits."""

    week: str
    cells: Callable[[Student], dict[str, str]]
    check_cell: Callable[[Student], str | None]
    extra_after: str  # grade id after which a student's own check cell goes
    split: Callable[[dict[str, str]], tuple[dict[str, str], str, str]]
    keep: frozenset[str]  # names fixed by the release (not renamed by a copier)


# -- disguises ------------------------------------------------------------------

KEEP = frozenset(
    {
        "mean", "median", "mode", "variance", "std", "percentile", "correlation", "zscores",
        "clean_survey", "xs", "ys", "q", "ddof", "rows", "math", "csv", "text",
    }
)  # fmt: skip


def rename_identifiers(source: str, suffix: str = "_2", keep: frozenset[str] = KEEP) -> str:
    """Every local name renamed (by token position, so strings and attributes stay)."""
    import builtins
    import keyword

    lines = source.split("\n")
    toks = list(tokenize.generate_tokens(io.StringIO(source).readline))
    edits = []
    for i, tok in enumerate(toks):
        if tok.type != tokenize.NAME or keyword.iskeyword(tok.string):
            continue
        if tok.string in keep or tok.string in dir(builtins):
            continue
        if i and toks[i - 1].string == ".":
            continue
        if i + 1 < len(toks) and toks[i + 1].string == "=" and toks[i - 1].string in ("(", ","):
            continue  # keyword arguments
        edits.append(
            (tok.start, tok.end, {"kv": "pair"}.get(tok.string, "my_" + tok.string + suffix))
        )
    for (row, col), (_, end), new in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + new + line[end:]
    return "\n".join(lines)


def rewrite_comments(source: str) -> str:
    out = []
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped.startswith("#") and "YOUR CODE HERE" not in stripped:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + "# (다시 씀) " + stripped.lstrip("# ")[::-1])
        else:
            out.append(line.split("  #")[0].rstrip() if "  #" in line else line)
    return "\n".join(out)


def split_functions(source: str) -> list[str]:
    return [b.strip("\n") for b in re.split(r"\n(?=def )", source) if b.strip()]


def reorder_functions(cells: dict[str, str]) -> dict[str, str]:
    out = {}
    for gid, source in cells.items():
        blocks = split_functions(source)
        out[gid] = "\n\n\n".join(reversed(blocks))
    return out


def copy_notebook(
    source_cells: dict[str, str], kind: str, extra: str | None, spec: WeekSpec | None = None
) -> nbformat.NotebookNode:
    spec = spec or WEEK02
    cells = dict(source_cells)
    if kind == "renamed":  # renamed identifiers and rewritten comments
        cells = {
            g: rewrite_comments(rename_identifiers(s, keep=spec.keep)) for g, s in cells.items()
        }
        return notebook(cells, extra, spec)
    if kind == "reordered":  # functions reordered, comments rewritten, whitespace changed
        cells = reorder_functions({g: rewrite_comments(s) for g, s in cells.items()})
        cells = {g: s.replace(" = ", "=").replace("\n\n\n", "\n\n") for g, s in cells.items()}
        return notebook(cells, extra, spec)
    if kind == "split":  # one cell split in two, identifiers renamed
        cells = {g: rename_identifiers(s, "_x", keep=spec.keep) for g, s in cells.items()}
        cells, grade_id, moved = spec.split(cells)
        nb = notebook(cells, extra, spec)
        nb.cells.insert(_at(nb, grade_id) + 1, nbformat.v4.new_code_cell(moved))
        return nb
    raise ValueError(kind)


WEEK02 = WeekSpec(
    week=WEEK,
    cells=lambda st: honest_cells(st),
    check_cell=lambda st: check_cell(st),
    extra_after="test_zscores",
    split=split_week02,
    keep=KEEP,
)
PLANTED = (("renamed", 3, 17), ("reordered", 8, 24), ("split", 12, 29))  # kind, source, copier


def make_class(
    out: Path,
    *,
    students: int = 30,
    seed: int = 19,
    planted: bool = True,
    spec: WeekSpec | None = None,
) -> tuple[list[str], list[tuple[str, str]]]:
    """Write DIR/<login>/<week>.ipynb for the class; returns (logins, planted pairs)."""
    spec = spec or WEEK02
    rng = random.Random(seed)
    logins = [f"stu{i:03d}" for i in range(1, students + 1)]
    sources: dict[str, tuple[dict[str, str], str | None]] = {}
    copiers = {c: (kind, s) for kind, s, c in PLANTED if c <= students} if planted else {}
    pairs = []
    for i, login in enumerate(logins, start=1):
        st = Student(random.Random(rng.random()))
        cells, extra = spec.cells(st), spec.check_cell(st)
        sources[login] = (cells, extra)
        if i in copiers:
            kind, src = copiers[i]
            src_cells, src_extra = sources[logins[src - 1]]
            nb = copy_notebook(src_cells, kind, src_extra, spec)
            pairs.append((logins[src - 1], login))
        else:
            nb = notebook(cells, extra, spec)
        folder = out / login
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{spec.week}.ipynb")
        (folder / "submission.json").write_text(
            json.dumps({"submitted_at": "2026-09-15T20:00:00+09:00"})
        )
    return logins, pairs

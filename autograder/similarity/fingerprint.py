"""Winnowing (Schleimer, Wilkerson, Aiken 2003; what MOSS does) over Python tokens.

Each cell is read with Python's own `tokenize`, then normalised so that the edits
a copier makes for free change nothing:

- comments, docstrings, blank lines, indentation and line breaks are dropped;
- every name the student chose (variables, functions, parameters, imports) becomes
  ``V``; keywords, builtins (``len``, ``sum``) and attribute names (``.reshape``,
  ``.fit``: the API, which a copier cannot rename) stay;
- string literals become ``S`` unless they are short identifier-like words
  (``"relu"``, ``"adam"``), which carry meaning and are rarely rewritten;
- numbers stay (hyper-parameters are evidence).

Hashes of every `K` consecutive tokens are winnowed with a window of `W`: any
common run of at least ``K + W - 1`` tokens is guaranteed to share a fingerprint,
wherever it sits in either submission, so reordered functions and split or merged
cells still match. Hashes are deterministic (CRC-32 per token, tuple hash of ints),
so scores do not change from run to run.
"""

from __future__ import annotations

import builtins
import io
import keyword
import re
import tokenize
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from autograder.similarity.extract import CodeCell

K = 10  # tokens per k-gram
W = 5  # winnowing window (in k-grams)

_BUILTINS = frozenset(dir(builtins))
_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
_SKIP = frozenset(
    {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
        tokenize.ENCODING,
    }
)
_WORD_STRING = re.compile(r"""^[rbuRBU]{0,2}(['"])([A-Za-z_][A-Za-z0-9_]{0,19})\1$""")
_FALLBACK = re.compile(
    r"""(?P<comment>\#[^\n]*)|(?P<string>(?:[rbuRBUfF]{0,2})(?:'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"|'[^'\n]*'|"[^"\n]*"))"""
    r"""|(?P<name>[^\W\d]\w*)|(?P<number>\d[\w.]*)|(?P<op>\*\*=?|//=?|->|:=|[<>=!]=|<<|>>|\S)"""
)


@dataclass(frozen=True)
class Token:
    text: str  # normalised
    cell: int  # index into the submission's cells
    line: int  # 1-based line within the cell


def _normal_string(text: str) -> str:
    match = _WORD_STRING.match(text)
    return f"'{match.group(2)}'" if match else "S"


def _normal_name(text: str, after_dot: bool) -> str:
    if text in _KEYWORDS or text in _BUILTINS or after_dot:
        return text
    return "V"


def _tokenize_python(source: str, cell: int) -> list[Token]:
    out: list[Token] = []
    raw = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)]
    significant = [t for t in raw if t.type not in _SKIP or t.type == tokenize.NEWLINE]
    depth = 0
    statement_start = True
    for i, tok in enumerate(significant):
        kind = tok.type
        if kind == tokenize.NEWLINE:
            statement_start = True
            continue
        if kind == tokenize.ERRORTOKEN and not tok.string.strip():
            continue
        if kind == tokenize.STRING:
            following = significant[i + 1].type if i + 1 < len(significant) else tokenize.NEWLINE
            if depth == 0 and statement_start and following == tokenize.NEWLINE:
                continue  # a docstring or a bare string statement: prose, like a comment
            text = _normal_string(tok.string)
        elif kind == tokenize.NAME:
            text = _normal_name(tok.string, bool(out) and out[-1].text == ".")
        else:
            text = tok.string
            if text in "([{":
                depth += 1
            elif text in ")]}":
                depth = max(0, depth - 1)
        statement_start = False
        out.append(Token(text, cell, tok.start[0]))
    return out


def _tokenize_fallback(source: str, cell: int) -> list[Token]:
    """Code Python cannot tokenize (unbalanced brackets, bad indentation): a regex lexer."""
    out: list[Token] = []
    for match in _FALLBACK.finditer(source):
        group = match.lastgroup
        if group == "comment":
            continue
        text = match.group()
        line = source.count("\n", 0, match.start()) + 1
        if group == "string":
            text = _normal_string(text)
        elif group == "name":
            text = _normal_name(text, bool(out) and out[-1].text == ".")
        out.append(Token(text, cell, line))
    return out


def strip_magics(source: str) -> str:
    """IPython magics and shell escapes are not Python; blank them, keep line numbers."""
    lines = source.split("\n")
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)


def tokens(cells: Sequence[CodeCell]) -> list[Token]:
    """Normalised tokens of all cells as one stream (cell boundaries do not matter)."""
    out: list[Token] = []
    for index, cell in enumerate(cells):
        source = strip_magics(cell.source)
        try:
            out += _tokenize_python(source, index)
        except (tokenize.TokenError, SyntaxError):
            out += _tokenize_fallback(source, index)
    return out


def source_tokens(sources: Iterable[str]) -> list[Token]:
    return tokens([CodeCell("", i, s) for i, s in enumerate(sources)])


def kgram_hashes(toks: Sequence[Token], k: int = K) -> list[int]:
    ids = [zlib.crc32(t.text.encode("utf-8")) for t in toks]
    return [hash(tuple(ids[i : i + k])) for i in range(len(ids) - k + 1)]


def winnow(hashes: Sequence[int], w: int = W) -> dict[int, list[int]]:
    """hash -> k-gram positions chosen (the rightmost minimum of every window)."""
    chosen: dict[int, int] = {}
    if not hashes:
        return {}
    if len(hashes) <= w:
        low = min(hashes)
        chosen[len(hashes) - 1 - hashes[::-1].index(low)] = low
    else:
        for start in range(len(hashes) - w + 1):
            window = hashes[start : start + w]
            low = min(window)
            chosen[start + w - 1 - window[::-1].index(low)] = low
    out: dict[int, list[int]] = {}
    for pos in sorted(chosen):
        out.setdefault(chosen[pos], []).append(pos)
    return out


def skeleton_hashes(release_sources: Iterable[str], k: int = K) -> frozenset[int]:
    """Every k-gram of the release's code: what no student wrote."""
    return frozenset(kgram_hashes(source_tokens(release_sources), k))


@dataclass(frozen=True)
class Fingerprints:
    """One submission's winnowed fingerprints without the skeleton."""

    login: str
    toks: tuple[Token, ...]
    positions: dict[int, list[int]]  # hash -> k-gram start positions

    @property
    def size(self) -> int:
        return len(self.positions)

    def lines(self, pos: int, k: int = K) -> list[tuple[int, int]]:
        """(cell, line) pairs covered by the k-gram at `pos`."""
        return sorted({(t.cell, t.line) for t in self.toks[pos : pos + k]})


def fingerprint(
    login: str, cells: Sequence[CodeCell], skeleton: frozenset[int], *, k: int = K, w: int = W
) -> Fingerprints:
    toks = tokens(cells)
    chosen = winnow(kgram_hashes(toks, k), w)
    kept = {h: p for h, p in chosen.items() if h not in skeleton}
    return Fingerprints(login, tuple(toks), kept)

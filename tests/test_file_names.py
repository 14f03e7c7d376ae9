"""Submitted file names and files at the boundary: refused with a reason, never a crash."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from autograder.file_names import name_problem, read_tree, shown_name
from autograder.github.archive import extract_tarball
from autograder.submissions import content_hash, read_given, read_local_folder


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("week03.ipynb", None),
        ("data/점수.csv", None),
        ("www.evil-example.com.ipynb", None),  # a fine name; rendering keeps it inert
        ("bad-\udcff.txt", "not_utf8"),
        ("/etc/passwd", "not_relative"),
        ("a\\b", "not_relative"),
        ("../x", "leaves_folder"),
        ("a//b", "leaves_folder"),
        ("./a", "leaves_folder"),
        ("x" * 256, "name_too_long"),
        ("가" * 86, "name_too_long"),  # 258 bytes in UTF-8
        ("/".join(["d" * 200] * 6), "path_too_long"),
        ("/".join("d" * 40), "path_too_long"),
        ("evil\u202etxt.ipynb", "invisible"),
        ("zero\u200bwidth.py", "invisible"),
        ("new\nline.py", "invisible"),
    ],
)
def test_name_problem(name: str, reason: str | None) -> None:
    assert name_problem(name) == reason


def test_shown_name_escapes_undecodable_bytes_and_drops_invisibles() -> None:
    assert shown_name("bad-\udcff\u202e.txt") == "bad-\\xff.txt"


def test_read_tree_refuses_links_specials_bad_names_and_big_files(tmp_path: Path) -> None:
    root = tmp_path / "sub"
    (root / "data").mkdir(parents=True)
    (root / "week.ipynb").write_text("{}")
    (root / "data" / "x.csv").write_text("1")
    (root / "big.bin").write_bytes(b"0" * 2048)
    (root / "dirlink").symlink_to(tmp_path)
    (root / "passwd").symlink_to("/etc/passwd")
    os.mkfifo(root / "fifo")
    (root / ".ipynb_checkpoints").mkdir()
    (root / ".ipynb_checkpoints" / "week-checkpoint.ipynb").write_text("{}")
    (root / "submission.json").write_text("{}")
    with open(os.path.join(os.fsencode(root), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"latin-1 name")
    tree = read_tree(root, skip=frozenset({"submission.json"}), max_file_bytes=1024)
    assert tree.files == {"data/x.csv": b"1", "week.ipynb": b"{}"}
    assert sorted(tree.refused) == [
        ("big.bin", "too_large"),
        ("caf\\xe9.txt", "not_utf8"),
        ("dirlink", "symlink"),
        ("fifo", "not_regular"),
        ("passwd", "symlink"),
    ]
    files, problems = read_local_folder(root, lang="en")
    assert content_hash(files)  # hashing never meets a bad name
    assert any("caf\\xe9.txt" in p and "not valid UTF-8" in p for p in problems)


def test_a_notebook_given_by_a_bad_name_is_refused(tmp_path: Path) -> None:
    path = os.path.join(os.fsencode(tmp_path), b"week\xff.ipynb")
    with open(path, "wb") as handle:
        handle.write(b"{}")
    files, problems = read_given(Path(os.fsdecode(path)))
    assert files == {} and [p.render("ko") for p in problems] == [
        "파일 week\\xff.ipynb을(를) 채점에서 제외했습니다: 이름이 UTF-8이 아닙니다"
    ]
    assert content_hash({os.fsdecode(path): b"x"})  # even a raw name hashes


def test_archive_members_with_bad_names_are_refused() -> None:
    buf = io.BytesIO()
    with tarfile.open(
        fileobj=buf, mode="w", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape"
    ) as tar:
        for name in ("top/ok.ipynb", "top/bad-\udcff.csv", "top/" + "x" * 300, "top/rtl\u202e.py"):
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"{}"))
    out = extract_tarball(buf.getvalue())
    assert out.files == {"ok.ipynb": b"{}"}
    assert len(out.problems) == 3 and any("bad-\\xff.csv" in p for p in out.problems)

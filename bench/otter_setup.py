"""An otter-grader assignment equivalent to an nbgrader week, and what stock otter needs here.

Stock ``otter grade`` (7.0) does not run on this offline machine as shipped; the
bench changes exactly these things and nothing in otter itself:

1. ``docker buildx``: otter builds its grading image with ``docker buildx build``
   (python-on-whales). A private Docker CLI plugin (``DOCKER_CONFIG=<work>/docker``,
   ``cli-plugins/docker-buildx``) forwards ``buildx build`` to ``docker build``,
   dropping ``--load``/``--platform``-style flags that plain ``docker build`` lacks and
   adding ``--network host`` (builds reach Debian/PyPI only through the host here, as
   for ``autograder image build``).
2. ``ubuntu:22.04``: not pullable. ``--image autograder-otter-base:bench`` is built
   FROM the local ``autograder-base:bookworm`` (Debian, Python 3.11) with the
   packages otter's Dockerfile and setup.sh install (curl unzip dos2unix wget jq) and a venv
   /opt/otter-env holding otter-grader 7.0.0 + numpy, pandas, scikit-learn
   (pip trusts the host's CA bundle, as `autograder image build --ca-bundle` does).
3. Miniforge: the zip's ``setup.sh`` downloads Miniforge and builds a conda env.
   In a copy of the zip made by ``otter assign`` it is replaced by a no-op, and
   ``run_autograder`` runs ``/opt/otter-env/bin/python run_otter.py`` (the same
   file otter generated) instead of activating the conda env; an empty placeholder
   ``files/`` entry is added because the legacy builder (the shim's target) fails on
   ``ADD files*`` matching nothing.

The assignment: ``otter assign`` on a master notebook made from the nbgrader
source notebook: each nbgrader solution cell opens a question named by its
grade_id; the nbgrader test cells that follow it become its test cases
(``### BEGIN/END HIDDEN TESTS`` blocks become ``# HIDDEN`` cases), with the
same points; other cells are copied. Submissions are the very same notebook
files every other tool grades, named ``<login>.ipynb``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import nbformat

OTTER_VERSION = "7.0.0"
OTTER_BASE = "autograder-otter-base:bench"
BASE = "autograder-base:bookworm"
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
HIDDEN = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS\n(.*?)[ \t]*### END HIDDEN TESTS\n?", re.S)

BASE_DOCKERFILE = f"""\
FROM {BASE}
COPY ca.crt /etc/ssl/bench-ca.crt
RUN printf '[global]\\ncert = /etc/ssl/bench-ca.crt\\n' > /etc/pip.conf \\
 && apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
      curl unzip dos2unix wget jq \\
 && rm -rf /var/lib/apt/lists/* \\
 && python3 -m venv /opt/otter-env \\
 && /opt/otter-env/bin/pip install --no-cache-dir otter-grader=={OTTER_VERSION} \\
      numpy pandas scikit-learn ipykernel
"""

BUILDX_SHIM = """\
#!/usr/bin/env bash
# bench shim: `docker buildx build ...` -> `docker build ...` (see bench/otter_setup.py)
if [ "$1" = "docker-cli-plugin-metadata" ]; then
  echo '{"SchemaVersion":"0.1.0","Vendor":"autograder bench","Version":"v0.0.0-shim",
         "ShortDescription":"forwards buildx build to docker build"}'
  exit 0
fi
[ "$1" = "buildx" ] && shift
case "$1" in
  version) echo "github.com/docker/buildx v0.0.0-shim 0"; exit 0 ;;
  inspect) printf 'Name:   default\nDriver: docker\n'; exit 0 ;;
  ls) echo '{"Name":"default","Driver":"docker"}'; exit 0 ;;
  build) shift ;;
  *) echo "buildx shim: unsupported: $*" >&2; exit 1 ;;
esac
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --load|--push|--pull=false) ;;
    --platform|--output|--builder|--cache-from|--cache-to|--metadata-file|--progress|--provenance|--sbom) shift ;;
    --platform=*|--output=*|--builder=*|--cache-from=*|--cache-to=*|--metadata-file=*|--progress=*|--provenance=*|--sbom=*) ;;
    *) args+=("$1") ;;
  esac
  shift
done
# plain `docker build` would route back to this plugin: legacy builder, no plugin dir
[ -n "$BENCH_BUILDX_SHIM" ] && { echo "buildx shim: recursion" >&2; exit 1; }
export BENCH_BUILDX_SHIM=1
exec env -u DOCKER_CONFIG DOCKER_BUILDKIT=0 docker build --network host "${args[@]}"
"""

RUN_AUTOGRADER = """\
#!/bin/bash
# bench: the conda env of otter's setup.sh is /opt/otter-env of the base image
/opt/otter-env/bin/python /autograder/source/run_otter.py
"""


def _raw(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(text)


def master_notebook(source: Path, name: str) -> nbformat.NotebookNode:
    """The nbgrader source notebook rewritten in otter-assign's format."""
    src = nbformat.read(source, as_version=4)
    # no `name:`: otter would then refuse notebooks without its own metadata, and the
    # submissions are the same nbgrader notebooks every tool grades
    cells = [_raw("# ASSIGNMENT CONFIG\nrequirements: requirements.txt\nrun_tests: false\n")]
    open_q: list[nbformat.NotebookNode] | None = None
    tests: list[nbformat.NotebookNode] = []
    points = 0.0

    def close() -> None:
        nonlocal open_q, tests, points
        if open_q is None:
            return
        qname = open_q[0].metadata["nbgrader"]["grade_id"]
        cells.append(_raw(f"# BEGIN QUESTION\nname: {qname}\npoints: {points or 1}\n"))
        cells.append(nbformat.v4.new_markdown_cell(f"**{qname}**"))
        for sol in open_q:
            body = sol.source.replace("### BEGIN SOLUTION", "# BEGIN SOLUTION")
            cells.append(
                nbformat.v4.new_code_cell(body.replace("### END SOLUTION", "# END SOLUTION"))
            )
        cells.append(_raw("# BEGIN TESTS"))
        cells.extend(tests or [nbformat.v4.new_code_cell("assert True")])
        cells.append(_raw("# END TESTS"))
        cells.append(_raw("# END QUESTION"))
        open_q, tests, points = None, [], 0.0

    for cell in src.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and meta.get("grade_id"):
            close()
            open_q = [cell]
        elif cell.cell_type == "code" and meta.get("grade") and open_q is not None:
            points += float(meta.get("points", 0) or 0)
            hidden = [m.group(1) for m in HIDDEN.finditer(cell.source)]
            public = HIDDEN.sub("", cell.source).strip()
            if public:
                tests.append(nbformat.v4.new_code_cell(public))
            tests += [nbformat.v4.new_code_cell("# HIDDEN\n" + h) for h in hidden if h.strip()]
        else:
            close()
            copy = nbformat.v4.new_markdown_cell(cell.source)
            if cell.cell_type == "code":
                copy = nbformat.v4.new_code_cell(cell.source)
            cells.append(copy)
    close()
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    }
    return nb


def _run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: {done.stdout[-1500:]}{done.stderr[-1500:]}")
    return done.stdout


def otter_bin() -> str:
    found = shutil.which("otter") or os.environ.get("OTTER_BIN", "")
    venv = Path("/tmp/otter-venv/bin/otter")
    if not found and venv.exists():
        found = str(venv)
    if not found:
        raise RuntimeError("otter is not installed: pip install otter-grader (a venv is fine)")
    return found


def build_base(work: Path) -> None:
    if _run(["docker", "images", "-q", OTTER_BASE]).strip():
        return
    ctx = work / "base"
    ctx.mkdir(parents=True, exist_ok=True)
    shutil.copy(CA_BUNDLE, ctx / "ca.crt")
    (ctx / "Dockerfile").write_text(BASE_DOCKERFILE)
    # host network, as `autograder image build` does: builds reach PyPI/Debian only so
    _run(["docker", "build", "--network", "host", "-t", OTTER_BASE, str(ctx)])


def docker_config(work: Path) -> Path:
    cfg = work / "docker"
    plugins = cfg / "cli-plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    shim = plugins / "docker-buildx"
    shim.write_text(BUILDX_SHIM)
    shim.chmod(0o755)
    (cfg / "config.json").write_text("{}")
    return cfg


def patched_zip(original: Path, out: Path) -> Path:
    with zipfile.ZipFile(original) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "setup.sh":
                data = b"#!/usr/bin/env bash\n# bench: everything is in the base image\ntrue\n"
            elif item.filename == "run_autograder":
                data = RUN_AUTOGRADER.encode()
            dst.writestr(item, data)
        if not any(n.startswith("files/") for n in src.namelist()):
            # `ADD files* ...` in otter's Dockerfile needs a match without BuildKit
            dst.writestr("files/.bench-placeholder", b"")
    return out


def setup_otter(work: Path, course: object, subs: dict, *, containers: int = 4) -> list[list[str]]:
    """Build everything; return one ``otter grade`` command per week."""
    otter = otter_bin()
    work.mkdir(parents=True, exist_ok=True)
    build_base(work)
    cfg = docker_config(work)
    os.environ["DOCKER_CONFIG"] = str(cfg)  # the measured command inherits it
    cmds = []
    for week, week_subs in subs.items():
        wdir = work / week
        wdir.mkdir()
        source = course.solutions_dir / week / f"{week}.ipynb"  # type: ignore[attr-defined]
        nbformat.write(master_notebook(source, week), wdir / f"{week}.ipynb")
        (wdir / "requirements.txt").write_text("")
        _run([otter, "assign", f"{week}.ipynb", "dist"], cwd=wdir)
        zips = list((wdir / "dist" / "autograder").glob("*.zip"))
        if not zips:
            raise RuntimeError(f"otter assign made no autograder zip for {week}")
        patched = patched_zip(zips[0], wdir / "autograder-bench.zip")
        subdir = wdir / "submissions"
        subdir.mkdir()
        (wdir / "out").mkdir()
        for sub in week_subs:
            (subdir / f"{sub.login}.ipynb").write_bytes(sub.data)
        cmds.append(
            [
                otter,
                "grade",
                "-a",
                str(patched),
                "-o",
                str(wdir / "out"),
                "--ext",
                "ipynb",
                "--containers",
                str(containers),
                "--image",
                OTTER_BASE,
                "-n",
                week,
                "--no-network",
                str(subdir),
            ]  # fmt: skip
        )
    return cmds


def otter_scores(out_dir: Path) -> dict[str, float]:
    import csv

    path = out_dir / "final_grades.csv"
    with path.open() as fh:
        return {Path(r["file"]).stem: float(r.get("total", 0) or 0) for r in csv.DictReader(fh)}


__all__ = ["master_notebook", "otter_scores", "setup_otter"]

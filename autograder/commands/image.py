"""``autograder image build|status``: the grading images, built with the docker SDK.

An image's tag carries a hash of what went into it (the Dockerfile, the pinned
requirements, the gpu_runner sources), e.g. ``autograder-grading:cpu-1a2b3c4d5e6f``,
and it is also tagged ``:latest``. Labels record the hashes, so `DockerRunner`
refuses an image whose executor differs from this checkout's
(``org.autograder.runner-hash``) and ``image status`` shows what is stale.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from autograder.errors import ConfigError, InfrastructureError, RunnerUnavailableError
from gpu_runner.spec import INPUTS_HASH_LABEL, RUNNER_HASH_LABEL, runner_sources_hash

KIND_LABEL = "org.autograder.kind"
BASE_LABEL = "org.autograder.base"
IMAGE_LABEL = "org.autograder.image"
KINDS = {
    "cpu": ("docker/Dockerfile", "autograder-grading"),
    "gpu": ("docker/Dockerfile.gpu", "autograder-grading-gpu"),
}
REQUIREMENTS = "docker/requirements-image.txt"
CA_DIR = "docker/ca"


def source_root() -> Path:
    """The checkout holding docker/ and gpu_runner/ (the build context)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "docker" / "Dockerfile").is_file() or not (root / "gpu_runner").is_dir():
        raise ConfigError(
            f"no docker/Dockerfile next to the installed package ({root}); "
            "build the images from a source checkout (pip install -e .)"
        )
    return root


@dataclass(frozen=True)
class ImagePlan:
    """What `build_image` will build: file, tags, build args, labels."""

    kind: str
    dockerfile: str
    tags: tuple[str, ...]
    buildargs: dict[str, str]
    labels: dict[str, str]
    inputs_hash: str

    @property
    def primary(self) -> str:
        return self.tags[0]


def inputs_hash(*, root: Path, kind: str) -> str:
    """Hash of everything that goes into the image of `kind` (not the base or CA)."""
    dockerfile, _ = KINDS[kind]
    digest = hashlib.sha256(kind.encode() + b"\0")
    for rel in (dockerfile, REQUIREMENTS):
        digest.update(rel.encode() + b"\0" + (root / rel).read_bytes() + b"\0")
    digest.update(runner_sources_hash(root / "gpu_runner").encode())
    return digest.hexdigest()


def _ca_name(root: Path, bundle: Path) -> str:
    """The bundle's file name in docker/ca/ (an identical file there is reused)."""
    if not bundle.is_file():
        raise ConfigError(f"--ca-bundle: no such file: {bundle}")
    data = bundle.read_bytes()
    ca_dir = root / CA_DIR
    ca_dir.mkdir(parents=True, exist_ok=True)
    for existing in sorted(ca_dir.iterdir()):
        if existing.is_file() and existing.read_bytes() == data:
            return existing.name  # same bytes: keeps the build cache
    name = bundle.name if bundle.suffix in (".crt", ".pem") else f"{bundle.name}.crt"
    shutil.copyfile(bundle, ca_dir / name)
    return name


def image_plan(
    *,
    root: Path,
    gpu: bool = False,
    base: str | None = None,
    ca_bundle: Path | None = None,
    tag: str | None = None,
) -> ImagePlan:
    kind = "gpu" if gpu else "cpu"
    dockerfile, repo = KINDS[kind]
    full = inputs_hash(root=root, kind=kind)
    if tag and ":" in tag.rsplit("/", 1)[-1]:
        repo = tag.rsplit(":", 1)[0]
        tags: tuple[str, ...] = (tag, f"{repo}:{kind}-{full[:12]}")
    else:
        repo = tag or repo
        tags = (f"{repo}:{kind}-{full[:12]}", f"{repo}:latest")
    buildargs = {}
    if base:
        buildargs["BASE_IMAGE"] = base
    if ca_bundle is not None:
        buildargs["CA_BUNDLE"] = _ca_name(root, ca_bundle)
    labels = {
        INPUTS_HASH_LABEL: full,
        RUNNER_HASH_LABEL: runner_sources_hash(root / "gpu_runner"),
        KIND_LABEL: kind,
        BASE_LABEL: base or "(Dockerfile default)",
    }
    return ImagePlan(kind, dockerfile, tags, buildargs, labels, full)


def _client() -> Any:
    from docker import from_env  # type: ignore[attr-defined]
    from docker.errors import DockerException  # type: ignore[import-not-found]

    try:
        client = from_env()
        client.ping()
    except (DockerException, OSError) as exc:
        raise RunnerUnavailableError(
            f"no Docker daemon answers ({exc}); start one (e.g. .ci/docker-engine.sh)"
        ) from exc
    return client


def build_image(*, plan: ImagePlan, root: Path, echo: Any = click.echo) -> str:
    """Build `plan` from `root` with the SDK, streaming the build log; the image id."""
    client = _client()
    echo(f"building {', '.join(plan.tags)} from {plan.dockerfile}")
    image_id = None
    for chunk in client.api.build(
        path=str(root),
        dockerfile=plan.dockerfile,
        tag=plan.primary,
        buildargs=plan.buildargs,
        labels=plan.labels,
        network_mode="host",
        rm=True,
        forcerm=True,
        pull=False,
        decode=True,
    ):
        if "error" in chunk:
            raise InfrastructureError(f"image build failed: {chunk['error'].strip()}")
        if "stream" in chunk and chunk["stream"].strip():
            echo(chunk["stream"].rstrip("\n"))
        if "aux" in chunk and "ID" in chunk["aux"]:
            image_id = chunk["aux"]["ID"]
    image = client.images.get(image_id or plan.primary)
    for extra in plan.tags[1:]:
        repo, _, name = extra.rpartition(":")
        image.tag(repo, name)
    echo(f"built {image.short_id}: {', '.join(plan.tags)}")
    _untag_older(client, plan, echo)
    return str(image.id)


def _untag_older(client: Any, plan: ImagePlan, echo: Any) -> None:
    """Drop this repo's older ``<kind>-<hash>`` tags (their layers go when unused)."""
    repo = plan.primary.rpartition(":")[0]
    prefix = f"{repo}:{plan.kind}-"
    for old in client.images.list(name=repo):
        for name in old.tags:
            if name.startswith(prefix) and name not in plan.tags:
                try:
                    client.images.remove(name)
                    echo(f"removed older tag {name}")
                except Exception as exc:  # in use by a container: leave it
                    echo(f"kept {name}: {exc}")


@dataclass(frozen=True)
class ImageState:
    tags: tuple[str, ...]
    kind: str
    #: None when the image carries no runner hash (built by hand)
    fresh: bool | None
    runner_hash: str
    size_mb: int
    created: str


def image_states(*, root: Path | None = None) -> list[ImageState]:
    """The grading images on the daemon; fresh = same gpu_runner sources as here."""
    client = _client()
    current = runner_sources_hash(root / "gpu_runner") if root else runner_sources_hash()
    states = []
    for image in client.images.list(filters={"label": f"{IMAGE_LABEL}=grading"}):
        labels = image.labels or {}
        built = labels.get(RUNNER_HASH_LABEL, "")
        states.append(
            ImageState(
                tags=tuple(image.tags) or (image.short_id,),
                kind=labels.get(KIND_LABEL, "gpu" if "org.autograder.gpu" in labels else "cpu"),
                fresh=(built == current) if built else None,
                runner_hash=built[:12] or "(none)",
                size_mb=int(image.attrs.get("Size", 0)) // 2**20,
                created=str(image.attrs.get("Created", ""))[:19],
            )
        )
    return sorted(states, key=lambda s: s.tags)


# -- CLI ----------------------------------------------------------------------------


@click.group("image")
def image() -> None:
    """Build and inspect the grading images (docker/Dockerfile, docker/Dockerfile.gpu)."""


@image.command("build")
@click.option("--gpu", is_flag=True, help="Build the GPU image (docker/Dockerfile.gpu).")
@click.option(
    "--base", default=None, help="Base image (BASE_IMAGE build arg); default: the Dockerfile's."
)
@click.option(
    "--ca-bundle",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="PEM bundle pip must trust (TLS-intercepting proxy); copied into docker/ca/.",
)
@click.option(
    "--tag",
    default=None,
    help="Repository (tags REPO:<kind>-<hash> and REPO:latest) or a full REPO:TAG.",
)
def build(gpu: bool, base: str | None, ca_bundle: Path | None, tag: str | None) -> None:
    """Build a grading image; its tag carries the hash of what went into it."""
    root = source_root()
    plan = image_plan(root=root, gpu=gpu, base=base, ca_bundle=ca_bundle, tag=tag)
    build_image(plan=plan, root=root, echo=lambda line: click.echo(line, err=True))
    for name in plan.tags:
        click.echo(name)


@image.command("status")
def status() -> None:
    """List the grading images and whether they match this checkout's gpu_runner."""
    try:
        root: Path | None = source_root()
    except ConfigError:
        root = None
    if root is not None:
        for kind in KINDS:
            click.echo(f"{kind}: sources hash {inputs_hash(root=root, kind=kind)[:12]}")
    states = image_states(root=root)
    if not states:
        click.echo("no grading images; build one with `autograder image build`")
        return
    for s in states:
        mark = {True: "fresh", False: "STALE", None: "?"}[s.fresh]
        click.echo(
            f"{mark:5}  {s.kind:3}  {', '.join(s.tags)}  runner {s.runner_hash}  "
            f"{s.size_mb} MB  {s.created}"
        )


__all__ = ["ImagePlan", "build_image", "image_plan", "image_states", "inputs_hash"]

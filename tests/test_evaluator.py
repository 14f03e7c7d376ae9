"""The clean evaluator's parts: its container as data, code-free loading, the export reader.

Real files throughout: Keras archives saved by Keras, skops files saved by skops,
links and FIFOs made on disk, the evaluator run as a real subprocess.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from autograder.config import ModelSpec, Threshold
from autograder.errors import ConfigError
from autograder.thresholds.requirements import check_requirements
from gpu_runner.evaluation import EvalOutput, EvalRequest, EvalResult, EvalTask, Transform
from gpu_runner.evaluator_spec import evaluator_spec
from gpu_runner.exports import read_artifact_file
from gpu_runner.model_loading import ModelRefused, check_keras_archive, load_sklearn
from gpu_runner.runners.docker import create_kwargs
from gpu_runner.runners.evaluators import ProcessEvaluator, request_archive
from gpu_runner.spec import ContainerSpec

REQUEST = EvalRequest(
    request_id="eval-week05-alice-1a2b3c4d",
    tasks=(EvalTask(id="acc", kind="keras", artifact="acc.keras", inputs="acc.inputs.npy"),),
    files={"acc.keras": b"PK", "acc.inputs.npy": b"\x93NUMPY"},
    timeout_s=300,
    memory_mb=3072,
    cpus=2.0,
)


def test_evaluator_container_spec() -> None:
    spec = evaluator_spec(REQUEST, image="autograder-grading:cpu-abc", owner="g:1", owner_start="7")
    assert spec == ContainerSpec(
        image="autograder-grading:cpu-abc",
        command=(
            "/opt/venv/bin/python",
            "-m",
            "gpu_runner.evaluator",
            "--request",
            "/eval/request",
            "--results",
            "/eval/results",
        ),  # fmt: skip
        user="2000:2000",
        working_dir="/tmp",
        env={
            "HOME": "/tmp",
            "PYTHONDONTWRITEBYTECODE": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "TF_ENABLE_ONEDNN_OPTS": "0",
            "MPLCONFIGDIR": "/tmp/.matplotlib",
            "KERAS_HOME": "/tmp/.keras",
        },
        labels={
            "org.autograder.runner": "evaluator",
            "org.autograder.job": "eval-week05-alice-1a2b3c4d",
            "org.autograder.owner": "g:1",
            "org.autograder.owner-start": "7",
        },
        kernel_env={},
        mem_limit_mb=3072,
        memswap_limit_mb=3072,
        nano_cpus=2_000_000_000,
        pids_limit=256,
        tmpfs={"/tmp": "size=256m,mode=1777"},
        volume="/eval",
        read_only=True,
        network_mode="none",
        cap_drop=("ALL",),
        cap_add=(),
        security_opt=("no-new-privileges",),
        init=True,
    )
    kwargs = create_kwargs(spec)
    assert kwargs["network_mode"] == "none" and kwargs["cap_add"] == []
    assert kwargs["read_only"] is True and kwargs["user"] == "2000:2000"


JOB = "org.autograder.job"


def test_evaluator_started_ahead_differs_only_in_its_command() -> None:
    from gpu_runner.evaluator_spec import EvaluatorShape, evaluator_shape_spec

    shape = EvaluatorShape(
        image="autograder-grading:cpu-abc", memory_mb=3072, cpus=2.0, preload=("sklearn", "keras")
    )
    ahead = evaluator_shape_spec(shape, slot="eval-1", owner="g:1", owner_start="7", wait=True)
    cold = evaluator_spec(REQUEST, image="autograder-grading:cpu-abc", owner="g:1", owner_start="7")
    assert ahead.command == (
        *cold.command, "--wait-for-request", "--preload", "keras,sklearn"
    )  # fmt: skip
    same = dataclasses.replace(
        ahead, command=cold.command, labels={**ahead.labels, JOB: cold.labels[JOB]}
    )
    assert same == cold  # user, caps, network, caps on memory/cpus/pids: identical
    assert EvaluatorShape.of(REQUEST, image=shape.image).preload == ("keras",)


def test_request_archive_ends_with_the_ready_marker() -> None:
    import io
    import tarfile

    from gpu_runner.evaluator import READY_MARKER
    from gpu_runner.runners.evaluators import evaluator_skeleton, request_archive

    with tarfile.open(fileobj=io.BytesIO(request_archive(REQUEST, uid=2000, ready=True))) as tar:
        names = [m.name for m in tar.getmembers()]
    assert names[-1] == f"./request/{READY_MARKER}"
    assert f"./request/{READY_MARKER}" not in _names(request_archive(REQUEST, uid=2000))
    with tarfile.open(fileobj=io.BytesIO(evaluator_skeleton(uid=2000))) as tar:
        modes = {m.name: (m.mode, m.uid, m.isdir()) for m in tar.getmembers()}
    assert modes == {"./request": (0o555, 0, True), "./results": (0o700, 2000, True)}


def _names(archive: bytes) -> list[str]:
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return [m.name for m in tar.getmembers()]


def test_request_archive_is_read_only_for_the_evaluator() -> None:
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(request_archive(REQUEST, uid=2000))) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert (members["./request"].mode, members["./request"].uid) == (0o555, 0)
    assert (members["./results"].mode, members["./results"].uid) == (0o700, 2000)
    for name in ("request.json", "acc.keras", "acc.inputs.npy"):
        assert (members[f"./request/{name}"].mode, members[f"./request/{name}"].uid) == (0o444, 0)
    assert not any("labels" in name or "y" == Path(name).stem for name in members)


def test_request_and_output_round_trip() -> None:
    request = EvalRequest(
        "r",
        (
            EvalTask(
                "g",
                "generator",
                "g.keras",
                samples=5,
                seed=9,
                transform=Transform(input_shape=(8, 8, 1)),
            ),
        ),
    )
    again = EvalRequest.from_spec_dict(json.loads(json.dumps(request.spec_dict())), files={})
    assert again == request
    output = EvalOutput(
        "r", (EvalResult("g", b"\x00\x01", {"params": 3}, None, "", {"load": 0.1}),)
    )
    assert EvalOutput.from_json(output.to_json()) == output


# -- code-free loading -------------------------------------------------------------


def _keras_archive(config: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("config.json", json.dumps(config))
        z.writestr("metadata.json", "{}")
    return buf.getvalue()


def test_keras_archives_with_foreign_objects_are_refused() -> None:
    ok = {"module": "keras", "class_name": "Sequential", "config": {"layers": [
        {"module": "keras.layers", "class_name": "Dense", "config": {}, "registered_name": None}
    ]}}  # fmt: skip
    assert check_keras_archive(_keras_archive(ok))["class_name"] == "Sequential"
    custom = json.loads(json.dumps(ok))
    custom["config"]["layers"][0].update(module="os", class_name="system")
    with pytest.raises(ModelRefused, match="custom object 'system' from module 'os'"):
        check_keras_archive(_keras_archive(custom))
    registered = json.loads(json.dumps(ok))
    registered["config"]["layers"][0]["registered_name"] = "Custom>Evil"
    with pytest.raises(ModelRefused, match="Custom>Evil"):
        check_keras_archive(_keras_archive(registered))
    with pytest.raises(ModelRefused, match="not a .keras archive"):
        check_keras_archive(pickle.dumps({"accuracy": 1.0}))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.json", json.dumps(ok))
        z.writestr("model.weights.h5", b"\0" * (600 * 2**20))
    with pytest.raises(ModelRefused, match="unpacks to more than"):
        check_keras_archive(bomb.getvalue())


def test_skops_untrusted_types_are_refused() -> None:
    import skops.io as sio
    from sklearn.neighbors import KNeighborsClassifier

    x, y = np.random.default_rng(0).random((20, 3)), np.arange(20) % 2
    data = sio.dumps(KNeighborsClassifier(1).fit(x, y))
    with pytest.raises(ModelRefused, match="untrusted types: sklearn"):
        load_sklearn(data, trusted=())
    with pytest.raises(ModelRefused, match="not a skops file"):
        load_sklearn(pickle.dumps(KNeighborsClassifier()), trusted=())


def test_process_evaluator_reports_facts_and_refusals(tmp_path: Path) -> None:
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(np.random.rand(32, 4), np.arange(32) % 2, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    x = io.BytesIO()
    np.save(x, np.random.rand(7, 4) * 16)
    request = EvalRequest(
        "r",
        (
            EvalTask("ok", "keras", "m.keras", "x.npy", transform=Transform(input_scale=1 / 16)),
            EvalTask("pickle", "keras", "p.keras", "x.npy"),
            EvalTask("shape", "keras", "m.keras", "x.npy", transform=Transform(input_shape=(2, 2))),
        ),
        files={
            "m.keras": (tmp_path / "m.keras").read_bytes(),
            "p.keras": pickle.dumps(model.get_weights()),
            "x.npy": x.getvalue(),
        },
    )
    out = ProcessEvaluator().evaluate(request)
    assert out.error is None
    ok = out.result("ok")
    assert ok.error is None and np.load(io.BytesIO(ok.predictions or b"")).shape == (7, 2)
    assert ok.facts["optimizer_iterations"] == 1 and ok.facts["params"] == 10
    assert [layer["type"] for layer in ok.facts["layers"]] == ["InputLayer", "Dense"]
    assert (out.result("pickle").error, out.result("pickle").detail) == (
        "load_refused",
        "not a .keras archive",
    )
    assert out.result("shape").error == "predict_failed"


def _sklearn_request(request_id: str, seed: int) -> EvalRequest:
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    x, y = rng.random((40, 3)), np.arange(40) % 2
    inputs = io.BytesIO()
    np.save(inputs, rng.random((9, 3)))
    return EvalRequest(
        request_id,
        (EvalTask("clf", "sklearn", "m.skops", "x.npy"),),
        files={"m.skops": sio.dumps(LogisticRegression().fit(x, y)), "x.npy": inputs.getvalue()},
    )


def test_process_evaluator_forks_each_request_from_a_preloaded_server() -> None:
    """Forked from the batch's server once it listens; one-shot before that, after the
    server died (a new one starts), and without a batch (`expect`)."""
    requests = [_sklearn_request(f"r{i}", seed=i) for i in range(3)]
    one_shot = [ProcessEvaluator(forking=False).evaluate(r) for r in requests]
    evaluator = ProcessEvaluator()
    evaluator.expect(memory_mb=1024, cpus=1.0, kinds=("sklearn",), jobs=3)
    try:
        zygote = evaluator.zygote
        assert zygote is not None and zygote.socket(wait_s=120) is not None  # listening
        forked = [evaluator.evaluate(r) for r in requests]
        first = zygote.pid  # one server for the batch
        assert first is not None
        os.kill(first, 9)  # a request finding the server dead still gets its answer ...
        again = evaluator.evaluate(requests[0])
        evaluator.evaluate(requests[1])
        assert zygote.pid is not None and zygote.pid != first  # ... and a new one starts
    finally:
        evaluator.close()
    assert zygote.pid is None
    for cold, warm in zip(one_shot + one_shot[:1], forked + [again], strict=True):
        assert cold.error is None and warm.error is None
        assert warm.result("clf").predictions == cold.result("clf").predictions
        assert warm.result("clf").facts == cold.result("clf").facts
    # the framework was imported by the server, not by each request's child
    for cold, warm in zip(one_shot, forked, strict=True):
        assert warm.result("clf").seconds["import"] < cold.result("clf").seconds["import"]
    single = ProcessEvaluator()  # one submission, no batch: no server is started
    assert single.evaluate(requests[2]).result("clf").predictions == one_shot[2].result(
        "clf"
    ).predictions
    assert single.zygote is not None and single.zygote.pid is None


# -- reading what the kernel left ----------------------------------------------------


def test_export_reader_takes_regular_files_only(tmp_path: Path) -> None:
    (tmp_path / "ok.npy").write_bytes(b"x" * 10)
    assert read_artifact_file(tmp_path, "ok.npy", 10) == b"x" * 10
    assert read_artifact_file(tmp_path, "ok.npy", 9) == (
        "the exported model is too large: 10 bytes (at most 9)"
    )
    secret = tmp_path / "secret"
    secret.write_bytes(b"executor's own file")
    os.symlink(secret, tmp_path / "link.npy")
    assert read_artifact_file(tmp_path, "link.npy", 100) == "no model was exported"
    os.mkfifo(tmp_path / "fifo.npy")
    assert read_artifact_file(tmp_path, "fifo.npy", 100) == "the export is not a regular file"
    assert read_artifact_file(tmp_path, "absent.npy", 100) == "no model was exported"
    os.symlink(tmp_path, tmp_path.parent / "linked-dir")
    assert read_artifact_file(tmp_path.parent / "linked-dir", "ok.npy", 100) == (
        "no model was exported"
    )


# -- configuration and rules -------------------------------------------------------------


def test_probe_expressions_are_refused_with_the_replacement(tmp_path: Path) -> None:
    from autograder.config import load_assignment_config

    (tmp_path / "assignment.toml").write_text(
        '[[thresholds]]\nid = "a"\nmetric = "accuracy"\nprobe = "model.predict(X)"\n'
        "floor = 0.5\ntarget = 0.9\npoints = 1\n"
    )
    with pytest.raises(ConfigError, match=r"`probe` expressions ran student code.*variable"):
        load_assignment_config(tmp_path)


def _spec(**requirements: object) -> ModelSpec:
    return Threshold.model_validate(
        {
            "id": "t",
            "metric": "accuracy",
            "floor": 0,
            "target": 1,
            "points": 1,
            "inputs": {"X": "hidden/X.npy"},
            "model": {"variable": "model", "kind": "keras", "requirements": requirements},
        }  # fmt: skip
    ).model


FACTS = {
    "class": "Sequential",
    "layers": [{"type": "Conv2D"}, {"type": "Flatten"}, {"type": "Dense"}],
    "input_shape": [None, 8, 8, 1],
    "output_shape": [None, 10],
    "params": 5000,
    "optimizer_iterations": 40,
}


@pytest.mark.parametrize(
    ("requirements", "rule", "message"),
    [
        (
            {"family": ["Functional"]},
            "family",
            "모델 종류가 Sequential입니다. 허용되는 종류: Functional",
        ),
        ({"layers": {"LSTM|GRU": 1}}, "layers", "LSTM/GRU 층이 1개 이상 있어야 하는데 0개입니다"),
        ({"input_shape": [64]}, "input_shape", "입력 모양이 (64)이어야 하는데 (8, 8, 1)입니다"),
        ({"output_shape": [1]}, "output_shape", "출력 모양이 (1)이어야 하는데 (10)입니다"),
        ({"max_params": 4999}, "max_params", "파라미터가 5,000개로 한도 4,999개를 넘습니다"),
    ],
)
def test_each_rule_names_itself(requirements: dict, rule: str, message: str) -> None:
    violation = check_requirements(_spec(**requirements), FACTS)
    assert violation is not None
    assert (violation.rule, violation.message.render("ko")) == (rule, message)


def test_rules_pass_and_training_evidence() -> None:
    spec = _spec(
        family=["Sequential"], layers={"Conv2D": 1, "Dense": 1}, input_shape=[8, 8, 1],
        output_shape=[10], max_params=5000, trained=True,
    )  # fmt: skip
    assert check_requirements(spec, FACTS) is None
    untrained = check_requirements(spec, {**FACTS, "optimizer_iterations": None})
    assert untrained is not None and untrained.rule == "trained"
    assert untrained.message.render("en").startswith("no evidence of training")


def test_implausible_values_are_flagged_for_review() -> None:
    from autograder.messages import render
    from autograder.pipeline.score import implausible

    base = {
        "id": "auc", "metric": "roc_auc", "floor": 0.9, "target": 0.95, "points": 1,
        "inputs": {"X": "hidden/X.npy"},
    }  # fmt: skip
    model = {"variable": "clf", "kind": "sklearn"}
    flagged = Threshold.model_validate({**base, "model": model, "review_beyond": 0.999})
    assert implausible(flagged, 1.0, "higher") and not implausible(flagged, 0.996, "higher")
    assert not implausible(flagged, None, "higher")
    lower = Threshold.model_validate({**base, "model": model, "review_beyond": 0.2})
    assert implausible(lower, 0.1, "lower") and not implausible(lower, 0.3, "lower")
    unset = Threshold.model_validate({**base, "model": model})
    assert not implausible(unset, 1.0, "higher")
    assert render("flag.implausible", "en", id="auc", value="1.0000", limit="0.999") == (
        "review: auc scored 1.0000, implausible for this data (beyond 0.999)"
    )


def test_export_refusals_become_messages_naming_the_variable() -> None:
    from autograder.pipeline.evaluate import _export_failure
    from gpu_runner.job import ProbeRun

    th = Threshold.model_validate(
        {
            "id": "acc",
            "metric": "accuracy",
            "floor": 0.5,
            "target": 0.9,
            "points": 1,
            "inputs": {"X": "hidden/X.npy"},
            "model": {"variable": "model", "kind": "keras", "max_mb": 8},
        }  # fmt: skip
    )
    cases = {
        "the variable is not defined": "노트북에 `model` 변수가 없습니다 (이 변수의 모델을 채점합니다)",
        "not a Keras model: function": (
            "`model`은(는) Keras 모델(keras.Model)이어야 하는데 function입니다"
        ),
        "the exported model is too large: 9000000 bytes (at most 8388608)": (
            "내보낸 `model` 모델이 너무 큽니다 (최대 8 MB)"
        ),
        "no model was exported": "`model` 모델을 내보낼 수 없습니다: 모델이 내보내지지 않았습니다",
        "the export failed: ValueError: bad": (
            "`model` 모델을 내보낼 수 없습니다: the export failed: ValueError: bad"
        ),
    }
    for error, message in cases.items():
        assert _export_failure(th, ProbeRun("acc", None, error)).render("ko") == message, error


def test_dead_owners_evaluator_containers_are_removed() -> None:
    from tests.conftest import require_docker

    require_docker()
    from docker import from_env  # type: ignore[attr-defined]

    from gpu_runner.runners.evaluators import DockerEvaluator

    image = os.environ.get("AUTOGRADER_TEST_IMAGE", "autograder-grading:latest")
    client = from_env()
    labels = {
        "org.autograder.runner": "evaluator",
        "org.autograder.owner": f"{DockerEvaluator(image=image).hostname}:999999999",
    }
    orphan = client.containers.create(image, command=["true"], labels=labels)
    try:
        removed = DockerEvaluator(image=image, client=client).cleanup_leftovers()
        assert orphan.id in removed
    finally:
        try:
            orphan.remove(force=True)
        except Exception:
            pass


@pytest.mark.parametrize(
    ("model", "inputs", "error"),
    [
        ({"kind": "keras"}, {}, "exactly one `inputs` file, got 0"),
        ({"kind": "sklearn"}, {"a": "x.npy", "b": "y.npy"}, "exactly one `inputs` file, got 2"),
        ({"kind": "generator"}, {"X": "x.npy"}, "a generator is sampled by the evaluator"),
        ({"kind": "array", "array_use": "lookup"}, {}, "one `inputs` index file per axis"),
        ({"kind": "array"}, {"X": "x.npy"}, "the array is the prediction"),
    ],
)
def test_inputs_must_fit_the_model_kind(model: dict, inputs: dict, error: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=error):
        Threshold.model_validate(
            {
                "id": "t",
                "metric": "accuracy",
                "floor": 0,
                "target": 1,
                "points": 1,
                "model": {"variable": "m", **model},
                "inputs": inputs,
            }  # fmt: skip
        )

"""Loading exported models without running their code, and reading what they are.

Used only by the clean evaluator (`gpu_runner.evaluator`), in a process that holds
no student code: a ``.keras`` file is checked before Keras sees it (every object
in its config from Keras itself, no lambda, size-capped), then loaded with
``safe_mode=True``, no custom objects and without compiling; a skops file loads
only when every type in it is trusted (skops's defaults plus the task's list).
Each refusal is a `ModelRefused`, each other failure a `ModelLoadFailed`.

`keras_facts` and `sklearn_facts` describe the loaded model as plain data for
the host's rules; nothing here decides what is allowed beyond "code-free".
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

#: total uncompressed size of a .keras archive (a zip bomb is refused before extraction)
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
KERAS_MEMBERS = frozenset({"config.json", "metadata.json", "model.weights.h5", "assets"})
FORBIDDEN_CLASSES = frozenset({"Lambda", "__lambda__", "TFOpLambda", "function"})


class ModelRefused(Exception):
    """The artifact is not code-free (custom objects, lambdas, untrusted types, not a model)."""


class ModelLoadFailed(Exception):
    """A code-free artifact that still cannot be loaded (corrupt, incompatible)."""


# -- Keras ------------------------------------------------------------------------


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "class_name" in node:
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def check_keras_archive(data: bytes) -> dict[str, Any]:
    """The archive's config when every serialized object is Keras's own; else `ModelRefused`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ModelRefused("not a .keras archive") from None
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise ModelRefused("the archive unpacks to more than the limit")
    names = {i.filename.split("/")[0] for i in infos}
    if "config.json" not in names or not names <= KERAS_MEMBERS:
        raise ModelRefused(f"unexpected archive members: {sorted(names - KERAS_MEMBERS)[:5]}")
    try:
        config = json.loads(archive.read("config.json"))
    except (ValueError, KeyError, zipfile.BadZipFile):
        raise ModelRefused("config.json is not valid JSON") from None
    for obj in _objects(config):
        module = obj.get("module")
        class_name = str(obj.get("class_name"))
        if class_name in FORBIDDEN_CLASSES:
            raise ModelRefused(f"a {class_name} layer holds code")
        if module is not None and not (module == "keras" or str(module).startswith("keras.")):
            raise ModelRefused(f"custom object {class_name!r} from module {str(module)[:80]!r}")
        registered = obj.get("registered_name")
        if registered not in (None, class_name) and not str(registered).startswith("keras"):
            raise ModelRefused(f"custom object {str(registered)[:80]!r}")
    return dict(config) if isinstance(config, dict) else {}


def optimizer_iterations(data: bytes) -> int | None:
    """Training steps recorded in the archive's optimizer state (None: no optimizer saved)."""
    import h5py

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            weights = archive.read("model.weights.h5")
        with h5py.File(io.BytesIO(weights), "r") as h5:
            node = h5.get("optimizer/vars/0")
            if node is None or getattr(node, "shape", None) != ():
                return None
            return int(node[()])
    except (KeyError, OSError, ValueError, TypeError, zipfile.BadZipFile):
        return None


def load_keras(path: str, data: bytes) -> Any:
    check_keras_archive(data)
    import keras

    try:
        model = keras.saving.load_model(path, custom_objects=None, compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types for a file it cannot rebuild
        text = f"{type(exc).__name__}: {exc}"
        if "safe_mode" in text or "custom" in text.lower() or "lambda" in text.lower():
            raise ModelRefused(text[:300]) from None
        raise ModelLoadFailed(text[:300]) from None
    if not isinstance(model, keras.Model):
        raise ModelRefused(f"the archive holds a {type(model).__name__}, not a model")
    return model


def _shape(value: Any) -> list[Any] | None:
    try:
        if isinstance(value, list) and value and isinstance(value[0], tuple | list):
            return None  # several inputs or outputs
        return [None if d is None else int(d) for d in tuple(value)]
    except (TypeError, ValueError):
        return None


def keras_facts(model: Any, data: bytes) -> dict[str, Any]:
    try:
        layers = list(model._flatten_layers(include_self=False, recursive=True))
    except (AttributeError, TypeError):
        layers = list(model.layers)
    described = []
    for layer in layers:
        activation = getattr(layer, "activation", None)
        described.append(
            {
                "type": type(layer).__name__,
                "activation": getattr(activation, "__name__", None) if activation else None,
            }
        )
    try:
        input_shape = _shape(model.input_shape)
    except (AttributeError, ValueError):
        input_shape = None
    try:
        output_shape = _shape(model.output_shape)
    except (AttributeError, ValueError):
        output_shape = None
    return {
        "framework": "keras",
        "class": type(model).__name__,
        "layers": described,
        "input_shape": input_shape,
        "output_shape": output_shape,
        "params": int(model.count_params()),
        "optimizer_iterations": optimizer_iterations(data),
    }


# -- scikit-learn ---------------------------------------------------------------------


def load_sklearn(data: bytes, trusted: tuple[str, ...]) -> Any:
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # not a skops file at all
        raise ModelRefused(f"not a skops file: {type(exc).__name__}") from None
    refused = sorted(set(untrusted) - set(trusted))
    if refused:
        raise ModelRefused("untrusted types: " + ", ".join(t[:80] for t in refused[:5]))
    try:
        return sio.loads(data, trusted=list(untrusted))
    except Exception as exc:
        raise ModelLoadFailed(f"{type(exc).__name__}: {exc}"[:300]) from None


def _estimators(model: Any) -> list[Any]:
    found = [model]
    steps = getattr(model, "steps", None)
    if isinstance(steps, list):
        for step in steps:
            if isinstance(step, tuple) and len(step) == 2 and step[1] not in (None, "passthrough"):
                found += _estimators(step[1])
    return found


def sklearn_facts(model: Any) -> dict[str, Any]:
    from sklearn.base import BaseEstimator
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(model, BaseEstimator):
        raise ModelRefused(f"the file holds a {type(model).__name__}, not an estimator")
    chain = _estimators(model)
    final = chain[-1]
    try:
        check_is_fitted(final)
        fitted = True
    except (NotFittedError, TypeError):
        fitted = False
    return {
        "framework": "sklearn",
        "class": type(model).__name__,
        "estimators": [type(e).__name__ for e in chain],
        "final_estimator": type(final).__name__,
        "fitted": fitted,
        "n_features_in": int(getattr(model, "n_features_in_", -1)),
    }

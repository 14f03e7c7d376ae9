"""The data-only bridge: strict decoding, opaque handles, exceptions by allow-list.

The kernel side (`gpu_runner.bridge.kernel.answer`) runs in this process here,
behind a transport that serialises every request and answer as JSON, exactly
what crosses the kernel's messaging. End-to-end runs with real kernels are in
test_tests_outside.py.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import __main__
from gpu_runner.bridge import kernel
from gpu_runner.bridge.codec import BridgeError, CodecError, Decoder, Encoder
from gpu_runner.bridge.proxy import Bridge, Handle, KernelNames
from gpu_runner.textsafe import valid_text


@pytest.fixture
def student() -> Iterator[dict[str, Any]]:
    """The 'kernel' namespace: names put here are the student's."""
    added: dict[str, Any] = {}

    class Namespace(dict):  # type: ignore[type-arg]
        def __setitem__(self, key: str, value: Any) -> None:
            setattr(__main__, key, value)
            added[key] = value

    yield Namespace()
    for name in added:
        delattr(__main__, name)


def roundtrip(req: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(kernel.answer(json.dumps(req))))  # type: ignore[no-any-return]


@pytest.fixture
def bridge() -> Bridge:
    return Bridge(roundtrip)


def run_test(bridge: Bridge, source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__builtins__": KernelNames(bridge)}
    exec(compile(source, "<test cell>", "exec"), namespace)
    return namespace


def test_plain_data_crosses_as_exact_types(student: dict[str, Any], bridge: Bridge) -> None:
    student["value"] = {
        "a": [1, 2.5, None, True, "한글", b"\x00\xff"],
        (1, 2): {frozenset({3}), 4 + 5j},
        "arr": np.arange(6, dtype=np.int16).reshape(2, 3),
        "scalar": np.float32(1.5),
    }
    got = bridge.name("value")
    assert got["a"] == [1, 2.5, None, True, "한글", b"\x00\xff"]
    assert got[(1, 2)] == {frozenset({3}), 4 + 5j}
    assert got["arr"].dtype == np.int16 and got["arr"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert type(got["scalar"]) is np.float32


def test_subclasses_and_objects_stay_opaque(student: dict[str, Any], bridge: Bridge) -> None:
    class AlwaysEqual(list):  # type: ignore[type-arg]
        def __eq__(self, other: object) -> bool:
            return True

    student["squares"] = lambda n: AlwaysEqual()
    ns = run_test(bridge, "result = squares(3)")
    result = ns["result"]
    assert type(result) is Handle
    for attempt in (
        lambda: result == [0, 1, 4],
        lambda: result != [0, 1, 4],
        lambda: [0, 1, 4] == result,
        lambda: hash(result),
        lambda: bool(result),
        lambda: list(result),
        lambda: 1 in result,
        lambda: result < 1,
    ):
        with pytest.raises(BridgeError):
            attempt()
    with pytest.raises(BridgeError):
        run_test(bridge, "assert squares(3) == [0, 1, 4]")
    assert not isinstance(result, list)


def test_protocol_attributes_never_cross(student: dict[str, Any], bridge: Bridge) -> None:
    """A forged __array_interface__ would make numpy read arbitrary memory on this side."""

    class Fake:
        @property
        def __array_interface__(self) -> dict[str, Any]:
            raise RuntimeError("the trusted side asked the kernel for a protocol attribute")

    student["fake"] = Fake()
    student["plain"] = object()
    with pytest.raises(AttributeError):
        bridge.name("fake").__array_interface__  # noqa: B018
    assert bridge.name("fake").__class__ is Handle
    assert bridge.name("plain").__class__.__name__ == "Handle"
    student["func"] = test_protocol_attributes_never_cross
    assert bridge.name("func").__name__ == "test_protocol_attributes_never_cross"
    with pytest.raises(BridgeError):
        np.asarray(bridge.name("plain"))  # the kernel's asarray gives an object array: refused


def test_numpy_array_conversion_is_plain_data(student: dict[str, Any], bridge: Bridge) -> None:
    class Tensor:
        def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
            return np.array([1.0, 2.0])

    student["t"] = Tensor()
    assert np.asarray(bridge.name("t")).tolist() == [1.0, 2.0]


def test_exceptions_cross_by_allow_list(student: dict[str, Any], bridge: Bridge) -> None:
    def mean(xs: list[float]) -> float:
        if not xs:
            raise ValueError("empty")
        raise SystemExit("bye")

    class Sneaky(Exception):
        pass

    def sneaky() -> None:
        raise Sneaky("custom")

    student["mean"] = mean
    student["sneaky"] = sneaky
    with pytest.raises(ValueError, match="empty"):
        bridge.name("mean")([])
    with pytest.raises(BridgeError, match="SystemExit"):
        bridge.name("mean")([1])
    with pytest.raises(BridgeError, match="Sneaky: custom"):
        bridge.name("sneaky")()
    with pytest.raises(NameError):
        run_test(bridge, "no_such_name")


def test_rebinding_builtins_in_the_kernel_changes_nothing_here(
    student: dict[str, Any], bridge: Bridge
) -> None:
    student["ValueError"] = BaseException  # the student's own binding of the name
    ns = run_test(
        bridge, "caught = False\ntry:\n    int('x')\nexcept ValueError:\n    caught = True"
    )
    assert ns["caught"] is True


def test_arguments_cross_as_data_handles_or_library_references(
    student: dict[str, Any], bridge: Bridge
) -> None:
    from sklearn.neighbors import KNeighborsClassifier

    student["make"] = lambda factory: type(factory()).__name__
    student["ident"] = lambda x: x
    student["obj"] = object()
    assert bridge.name("make")(functools.partial(KNeighborsClassifier, 1)) == "KNeighborsClassifier"
    handle = bridge.name("obj")
    assert type(bridge.name("ident")(handle)) is Handle  # a handle goes back as the same object
    with pytest.raises(BridgeError, match="cannot pass"):
        bridge.name("ident")(lambda: 1)


def test_random_generators_cross_by_state(student: dict[str, Any], bridge: Bridge) -> None:
    student["draw"] = lambda rng: rng.normal(size=3)
    rng = np.random.default_rng(7)
    expected = np.random.default_rng(7).normal(size=3)
    assert np.allclose(bridge.name("draw")(rng), expected)
    assert np.allclose(rng.normal(size=3), expected)  # the test's own generator did not advance


def test_isinstance_sees_installed_classes_only(student: dict[str, Any], bridge: Bridge) -> None:
    from sklearn.linear_model import LinearRegression

    class FakeList:
        pass

    FakeList.__module__, FakeList.__qualname__ = "builtins", "list"
    student["model"] = LinearRegression()
    student["fake"] = FakeList()
    assert isinstance(bridge.name("model"), LinearRegression)
    assert not isinstance(bridge.name("fake"), list)


def test_modules_are_the_trusted_sides_own(student: dict[str, Any], bridge: Bridge) -> None:
    import types

    fake_np = types.ModuleType("numpy")
    fake_np.allclose = lambda *a, **k: True  # type: ignore[attr-defined]
    student["np"] = fake_np
    assert bridge.name("np") is np
    assert not bridge.name("np").allclose([1], [2])


@pytest.mark.parametrize(
    "node",
    [
        {"t": "list", "v": "not a list"},
        {"t": "int", "v": 5},
        {"t": "float", "v": "1e999999" * 10},
        {"t": "ndarray", "v": "!!!"},
        {"t": "dict", "v": [[{"t": "list", "v": []}, {"t": "none"}]]},
        {"t": "str", "v": "x", "extra": 1},
        {"t": "handle", "id": "1", "type": {"module": "", "qualname": ""}},
        {"t": "ref", "module": "os", "qualname": "system"},
        {"t": "bogus"},
        [],
    ],
)
def test_malformed_answers_are_refused(bridge: Bridge, node: Any) -> None:
    with pytest.raises((CodecError, BridgeError)):
        Decoder(bridge._opaque).decode(node)


def test_object_arrays_and_pickles_never_load(bridge: Bridge) -> None:
    import base64
    import io

    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    node = {"t": "ndarray", "v": base64.b64encode(buf.getvalue()).decode()}
    with pytest.raises(CodecError):
        Decoder(bridge._opaque).decode(node)


def test_size_and_depth_are_capped(student: dict[str, Any], bridge: Bridge) -> None:
    nested: list[Any] = []
    for _ in range(100):
        nested = [nested]
    student["deep"] = nested
    with pytest.raises(BridgeError, match="nested"):
        bridge.name("deep")
    with pytest.raises(BridgeError, match="larger"):
        Encoder(lambda v: {}, limit=1000).encode("x" * 2000)


def test_lone_surrogates_become_valid_text(student: dict[str, Any], bridge: Bridge) -> None:
    student["bad"] = "a\ud800b"
    text = bridge.name("bad")
    assert text == "a\ufffdb"


plain = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=5) | st.integers(), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(plain)
def test_plain_data_roundtrips_exactly(value: Any) -> None:
    node = json.loads(json.dumps(Encoder(lambda v: {"t": "none"}).encode(value)))
    decoded = Decoder(lambda n: None).decode(node)
    assert decoded == value or _text_fixed(value) == decoded
    assert type(decoded) is type(value)


def _text_fixed(value: Any) -> Any:
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, list):
        return [_text_fixed(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_text_fixed(v) for v in value)
    if isinstance(value, dict):
        return {_text_fixed(k): _text_fixed(v) for k, v in value.items()}
    return value


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text() | st.floats(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=15,
    )
)
def test_arbitrary_json_never_crashes_the_decoder(node: Any) -> None:
    try:
        Decoder(lambda n: None).decode(node)
    except (CodecError, BridgeError):
        pass


def test_tests_can_rebind_and_delete_student_names_like_nbgrader(
    student: dict[str, Any], bridge: Bridge
) -> None:
    """nbgrader's own example: `orig = squares; del squares; ...; squares = orig`."""
    from gpu_runner.bridge.proxy import TestLocals

    student["squares"] = lambda n: [i * i for i in range(1, n + 1)]
    student["sum_of_squares"] = eval("lambda n: sum(squares(n))", vars(__main__))
    names = KernelNames(bridge)
    namespace: dict[str, Any] = {"__builtins__": names}
    source = (
        "orig_squares = squares\n"
        "del squares\n"
        "try:\n    sum_of_squares(1)\nexcept NameError:\n    used = True\nelse:\n    used = False\n"
        "finally:\n    squares = orig_squares\n"
        "helper = [squares(2) for _ in range(2)]\n"
    )
    exec(compile(source, "<test cell>", "exec"), namespace, TestLocals(namespace, names))
    assert namespace["used"] is True
    assert namespace["helper"] == [[1, 4], [1, 4]]
    assert "squares" not in namespace  # the student's name went back to the kernel
    assert bridge.name("squares")(3) == [1, 4, 9]

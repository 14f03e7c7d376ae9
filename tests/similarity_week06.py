"""Generated week06 (CNN) students for the similarity benchmark: same idea as week02.

Every student writes the six answer cells from common variants with their own
names, hyper-parameters, comments and habits; copies are disguised as in
`similarity_class`.
"""

from __future__ import annotations

from tests.similarity_class import Student, WeekSpec

DOCS = {
    "to_images": '"""Raw 0..16 pixel rows (n, 256) -> float32 images (n, 16, 16, 1) in [0, 1]."""',
    "shift_image": '"""Shift a 2-D image by (dy, dx) pixels, filling the uncovered border with zeros."""',
    "augment": '"""Clean images followed by `copies` randomly shifted, noisy copies (and matching labels)."""',
    "build_cnn": '"""A compiled Keras CNN for (16, 16, 1) images and 10 classes."""',
    "predict_digits": '"""Predicted labels (n,) for raw 0..16 pixel rows X (n, 256)."""',
}
PRELUDE = {
    "shift_image": "image = np.asarray(image)",
    "augment": "images = np.asarray(images, dtype=np.float32)\nlabels = np.asarray(labels)",
}
ARGS = {
    "to_images": "X",
    "shift_image": "image, dy, dx",
    "augment": "images, labels, copies, rng",
    "build_cnn": "",
    "predict_digits": "X",
}
NAMES = {
    "arr": ["arr", "imgs", "x", "scaled", "data"],
    "out": ["out", "shifted", "result", "moved", "new"],
    "hh": ["h", "rows", "height", "H", "nr"],
    "ww": ["w", "cols", "width", "W", "nc"],
    "r": ["r", "i", "y", "row", "a"],
    "c": ["c", "j", "x_", "col", "b"],
    "xs_": ["xs_", "all_x", "x_list", "batches", "parts"],
    "ys_": ["ys_", "all_y", "y_list", "label_parts", "lab"],
    "img": ["img", "im", "picture", "one", "pic"],
    "mdl": ["model", "net", "cnn", "m", "clf"],
    "pred": ["probs", "p", "scores", "out_", "pr"],
}


def _fill(st: Student, name: str, body: str) -> str:
    names = {k: st.rng.choice(v) for k, v in NAMES.items()}
    text = body.format(**names)
    note = st.comment()
    lines = ([note] if note else []) + text.split("\n")
    head = [DOCS[name], *PRELUDE.get(name, "").split("\n")] if name in DOCS else []
    return f"def {name}({ARGS[name]}):\n" + "\n".join(
        "    " + line if line else "" for line in [*head, *lines] if line is not None
    )


def _to_images(st: Student) -> str:
    body = st.pick(
        "return (np.asarray(X, dtype=np.float32) / 16.0).reshape(-1, 16, 16, 1)",
        '{arr} = np.array(X, dtype="float32")\n{arr} = {arr} / 16.0\nreturn {arr}.reshape(len({arr}), 16, 16, 1)',
        "return np.asarray(X).reshape(-1, 16, 16, 1).astype(np.float32) / 16.0",
        "{arr} = np.asarray(X, dtype=np.float32).reshape(-1, 16, 16, 1)\nreturn {arr} / np.float32(16)",
    )
    body = body.replace("16.0", st.pick("16.0", "16", "16.", "16.0"))
    if st.rng.random() < 0.3:
        body = (
            st.pick("X = np.asarray(X)", "assert X.shape[1] == 256", "X = np.array(X, copy=True)")
            + "\n"
            + body
        )
    return body


def _shift(st: Student) -> str:
    return st.pick(
        "{out} = np.zeros_like(image)\n{hh}, {ww} = image.shape\n"
        "{out}[max(dy, 0) : {hh} + min(dy, 0), max(dx, 0) : {ww} + min(dx, 0)] = image[\n"
        "    max(-dy, 0) : {hh} + min(-dy, 0), max(-dx, 0) : {ww} + min(-dx, 0)\n]\nreturn {out}",
        "{out} = np.zeros_like(image)\n{hh}, {ww} = image.shape\nfor {r} in range({hh}):\n"
        "    for {c} in range({ww}):\n        if 0 <= {r} - dy < {hh} and 0 <= {c} - dx < {ww}:\n"
        "            {out}[{r}, {c}] = image[{r} - dy, {c} - dx]\nreturn {out}",
        "{out} = np.roll(image, (dy, dx), axis=(0, 1)).copy()\nif dy > 0:\n    {out}[:dy, :] = 0\n"
        "elif dy < 0:\n    {out}[dy:, :] = 0\nif dx > 0:\n    {out}[:, :dx] = 0\nelif dx < 0:\n"
        "    {out}[:, dx:] = 0\nreturn {out}",
        "{out} = np.pad(image, 1)\nreturn {out}[1 - dy : 9 - dy, 1 - dx : 9 - dx].copy()",
    )


def _augment(st: Student) -> str:
    draw = st.pick(
        "dy = int(rng.integers(-1, 2))\ndx = int(rng.integers(-1, 2))",
        "dy, dx = (int(v) for v in rng.integers(-1, 2, size=2))",
    )
    sigma = st.pick("0.1", "0.10")
    noise = st.pick(
        f"np.clip({{img}} + rng.normal(0, {sigma}, size={{img}}.shape), 0, 1)",
        f"np.clip({{img}} + rng.normal(0.0, {sigma}, {{img}}.shape), 0.0, 1.0)",
    )
    inner = "\n".join("        " + line for line in draw.split("\n"))
    return st.pick(
        "{xs_} = [images]\n{ys_} = [labels]\nfor _ in range(copies):\n    batch = []\n"
        f"    for {{img}} in images:\n{inner}\n"
        "        {img} = shift_image({img}[:, :, 0], dy, dx)[:, :, None]\n"
        f"        batch.append({noise})\n"
        "    {xs_}.append(np.array(batch, dtype=np.float32))\n    {ys_}.append(labels)\n"
        "return np.concatenate({xs_}).astype(np.float32), np.concatenate({ys_})",
        "n = len(images)\n{xs_} = np.zeros(((copies + 1) * n, 16, 16, 1), dtype=np.float32)\n"
        "{xs_}[:n] = images\nfor k in range(copies):\n    for i in range(n):\n"
        + inner
        + "\n        {img} = shift_image(images[i, :, :, 0], dy, dx)[:, :, None]\n"
        f"        {{xs_}}[(k + 1) * n + i] = {noise}\n"
        "return {xs_}, np.tile(labels, copies + 1)",
    )


def _build(st: Student) -> str:
    f1, f2 = st.pick("16", "32", "32"), st.pick("32", "64", "64")
    units, drop = st.pick("64", "128", "128", "256"), st.pick("0.2", "0.25", "0.3", "0.5")
    second = st.rng.random() < 0.7
    opt = st.pick(
        '"adam"', "keras.optimizers.Adam(1e-3)", "keras.optimizers.Adam(learning_rate=0.001)"
    )
    kernel = st.pick("3", "(3, 3)", "3", "kernel_size=3")
    norm = ["keras.layers.BatchNormalization()"] if st.rng.random() < 0.3 else []
    pool = st.pick(
        "keras.layers.MaxPooling2D()",
        "keras.layers.MaxPooling2D((2, 2))",
        "keras.layers.MaxPool2D(2)",
    )
    extra_dense = (
        [f'keras.layers.Dense({st.pick("32", "64")}, activation="relu")']
        if st.rng.random() < 0.3
        else []
    )
    layers = [
        "keras.Input(shape=(16, 16, 1))",
        f'keras.layers.Conv2D({f1}, {kernel}, padding="same", activation="relu")',
        *norm,
        *(
            [f'keras.layers.Conv2D({f2}, {kernel}, padding="same", activation="relu")']
            if second
            else []
        ),
        pool,
        "keras.layers.Flatten()",
        f'keras.layers.Dense({units}, activation="relu")',
        f"keras.layers.Dropout({drop})",
        *extra_dense,
        'keras.layers.Dense(10, activation="softmax")',
    ]
    compile_ = (
        f'{{mdl}}.compile(optimizer={opt}, loss="sparse_categorical_crossentropy", '
        'metrics=["accuracy"])\nreturn {mdl}'
    )
    if st.rng.random() < 0.5:
        body = "{mdl} = keras.Sequential([\n" + "".join(f"    {x},\n" for x in layers) + "])"
    else:
        body = "{mdl} = keras.Sequential()\n" + "\n".join(f"{{mdl}}.add({x})" for x in layers)
    return f"{body}\n{compile_}"


def _predict(st: Student) -> str:
    return st.pick(
        "{pred} = model.predict(to_images(X), verbose=0)\nreturn np.argmax({pred}, axis=1).astype(np.int64)",
        "return np.argmax(model.predict(to_images(X), verbose=0), axis=1)",
        "{pred} = model.predict(to_images(X), verbose=0)\nreturn {pred}.argmax(axis=1).astype(int)",
    )


def _train(st: Student) -> str:
    epochs, batch = st.rng.randint(6, 14), st.pick("32", "64", "128")
    split = st.pick("0.1", "0.1", "0.2")
    early = st.rng.random() < 0.3
    note = st.comment()
    lines = [
        *([note] if note else []),
        "X_aug, y_aug = augment(to_images(X_train_raw), y_train, copies=8, rng=np.random.default_rng(0))",
        "model = build_cnn()",
        *(["model.summary()"] if st.rng.random() < 0.4 else []),
        *(
            [f"stop = keras.callbacks.EarlyStopping(patience={st.rng.randint(2, 4)})"]
            if early
            else []
        ),
        f"history = model.fit(X_aug, y_aug, epochs={epochs}, batch_size={batch}, "
        f"validation_split={split}, verbose=0"
        + (", callbacks=[stop]" if early else "")
        + (", shuffle=True" if st.rng.random() < 0.3 else "")
        + ")",
        *(
            [
                st.pick(
                    "print(history.history.keys())", 'print(max(history.history["val_accuracy"]))'
                )
            ]
            if st.rng.random() < 0.4
            else []
        ),
        "test_loss, test_acc = model.evaluate(to_images(X_test_raw), y_test, verbose=0)",
        'print(f"공개 테스트 정확도: {test_acc:.3f}")',
    ]
    return "\n".join(lines)


def cells(st: Student) -> dict[str, str]:
    return {
        "to_images": _fill(st, "to_images", _to_images(st)),
        "shift_image": _fill(st, "shift_image", _shift(st)),
        "augment": _fill(st, "augment", _augment(st)),
        "build_cnn": _fill(st, "build_cnn", _build(st)),
        "train": _train(st),
        "predict_digits": _fill(st, "predict_digits", _predict(st)),
    }


def check_cell(st: Student) -> str | None:
    if not st.check_numbers:
        return None
    i = st.rng.randint(0, 300)
    first = st.pick(
        f"print(predict_digits(X_test_raw[{i}:{i + 5}]), y_test[{i}:{i + 5}])",
        f"import matplotlib.pyplot as plt\nplt.imshow(X_test_raw[{i}].reshape(16, 16))\nplt.show()",
        "print(history.history['val_accuracy'][-1])\nprint(np.mean(predict_digits(X_test_raw) == y_test))",
    )
    second = st.pick(
        "",
        "from sklearn.metrics import confusion_matrix\n"
        "print(confusion_matrix(y_test, predict_digits(X_test_raw)))",
        'import matplotlib.pyplot as plt\nplt.plot(history.history["loss"], label="loss")\n'
        'plt.plot(history.history["val_loss"], label="val")\nplt.legend()\nplt.show()',
        f"wrong = np.where(predict_digits(X_test_raw) != y_test)[0]\nprint(len(wrong), wrong[:{st.rng.randint(3, 12)}])",
    )
    return f"{first}\n\n{second}".strip()


def split(cells_: dict[str, str]) -> tuple[dict[str, str], str, str]:
    """The training cell split after its first statement."""
    lines = cells_["train"].split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("X_aug"))
    return (
        {**cells_, "train": "\n".join(lines[: first + 1])},
        "train",
        "\n".join(lines[first + 1 :]),
    )


KEEP = frozenset(
    {
        "to_images", "shift_image", "augment", "build_cnn", "predict_digits", "np", "keras",
        "X", "image", "dy", "dx", "images", "labels", "copies", "rng", "model", "history",
        "X_train_raw", "X_test_raw", "y_train", "y_test", "test_loss", "test_acc", "X_aug", "y_aug",
    }
)  # fmt: skip

WEEK06 = WeekSpec(
    week="week06",
    cells=cells,
    check_cell=check_cell,
    extra_after="test_predict_digits",
    split=split,
    keep=KEEP,
)

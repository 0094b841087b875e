"""Classification tasks as the documents build them from the canonical split.

A task takes an optional subset first (the paper's "first 20,000 training images and
the last 2,000 test images", counted before filtering), then keeps the classes it
needs and relabels them: a pair (a, b) -> (0, 1), one-vs-rest digit d -> 1 else 0,
or all ten classes. Pixels are scaled by 1/255 into float64 rows of 784.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from logitlab.data.mnist import DatasetSplit
from logitlab.errors import DataError

PIXEL_SCALE = 1.0 / 255.0


@dataclass(frozen=True, eq=False)
class Task:
    """Design matrices and 0-based labels for one experiment."""

    X_train: NDArray[np.float64]  # (n_train, 784) in [0, 1]
    y_train: NDArray[np.int64]  # (n_train,)
    X_test: NDArray[np.float64]  # (n_test, 784)
    y_test: NDArray[np.int64]  # (n_test,)
    images_test: NDArray[np.uint8]  # (n_test, 28, 28), for galleries
    class_names: list[str]  # name of label 0, 1, ...
    kind: str
    digits: tuple[int, ...]  # original class of label 0, 1, ... (ovr: the positive one)


def make_task(
    ds: DatasetSplit,
    kind: Literal["pair", "ovr", "multiclass"] = "pair",
    digits: tuple[int, ...] | None = None,
    *,
    n_train: int | None = None,
    test_slice: Literal["first", "last"] = "first",
    n_test: int | None = None,
) -> Task:
    """Build a task from `ds`.

    `digits`: (a, b) for "pair", (d,) for "ovr", None for "multiclass" (all ten).
    `n_train`: keep the first N training images; `n_test` with `test_slice`: the
    first or last M test images — both before filtering to the task's classes.
    """
    digits = _check_digits(kind, digits)
    train = _subset(ds.train_images, ds.train_labels, n_train, "first", "n_train")
    test = _subset(ds.test_images, ds.test_labels, n_test, test_slice, "n_test")
    names = list(ds.class_names)
    if kind == "ovr":
        class_names = [f"not {names[digits[0]]}", names[digits[0]]]
    else:
        class_names = [names[d] for d in digits]
    parts = []
    for (images, labels), part in ((train, "training"), (test, "test")):
        images, y = _relabel(images, labels, kind, digits)
        for k in range(len(class_names)):
            if not np.any(y == k):
                raise DataError(
                    f"the {part} subset has no images of class {class_names[k]!r}; "
                    "use more images"
                )
        parts.append((images, y))
    (train_images, y_train), (test_images, y_test) = parts
    return Task(
        X_train=_features(train_images),
        y_train=y_train,
        X_test=_features(test_images),
        y_test=y_test,
        images_test=np.array(test_images),
        class_names=class_names,
        kind=kind,
        digits=digits,
    )


def _check_digits(kind: str, digits: tuple[int, ...] | None) -> tuple[int, ...]:
    """The task's classes, or a DataError saying why the request cannot be met."""
    if kind == "multiclass":
        if digits is not None and tuple(digits) != tuple(range(10)):
            raise DataError("multiclass uses all ten classes; pass digits=None")
        return tuple(range(10))
    wanted = {"pair": 2, "ovr": 1}.get(kind)
    if wanted is None:
        raise DataError(f"unknown task kind {kind!r}; choose pair, ovr or multiclass")
    digits = tuple(digits or ())
    if len(digits) != wanted:
        raise DataError(f"a {kind} task needs {wanted} digit(s), got {list(digits)}")
    for d in digits:
        if (
            not isinstance(d, (int, np.integer))
            or isinstance(d, bool)
            or not 0 <= d <= 9
        ):
            raise DataError(f"digit {d!r} does not exist; classes are 0 to 9")
    if len(set(digits)) != len(digits):
        raise DataError(f"a pair needs two different digits, got {digits[0]} twice")
    return tuple(int(d) for d in digits)


def _subset(
    images: NDArray[np.uint8],
    labels: NDArray[np.uint8],
    n: int | None,
    end: str,
    what: str,
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """The first or last `n` examples (all when n is None)."""
    if n is None:
        return images, labels
    if end not in ("first", "last"):
        raise DataError(f"test_slice must be 'first' or 'last', got {end!r}")
    if (
        isinstance(n, bool)
        or not isinstance(n, (int, np.integer))
        or not 1 <= n <= len(labels)
    ):
        raise DataError(f"{what}={n!r}: must be between 1 and {len(labels)}")
    part = slice(0, n) if end == "first" else slice(len(labels) - n, None)
    return images[part], labels[part]


def _relabel(
    images: NDArray[np.uint8],
    labels: NDArray[np.uint8],
    kind: str,
    digits: tuple[int, ...],
) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    """Keep the task's examples; label 0, 1, ... in the order of `digits`."""
    if kind == "ovr":
        return images, (labels == digits[0]).astype(np.int64)
    if kind == "multiclass":
        return images, labels.astype(np.int64)
    keep = np.isin(labels, digits)
    return images[keep], (labels[keep] == digits[1]).astype(np.int64)


def _features(images: NDArray[np.uint8]) -> NDArray[np.float64]:
    return np.multiply(images.reshape(len(images), -1), PIXEL_SCALE, dtype=np.float64)


def holdout_split(
    X: NDArray[np.float64],
    y: NDArray[np.int64],
    fraction: float = 0.1,
    method: Literal["first", "stratified"] = "first",
    random_state: int | None = None,
) -> tuple[
    NDArray[np.float64], NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]
]:
    """Split off a validation set: X_train, y_train, X_val, y_val.

    "first" takes the first `fraction` of the rows as the paper does ("the first 10%
    are used as a hold-out set"); "stratified" draws a class-balanced, seeded sample.
    """
    n_val = int(len(y) * fraction)
    if not 0 < fraction < 1 or not 0 < n_val < len(y):
        raise DataError(
            f"validation fraction {fraction} of {len(y)} examples leaves an empty part"
        )
    if method == "first":
        return X[n_val:], y[n_val:], X[:n_val], y[:n_val]
    if method == "stratified":
        try:
            X_tr, X_val, y_tr, y_val = train_test_split(
                X, y, test_size=n_val, stratify=y, random_state=random_state
            )
        except ValueError as exc:
            raise DataError(f"stratified hold-out split impossible: {exc}") from None
        return X_tr, y_tr, X_val, y_val
    raise DataError(f"unknown hold-out method {method!r}; choose first or stratified")


def standardize(
    X_train: NDArray[np.float64], *others: NDArray[np.float64]
) -> tuple[Any, ...]:
    """Fit a StandardScaler on the training part only; return it and every part scaled.

    `scaler, X_tr_s, X_te_s = standardize(X_tr, X_te)`: test statistics never leak
    into the scaling.
    """
    scaler = StandardScaler().fit(X_train)
    return (scaler, scaler.transform(X_train), *(scaler.transform(X) for X in others))

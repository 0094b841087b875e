"""The data interface the optimiser codes against (`prepare` -> an `Objective`).

A thin adapter with the signature of `logitlab.backends.prepare` (the engine lane's
interface) over today's `FullBatchKernel` and the reference functions of
`models.losses`; it goes when that interface lands.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from logitlab.backends.kernels import FullBatchKernel, worth_preparing
from logitlab.models.losses import Family

Array = NDArray[Any]


class Objective(Protocol):
    """A data set as the optimiser sees it, prepared once per fit (or per eval set)."""

    n_samples: int

    def loss_grad(self, W: Array, b: Any) -> tuple[float, Array, Any]: ...

    def loss_accuracy(self, W: Array, b: Any) -> tuple[float, float]: ...

    def loss_grad_accuracy(
        self, W: Array, b: Any
    ) -> tuple[float, Array, Any, float]: ...


def _targets(family: Family, labels: NDArray[np.intp], W: Array) -> Array:
    """The loss's target: 0/1 floats, or one-hot columns as many as W has."""
    if family.name == "binary":
        return labels.astype(W.dtype)
    return (labels[:, None] == np.arange(W.shape[1])).astype(W.dtype)


class _Reference:
    """The reference functions of `models.losses` on rows X."""

    def __init__(self, family: Family, X: Array, labels: NDArray[np.intp]) -> None:
        self.family, self.X, self.labels = family, X, labels
        self.n_samples = X.shape[0]
        self._Y: Array | None = None

    def _target(self, W: Array) -> Array:
        if self._Y is None:
            self._Y = _targets(self.family, self.labels, W)
        return self._Y

    def loss_grad(self, W: Array, b: Any) -> tuple[float, Array, Any]:
        return self.family.loss_grad(self.X, self._target(W), W, b)

    def loss_accuracy(self, W: Array, b: Any) -> tuple[float, float]:
        Z = self.family.logits(self.X, W, b)
        accuracy = float(np.mean(self.family.predict_index(Z) == self.labels))
        return self.family.loss_from_logits(self.labels, Z), accuracy

    def loss_grad_accuracy(self, W: Array, b: Any) -> tuple[float, Array, Any, float]:
        return (*self.loss_grad(W, b), self.loss_accuracy(W, b)[1])


class _Prepared:
    """`FullBatchKernel`, built at the first call (when W's shape gives k)."""

    def __init__(self, family: Family, X: Array, labels: NDArray[np.intp]) -> None:
        self.family, self.X, self.labels = family, X, labels
        self.n_samples = X.shape[0]
        self._kernel: FullBatchKernel | None = None

    def _ready(self, W: Array) -> FullBatchKernel:
        if self._kernel is None:
            binary = self.family.name == "binary"
            k = None if binary else W.shape[1]
            self._kernel = FullBatchKernel(self.X, self.labels, k, binary=binary)
        return self._kernel

    def loss_grad(self, W: Array, b: Any) -> tuple[float, Array, Any]:
        return self._ready(W).loss_grad(W, b)

    def loss_accuracy(self, W: Array, b: Any) -> tuple[float, float]:
        return self._ready(W).loss_accuracy(W, b)

    def loss_grad_accuracy(self, W: Array, b: Any) -> tuple[float, Array, Any, float]:
        return self._ready(W).loss_grad_accuracy(W, b)


def prepare(
    family: Family,
    X: Array,
    labels: NDArray[np.intp],
    *,
    sample_weight: Array | None = None,
    backend: str = "auto",
    n_jobs: int | None = None,
) -> Objective:
    """An `Objective` over rows X with class indices `labels` (see the module)."""
    if sample_weight is not None:
        raise NotImplementedError("sample weights need the engine's backends")
    if backend == "numpy" or not worth_preparing(X):
        return _Reference(family, X, labels)
    return _Prepared(family, X, labels)

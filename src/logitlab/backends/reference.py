"""The NumPy reference objective: the plain products, the one the tests trust.

`X @ W` and `Xᵀ @ dZ` with NumPy (dense) or SciPy (sparse) and the family's loss on
the logits from `logitlab.models.losses`; nothing prepared but the targets.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import ThreadpoolController

from logitlab.models.losses import Family

Array = NDArray[Any]
_blas = ThreadpoolController()


def single_threaded_blas() -> Any:
    """Context in which BLAS runs on one thread (products too small for threads)."""
    return _blas.limit(limits=1, user_api="blas")


class ReferenceObjective:
    """Mean data loss, gradient and accuracy of `family` on (X, labels) by NumPy.

    X: ndarray or scipy.sparse (n, d); labels: class indices (n,); sample_weight:
    optional non-negative weights (n,). The multinomial one-hot targets are made at
    the first call, as wide as W has columns (an evaluation set may lack classes).
    """

    def __init__(
        self,
        family: Family,
        X: Any,
        labels: Array,
        sample_weight: Array | None = None,
    ) -> None:
        self.family, self.X = family, X
        self.labels = np.asarray(labels)
        self.sample_weight = sample_weight
        self.n_samples = int(X.shape[0])
        self._targets: Array | None = None

    def _Y(self, W: Array) -> Array:
        dtype = self.X.dtype if self.X.dtype.kind == "f" else np.float64
        if self.family.name == "binary":
            if self._targets is None:
                self._targets = self.labels.astype(dtype)
            return self._targets
        k = W.shape[1]
        if self._targets is None or self._targets.shape[1] != k:
            self._targets = np.zeros((self.n_samples, k), dtype)
            self._targets[np.arange(self.n_samples), self.labels.astype(np.intp)] = 1
        return self._targets

    def loss_grad(self, W: Array, b: Any) -> tuple[float, Array, Any]:
        """(mean loss, dL/dW, dL/db)."""
        return self.family.loss_grad(self.X, self._Y(W), W, b, self.sample_weight)

    def loss_accuracy(self, W: Array, b: Any) -> tuple[float, float]:
        """(mean loss, weighted accuracy), forward pass only."""
        return self.family.loss_accuracy(self.X, self._Y(W), W, b, self.sample_weight)

    def loss_grad_accuracy(self, W: Array, b: Any) -> tuple[float, Array, Any, float]:
        """`loss_grad` and the accuracy from one pass."""
        return self.family.loss_grad_accuracy(
            self.X, self._Y(W), W, b, self.sample_weight
        )

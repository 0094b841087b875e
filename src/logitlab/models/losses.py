"""Mean cross-entropy and its gradient for (W, b), per model family.

A family is its loss written on the logits: `loss_dz(targets, Z, sample_weight)` gives
the mean loss Σ s_i ℓ_i / Σ s_i (s_i = 1 without weights) and its derivative with
respect to the logits Z = X W + b. The gradient for (W, b) is then Xᵀ dZ and 1ᵀ dZ,
whatever X is: dense, scipy.sparse, or prepared by a data backend
(`logitlab.backends`). Everything works in the dtype of X (float32 stays float32).
Targets are 0/1 (n,) for the binary family, one-hot (n, k) for the multinomial one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from logitlab.models.functions import (
    binary_cross_entropy_from_logits,
    binary_log_loss,
    log_softmax,
    multinomial_cross_entropy_from_logits,
    multinomial_log_loss,
    weighted_mean,
)

Array = NDArray[Any]
LossDz = Callable[[Array, Array, "Array | None"], tuple[float, Array]]


def _row_scale(Z: Array, sample_weight: Array | None) -> Any:
    """d(mean)/d(ℓ_i): 1/n, or s_i / Σ s, as Z's dtype; shaped to broadcast over Z."""
    if sample_weight is None:
        return Z.dtype.type(1.0 / Z.shape[0])
    s = np.asarray(sample_weight, dtype=np.float64)
    scale = (s / s.sum()).astype(Z.dtype)
    return scale if Z.ndim == 1 else scale[:, None]


def binary_loss_dz(
    y: Array, z: Array, sample_weight: Array | None = None
) -> tuple[float, Array]:
    """Mean log-loss of 0/1 targets `y` at logits z (n,); dL/dz = (σ(z) - y) s/Σs."""
    loss = weighted_mean(binary_log_loss(y, z), sample_weight)
    return loss, (expit(z) - y) * _row_scale(z, sample_weight)


def multinomial_loss_dz(
    Y: Array, Z: Array, sample_weight: Array | None = None
) -> tuple[float, Array]:
    """Mean cross-entropy of one-hot `Y` at logits Z (n, k); dL/dZ = (P - Y) s/Σs."""
    log_p = log_softmax(Z)
    loss = weighted_mean(multinomial_log_loss(Y, log_p), sample_weight)
    return loss, (np.exp(log_p) - Y) * _row_scale(Z, sample_weight)


@dataclass(frozen=True)
class Family:
    """What the engine needs to know about a model family (binary or multinomial)."""

    name: str
    loss_dz: LossDz  # (targets, logits, sample_weight) -> (mean loss, dL/dlogits)
    loss_from_logits: Callable[..., float]  # (labels, logits) -> mean cross-entropy

    @staticmethod
    def logits(X: Any, W: Array, b: Any) -> Array:
        """Decision values X W + b: (n,) binary, (n, k) multinomial."""
        return np.asarray(X @ W) + b

    def predict_index(self, Z: Array) -> NDArray[np.intp]:
        """Index of the predicted class from logits."""
        if Z.ndim == 1:
            return (Z > 0).astype(np.intp)
        return Z.argmax(axis=1)

    @staticmethod
    def target_index(Y: Array) -> NDArray[np.intp]:
        """Class index of each target row (0/1 targets or one-hot rows)."""
        Y = np.asarray(Y)
        return Y.argmax(axis=1) if Y.ndim == 2 else (Y > 0.5).astype(np.intp)

    def loss_grad(
        self, X: Any, Y: Array, W: Array, b: Any, sample_weight: Array | None = None
    ) -> tuple[float, Array, Any]:
        """(mean loss, dL/dW, dL/db) over the rows of X."""
        loss, dZ = self.loss_dz(Y, self.logits(X, W, b), sample_weight)
        return loss, np.asarray(X.T @ dZ), dZ.sum(axis=0)

    def loss_accuracy(
        self, X: Any, Y: Array, W: Array, b: Any, sample_weight: Array | None = None
    ) -> tuple[float, float]:
        """(mean loss, weighted accuracy) from one forward pass: the end-of-epoch
        measure."""
        Z = self.logits(X, W, b)
        correct = self.predict_index(Z) == self.target_index(Y)
        return (
            self.loss_from_logits(Y, Z, sample_weight=sample_weight),
            weighted_mean(correct, sample_weight),
        )

    def loss_grad_accuracy(
        self, X: Any, Y: Array, W: Array, b: Any, sample_weight: Array | None = None
    ) -> tuple[float, Array, Any, float]:
        """`loss_grad` and the weighted accuracy from the same logits."""
        Z = self.logits(X, W, b)
        loss, dZ = self.loss_dz(Y, Z, sample_weight)
        correct = self.predict_index(Z) == self.target_index(Y)
        accuracy = weighted_mean(correct, sample_weight)
        return loss, np.asarray(X.T @ dZ), dZ.sum(axis=0), accuracy


BINARY = Family("binary", binary_loss_dz, binary_cross_entropy_from_logits)
MULTINOMIAL = Family(
    "multinomial", multinomial_loss_dz, multinomial_cross_entropy_from_logits
)

# the reference loss/gradient per family, as plain functions
binary_loss_grad = BINARY.loss_grad
multinomial_loss_grad = MULTINOMIAL.loss_grad
binary_loss_accuracy = BINARY.loss_accuracy
multinomial_loss_accuracy = MULTINOMIAL.loss_accuracy

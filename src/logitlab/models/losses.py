"""Mean cross-entropy and its gradient for (W, b) on a batch, per model family.

Every loss/gradient function has the signature `loss_grad(X, Y, W, b) -> (loss, gW, gb)`
and returns the MEAN loss over the rows of X; the engine scales it (sum loss) and adds
the penalty. They work in the dtype of X (float32 stays float32). For large full-batch
fits the engine uses `logitlab.backends.kernels.FullBatchKernel` instead; the functions
here are the reference it is tested against, and serve mini-batches and small data.
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
    multinomial_cross_entropy_from_logits,
)

Array = NDArray[Any]
LossGrad = Callable[[Array, Array, Array, Any], tuple[float, Array, Any]]
LossAccuracy = Callable[[Array, Array, Array, Any], tuple[float, float]]


def binary_loss_grad(X: Array, y: Array, w: Array, b: Any) -> tuple[float, Array, Any]:
    """Mean log-loss of 0/1 targets `y`; gradient for w (n_features,), b scalar."""
    z = X @ w + b  # (n_samples,)
    loss = np.mean(np.logaddexp(0, z) - y * z)  # log(1 + e^z) - y z, from logits
    dz = (expit(z) - y) / X.shape[0]  # d loss / d z
    return float(loss), X.T @ dz, dz.sum()


def multinomial_loss_grad(
    X: Array, Y: Array, W: Array, b: Array
) -> tuple[float, Array, Array]:
    """Mean cross-entropy of one-hot `Y` (n, k); gradient for W (d, k), b (k,)."""
    Z = X @ W + b  # (n_samples, n_classes)
    Z -= Z.max(axis=1, keepdims=True)  # shift-invariant; now e^Z <= 1 cannot overflow
    E = np.exp(Z)
    norm = E.sum(axis=1, keepdims=True)  # (n_samples, 1), >= 1
    loss = np.mean(np.log(norm[:, 0]) - (Y * Z).sum(axis=1))  # logsumexp - z_y
    dZ = (E / norm - Y) / X.shape[0]  # softmax - one-hot, (n_samples, n_classes)
    return float(loss), X.T @ dZ, dZ.sum(axis=0)


def binary_loss_accuracy(X: Array, y: Array, w: Array, b: Any) -> tuple[float, float]:
    """(mean log-loss, accuracy) from one forward pass: the end-of-epoch measure."""
    z = X @ w + b  # (n_samples,)
    loss = np.mean(np.logaddexp(0, z) - y * z)
    return float(loss), float(np.mean((z > 0) == (y > 0.5)))


def multinomial_loss_accuracy(
    X: Array, Y: Array, W: Array, b: Array
) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of one-hot `Y` from one forward pass."""
    Z = X @ W + b  # (n_samples, n_classes)
    loss = multinomial_cross_entropy_from_logits(Y, Z)
    return loss, float(np.mean(Z.argmax(axis=1) == Y.argmax(axis=1)))


@dataclass(frozen=True)
class Family:
    """What the engine needs to know about a model family (binary or multinomial)."""

    name: str
    loss_grad: LossGrad  # reference batch loss/gradient
    loss_accuracy: LossAccuracy  # reference forward pass: (mean loss, accuracy)
    loss_from_logits: Callable[..., float]  # (labels, logits) -> mean cross-entropy

    @staticmethod
    def logits(X: Array, W: Array, b: Any) -> Array:
        """Decision values X W + b: (n,) binary, (n, k) multinomial."""
        return X @ W + b

    def predict_index(self, Z: Array) -> NDArray[np.intp]:
        """Index of the predicted class from logits."""
        if Z.ndim == 1:
            return (Z > 0).astype(np.intp)
        return Z.argmax(axis=1)


BINARY = Family(
    "binary", binary_loss_grad, binary_loss_accuracy, binary_cross_entropy_from_logits
)
MULTINOMIAL = Family(
    "multinomial",
    multinomial_loss_grad,
    multinomial_loss_accuracy,
    multinomial_cross_entropy_from_logits,
)

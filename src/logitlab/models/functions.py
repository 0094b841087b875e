"""Sigmoid, softmax and cross-entropy, all computed from logits.

The engine never takes the log of a computed probability:
`log σ(z) = -log(1 + e^{-z})` through `logaddexp`, `log softmax(z) = z - logsumexp(z)`,
so logits of any size (±1e4 and beyond) give finite values and no floating-point
warnings. The guide's textbook forms are kept at the end for teaching and plots. The
stable functions keep the input's float dtype (float32 stays float32).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit
from scipy.special import log_softmax as _scipy_log_softmax

Array = NDArray[np.floating]


def sigmoid(z: ArrayLike) -> Array:
    """σ(z) = 1 / (1 + e^{-z}), without overflow (scipy's `expit`)."""
    return expit(z)


def log_sigmoid(z: ArrayLike) -> Array:
    """log σ(z) = -log(1 + e^{-z}), finite for any z."""
    z = np.asarray(z)
    return -np.logaddexp(0, -z)


def softmax(z: ArrayLike) -> Array:
    """Row-wise softmax of `z` (n_samples, n_classes); max-subtracted, no overflow."""
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z: ArrayLike) -> Array:
    """Row-wise log-softmax: z - logsumexp(z)."""
    return _scipy_log_softmax(np.asarray(z), axis=-1)


def weighted_mean(values: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
    """Σ s_i v_i / Σ s_i (the plain mean without weights): every mean taken here."""
    weights = None if sample_weight is None else np.asarray(sample_weight)
    return float(np.average(np.asarray(values), weights=weights))


def binary_log_loss(y_true: ArrayLike, logits: ArrayLike) -> Array:
    """Per-sample cross-entropy of 0/1 labels given logits z: log(1 + e^z) - y z."""
    z = np.asarray(logits)
    return np.logaddexp(0, z) - np.asarray(y_true, dtype=z.dtype) * z


def multinomial_log_loss(y_true: ArrayLike, log_proba: ArrayLike) -> Array:
    """Per-sample cross-entropy -log p_y given log-probabilities (n_samples, n_classes).

    `y_true` is either integer class indices (n_samples,) or a one-hot / probability
    matrix (n_samples, n_classes).
    """
    log_p = np.asarray(log_proba)
    y = np.asarray(y_true)
    if y.ndim == 1:
        return -log_p[np.arange(log_p.shape[0]), y.astype(np.intp)]
    return -(y.astype(log_p.dtype) * log_p).sum(axis=1)


def _reduce(
    per_sample: Array, sample_weight: ArrayLike | None, reduction: str
) -> float:
    if reduction == "mean":
        return weighted_mean(per_sample, sample_weight)
    if sample_weight is not None:
        per_sample = per_sample * np.asarray(sample_weight)
    return float(per_sample.sum())


def binary_cross_entropy_from_logits(
    y_true: ArrayLike,
    logits: ArrayLike,
    *,
    sample_weight: ArrayLike | None = None,
    reduction: str = "mean",
) -> float:
    """Cross-entropy of 0/1 labels given logits z: log(1 + e^z) - y z (sklearn's form).

    `reduction` is "mean" (the guide, the homework; Σ s_i ℓ_i / Σ s_i with weights) or
    "sum" (the paper's softmax; Σ s_i ℓ_i).
    """
    return _reduce(binary_log_loss(y_true, logits), sample_weight, reduction)


def multinomial_cross_entropy_from_logits(
    y_true: ArrayLike,
    logits: ArrayLike,
    *,
    sample_weight: ArrayLike | None = None,
    reduction: str = "mean",
) -> float:
    """Cross-entropy of class labels (indices or one-hot) given logits (n, k)."""
    per_sample = multinomial_log_loss(y_true, log_softmax(logits))
    return _reduce(per_sample, sample_weight, reduction)


# --- the guide's textbook forms (teaching and plots only; the engine never uses them)


def sigmoid_two_branch(z: ArrayLike) -> Array:
    """The guide's "stable" sigmoid: `where(z >= 0, 1/(1+e^{-z}), e^z/(1+e^z))`.

    `np.where` evaluates both branches, so large |z| overflows in the unused one; the
    warnings are silenced here so the curve can be plotted, and the result is correct.
    This is why the engine uses `sigmoid` (expit) instead.
    """
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


def binary_cross_entropy_clipped(
    y_true: ArrayLike, y_pred: ArrayLike, epsilon: float = 1e-15
) -> float:
    """The guide's loss: mean of -[y log p + (1-y) log(1-p)] with p clipped to [ε, 1-ε].

    The clip caps each sample's loss at -log ε ≈ 34.5, so a confidently wrong prediction
    with logit -1000 counts as 34.5 instead of 1000: the loss flattens and its gradient
    vanishes, which the from-logits form does not do.
    """
    p = np.clip(np.asarray(y_pred, dtype=float), epsilon, 1 - epsilon)
    y = np.asarray(y_true, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

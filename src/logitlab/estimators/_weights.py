"""Sample and class weights with scikit-learn's meaning.

The data loss is the weighted mean Σ s_i ℓ_i / Σ s_i. Class weights multiply the
sample weights: s_i <- s_i · c_{y_i}, with c from a dict {class label: weight} (1 for
classes not named) or "balanced", c_k = Σ s / (n_classes · Σ_{y_i = k} s_i), which is
n / (n_classes · bincount(y)) without sample weights. This is what scikit-learn's
LogisticRegression does (1.9: the balanced counts weighted by sample_weight), so a
fit with the same weights minimises the same objective.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[Any]


def check_sample_weight(
    sample_weight: ArrayLike, n_samples: int
) -> NDArray[np.float64]:
    """Sample weights as float64 (n_samples,): finite, non-negative, not all zero."""
    s = np.asarray(sample_weight, dtype=np.float64)
    if s.ndim == 0:
        s = np.full(n_samples, float(s))
    if s.shape != (n_samples,):
        raise ValueError(
            f"sample_weight.shape == {s.shape}, expected ({n_samples},): one weight "
            "per row of X"
        )
    if not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError("sample_weight must be finite and non-negative")
    if not s.sum() > 0:
        raise ValueError("sample_weight sums to zero: no row would count")
    return s


def class_weights(
    class_weight: dict[Any, float] | str,
    classes: Array,
    labels: NDArray[np.intp],
    sample_weight: NDArray[np.float64],
) -> NDArray[np.float64]:
    """c_k per class (in the order of `classes`) for `class_weight`."""
    if class_weight == "balanced":
        counts = np.bincount(labels, weights=sample_weight, minlength=len(classes))
        with np.errstate(divide="ignore"):
            return sample_weight.sum() / (len(classes) * counts)
    assert isinstance(class_weight, dict)
    unknown = set(class_weight) - set(classes.tolist())
    if unknown:
        raise ValueError(
            f"class_weight names classes {sorted(unknown, key=str)} that are not in y "
            f"(classes: {classes.tolist()})"
        )
    return np.array([float(class_weight.get(c, 1.0)) for c in classes.tolist()])


def sample_weights(
    sample_weight: ArrayLike | None,
    class_weight: dict[Any, float] | str | None,
    classes: Array,
    labels: NDArray[np.intp],
) -> NDArray[np.float64] | None:
    """The rows' weights s_i · c_{y_i}, or None when all are 1 (no weights given)."""
    if sample_weight is None and class_weight is None:
        return None
    n = len(labels)
    s = np.ones(n) if sample_weight is None else check_sample_weight(sample_weight, n)
    if class_weight is not None:
        s = s * class_weights(class_weight, classes, labels, s)[labels]
    return s

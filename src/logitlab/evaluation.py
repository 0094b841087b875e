"""Classifier metrics as plain dicts: thin wrappers over `sklearn.metrics`.

The numbers come from scikit-learn so nobody has to trust a home-made precision; this
module only fixes the conventions logitlab reports with (zero_division=0, explicit
labels, NaN for an AUC that is undefined because the test set holds one class) and
returns JSON-ready floats.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn import metrics


def confidences(proba: ArrayLike) -> NDArray[np.float64]:
    """Probability of the predicted class: row max, or max(p, 1-p) for a 1-D p."""
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim == 1:  # binary: p is P(y=1)
        return np.where(p >= 0.5, p, 1.0 - p)
    return p.max(axis=1)


def misclassified_indices(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    confidence: ArrayLike | None = None,
    limit: int | None = None,
) -> NDArray[np.intp]:
    """Indices where the prediction is wrong, most confident mistakes first.

    Ties (and calls without `confidence`) keep index order, so the selection is the same
    on every run.
    """
    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))
    if confidence is not None:
        conf = np.asarray(confidence, dtype=np.float64)[wrong]
        wrong = wrong[np.argsort(-conf, kind="stable")]
    return wrong if limit is None else wrong[:limit]


def _auc_or_nan(y_true: NDArray, score: NDArray, **kwargs: object) -> float:
    """ROC AUC, or NaN when the labels hold a single class (AUC undefined)."""
    if np.unique(y_true).size < 2:
        return float("nan")
    return float(metrics.roc_auc_score(y_true, score, **kwargs))


def binary_summary(
    y_true: ArrayLike, proba: ArrayLike, threshold: float = 0.5
) -> dict[str, float | int]:
    """Accuracy, precision, recall, F1 (positive class 1), log loss and ROC AUC.

    `proba` is P(y=1) per sample, as the guide's `evaluate_binary_classifier` takes it;
    labels are predicted with `proba >= threshold`.
    """
    y = np.asarray(y_true).astype(np.int64)
    p = np.asarray(proba, dtype=np.float64)
    y_pred = (p >= threshold).astype(np.int64)
    return {
        "n": int(y.size),
        "accuracy": float(metrics.accuracy_score(y, y_pred)),
        "precision": float(metrics.precision_score(y, y_pred, zero_division=0)),
        "recall": float(metrics.recall_score(y, y_pred, zero_division=0)),
        "f1": float(metrics.f1_score(y, y_pred, zero_division=0)),
        "log_loss": float(metrics.log_loss(y, p, labels=[0, 1])),
        "roc_auc": _auc_or_nan(y, p),
        "n_errors": int(np.sum(y_pred != y)),
    }


def multiclass_summary(
    y_true: ArrayLike, proba: ArrayLike, labels: Sequence[int] | None = None
) -> dict[str, float | int]:
    """Accuracy, macro precision/recall/F1, log loss and one-vs-rest macro ROC AUC.

    `proba` has one column per entry of `labels` (default 0..k-1), in that order.
    """
    y = np.asarray(y_true).astype(np.int64)
    p = np.asarray(proba, dtype=np.float64)
    p = p / p.sum(axis=1, keepdims=True)  # float32 rows sum to 1 only within ~1e-7
    labs = list(range(p.shape[1])) if labels is None else list(labels)
    y_pred = np.asarray(labs)[p.argmax(axis=1)]
    macro = {"labels": labs, "average": "macro", "zero_division": 0}
    present = np.isin(labs, y)
    auc = (
        _auc_or_nan(y, p, multi_class="ovr", labels=labs)
        if present.all()
        else float("nan")  # sklearn's OvR AUC needs every class in y_true
    )
    return {
        "n": int(y.size),
        "accuracy": float(metrics.accuracy_score(y, y_pred)),
        "precision": float(metrics.precision_score(y, y_pred, **macro)),
        "recall": float(metrics.recall_score(y, y_pred, **macro)),
        "f1": float(metrics.f1_score(y, y_pred, **macro)),
        "log_loss": float(metrics.log_loss(y, p, labels=labs)),
        "roc_auc": auc,
        "n_errors": int(np.sum(y_pred != y)),
    }


def per_class_report(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    class_names: Sequence[str],
    labels: Sequence[int] | None = None,
) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per class, keyed by class name.

    `sklearn.metrics.classification_report(output_dict=True)` without its averages, so
    every value is a per-class number.
    """
    labs = list(range(len(class_names))) if labels is None else list(labels)
    report = metrics.classification_report(
        y_true,
        y_pred,
        labels=labs,
        target_names=list(class_names),
        output_dict=True,
        zero_division=0,
    )
    return {
        name: {
            "precision": float(report[name]["precision"]),
            "recall": float(report[name]["recall"]),
            "f1": float(report[name]["f1-score"]),
            "support": int(report[name]["support"]),
        }
        for name in class_names
    }


def confusion(y_true: ArrayLike, y_pred: ArrayLike, n_classes: int) -> list[list[int]]:
    """Confusion matrix (rows true, columns predicted) as nested lists for JSON."""
    cm = metrics.confusion_matrix(y_true, y_pred, labels=list(range(n_classes)))
    return cm.astype(int).tolist()

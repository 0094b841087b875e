"""logitlab.evaluation against counts and formulas computed here by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics

from logitlab.evaluation import (
    binary_summary,
    confidences,
    confusion,
    misclassified_indices,
    multiclass_summary,
    per_class_report,
)

Y = np.array([0, 0, 0, 1, 1, 1, 1, 0])
P = np.array([0.1, 0.6, 0.4, 0.9, 0.2, 0.7, 0.5, 0.05])  # predictions 0 1 0 1 0 1 1 0


def test_binary_summary_matches_counts_and_formula():
    s = binary_summary(Y, P)
    pred = (P >= 0.5).astype(int)
    tp = np.sum((pred == 1) & (Y == 1))
    fp = np.sum((pred == 1) & (Y == 0))
    fn = np.sum((pred == 0) & (Y == 1))
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert s["accuracy"] == pytest.approx(np.mean(pred == Y))
    assert s["precision"] == pytest.approx(precision)
    assert s["recall"] == pytest.approx(recall)
    assert s["f1"] == pytest.approx(2 * precision * recall / (precision + recall))
    bce = -np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P))
    assert s["log_loss"] == pytest.approx(bce)
    # AUC as the probability that a positive outranks a negative (ties count 1/2)
    pos, neg = P[Y == 1], P[Y == 0]
    pairs = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    assert s["roc_auc"] == pytest.approx(pairs.mean())
    assert s["n_errors"] == int(np.sum(pred != Y)) and s["n"] == 8


def test_binary_summary_single_class_and_no_positive_predictions():
    s = binary_summary([0, 0, 0], [0.1, 0.2, 0.3])
    assert math.isnan(s["roc_auc"])
    assert s["precision"] == 0.0 and s["recall"] == 0.0 and s["accuracy"] == 1.0


def test_confidences_binary_and_multiclass():
    np.testing.assert_allclose(confidences([0.2, 0.5, 0.9]), [0.8, 0.5, 0.9])
    np.testing.assert_allclose(
        confidences([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]]), [0.7, 0.5]
    )


def test_misclassified_most_confident_first_ties_by_index():
    y_true = np.array([0, 1, 1, 0, 1, 0])
    y_pred = np.array([1, 1, 0, 1, 0, 1])  # wrong at 0, 2, 3, 4, 5
    conf = np.array([0.6, 0.99, 0.9, 0.6, 0.7, 0.95])
    np.testing.assert_array_equal(
        misclassified_indices(y_true, y_pred, conf), [5, 2, 4, 0, 3]
    )
    np.testing.assert_array_equal(
        misclassified_indices(y_true, y_pred, limit=2), [0, 2]
    )
    assert misclassified_indices(y_true, y_true).size == 0


def test_multiclass_summary_macro_and_log_loss():
    y = np.array([0, 1, 2, 2, 1, 0])
    proba = np.array(
        [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6],
         [0.5, 0.1, 0.4], [0.3, 0.4, 0.3], [0.2, 0.5, 0.3]]
    )  # fmt: skip
    s = multiclass_summary(y, proba)
    pred = proba.argmax(axis=1)
    recalls = [np.mean(pred[y == k] == k) for k in range(3)]
    assert s["accuracy"] == pytest.approx(np.mean(pred == y))
    assert s["recall"] == pytest.approx(np.mean(recalls))
    assert s["log_loss"] == pytest.approx(-np.mean(np.log(proba[np.arange(6), y])))
    assert 0.5 < s["roc_auc"] <= 1.0


def test_per_class_report_and_confusion():
    pred = (P >= 0.5).astype(int)
    rep = per_class_report(Y, pred, ["zero", "one"])
    assert rep["one"]["support"] == 4 and rep["zero"]["support"] == 4
    assert rep["zero"]["recall"] == pytest.approx(np.mean(pred[Y == 0] == 0))
    cm = confusion(Y, pred, 2)
    assert cm == [[int(np.sum((Y == t) & (pred == p))) for p in (0, 1)] for t in (0, 1)]


def test_float32_probabilities_are_accepted_without_warning():
    """A float32 model's rows sum to 1 only to ~1e-7; sklearn's log_loss would warn."""
    rng = np.random.default_rng(0)
    z = rng.normal(scale=5, size=(500, 10)).astype(np.float32)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    y = rng.integers(0, 10, size=500)
    summary = multiclass_summary(y, p)  # pytest turns any warning into an error
    q = p.astype(np.float64)
    q /= q.sum(axis=1, keepdims=True)
    assert summary["log_loss"] == pytest.approx(metrics.log_loss(y, q), rel=1e-6)

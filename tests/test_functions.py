"""Sigmoid, softmax and the cross-entropies: correct values, no overflow, dtype kept."""

from __future__ import annotations

import numpy as np
import pytest

from logitlab.models.functions import (
    binary_cross_entropy_clipped,
    binary_cross_entropy_from_logits,
    log_sigmoid,
    log_softmax,
    multinomial_cross_entropy_from_logits,
    sigmoid,
    sigmoid_two_branch,
    softmax,
)

EXTREME = np.array([-1e4, -800.0, -40.0, -1.0, 0.0, 1.0, 40.0, 800.0, 1e4])


def test_sigmoid_matches_definition_where_it_is_safe():
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-12)
    np.testing.assert_allclose(
        log_sigmoid(z), np.log(1 / (1 + np.exp(-z))), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(sigmoid_two_branch(z), sigmoid(z), rtol=1e-12)


def test_extreme_logits_are_finite_and_warning_free():
    # pytest turns warnings into errors (pyproject), so an overflow warning fails here.
    assert np.all(np.isfinite(log_sigmoid(EXTREME)))
    assert log_sigmoid(np.array([-1e4]))[0] == pytest.approx(-1e4)
    assert sigmoid(np.array([1e4]))[0] == 1.0
    for y in (0, 1):
        loss = binary_cross_entropy_from_logits(np.full(EXTREME.shape, y), EXTREME)
        assert np.isfinite(loss)
    # a confidently wrong logit costs its full size, not the clip's 34.5
    assert binary_cross_entropy_from_logits([0], [1e4]) == pytest.approx(1e4)
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    assert np.isfinite(multinomial_cross_entropy_from_logits([1, 0], Z))
    np.testing.assert_allclose(softmax(Z).sum(axis=1), 1.0)
    assert np.all(np.isfinite(log_softmax(Z)))


def test_binary_loss_is_the_log_likelihood():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=50), rng.integers(0, 2, 50)
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert binary_cross_entropy_from_logits(y, z) == pytest.approx(expected, rel=1e-12)
    assert binary_cross_entropy_from_logits(y, z, reduction="sum") == pytest.approx(
        50 * expected, rel=1e-12
    )
    assert binary_cross_entropy_clipped(y, p) == pytest.approx(expected, rel=1e-12)


def test_multinomial_loss_labels_and_one_hot_agree():
    rng = np.random.default_rng(1)
    Z, y = rng.normal(size=(20, 4)), rng.integers(0, 4, 20)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(P[np.arange(20), y]))
    assert multinomial_cross_entropy_from_logits(y, Z) == pytest.approx(expected)
    assert multinomial_cross_entropy_from_logits(np.eye(4)[y], Z) == pytest.approx(
        expected
    )
    np.testing.assert_allclose(softmax(Z), P, rtol=1e-12)
    np.testing.assert_allclose(log_softmax(Z), np.log(P), rtol=1e-12)


def test_binary_softmax_with_two_columns_is_the_sigmoid():
    z = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(
        softmax(np.column_stack([np.zeros_like(z), z]))[:, 1], sigmoid(z)
    )


def test_clipped_loss_saturates_where_the_stable_one_does_not():
    assert binary_cross_entropy_clipped([0], sigmoid(np.array([1e4]))) == pytest.approx(
        -np.log(1e-15),
        rel=1e-4,  # 1 - 1e-15 rounds in float64
    )


@pytest.mark.parametrize("fn", [sigmoid, log_sigmoid, softmax, log_softmax])
def test_float32_stays_float32(fn):
    z = np.ones((3, 2), dtype=np.float32)
    assert fn(z).dtype == np.float32

"""Gradients vs central finite differences: every family × penalty × intercept."""

from __future__ import annotations

import numpy as np
import pytest

from logitlab.backends import compiled, prepare
from logitlab.models.losses import (
    BINARY,
    MULTINOMIAL,
    binary_loss_grad,
    multinomial_loss_grad,
)
from logitlab.models.penalties import make_penalty

BACKEND = "compiled" if compiled.available() else "numpy"


def _problem(family: str, rng: np.random.Generator):
    n, d, k = 30, 5, 4
    X = rng.normal(size=(n, d))
    labels = rng.integers(0, k if family == "multinomial" else 2, n)
    # weights bounded away from 0, so |w| is differentiable at every probe point
    sign = rng.choice([-1.0, 1.0], size=(d, k) if family == "multinomial" else d)
    W = sign * rng.uniform(0.2, 1.0, size=sign.shape)
    if family == "multinomial":
        return X, np.eye(k)[labels], W, rng.normal(size=k), multinomial_loss_grad
    return X, labels.astype(float), W, rng.normal(), binary_loss_grad


def _kernel(family, X, Y):
    """The data backend's objective for this problem (compiled when available)."""
    labels = Y.argmax(axis=1) if Y.ndim == 2 else Y.astype(int)
    return prepare(family, X, labels, backend=BACKEND)


def _central_difference(f, x, h=1e-6):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("penalty", [None, "l2", "l1", "elasticnet"])
@pytest.mark.parametrize("family", ["binary", "multinomial"])
def test_gradient_matches_finite_differences(family, penalty, fit_intercept):
    rng = np.random.default_rng(hash((family, penalty, fit_intercept)) % 2**32)
    X, Y, W, b, loss_grad = _problem(family, rng)
    if not fit_intercept:
        b = np.zeros_like(b)
    pen = make_penalty(penalty, alpha=0.3, l1_ratio=0.4, l1_method="subgradient")

    def objective(W_, b_):
        return loss_grad(X, Y, W_, b_)[0] + pen.value(W_)

    _, gW, gb = loss_grad(X, Y, W, b)
    gW = gW + pen.gradient(W)
    np.testing.assert_allclose(
        gW, _central_difference(lambda W_: objective(W_, b), W), rtol=1e-6, atol=1e-9
    )
    if fit_intercept:  # the intercept gets no penalty: its gradient is the loss's alone
        np.testing.assert_allclose(
            gb,
            _central_difference(lambda b_: objective(W, b_), b),
            rtol=1e-6,
            atol=1e-9,
        )


@pytest.mark.parametrize("family", ["binary", "multinomial"])
def test_loss_matches_the_from_logits_cross_entropy(family):
    X, Y, W, b, loss_grad = _problem(family, np.random.default_rng(3))
    fam = BINARY if family == "binary" else MULTINOMIAL
    labels = Y if family == "binary" else Y.argmax(axis=1)
    expected = fam.loss_from_logits(labels, fam.logits(X, W, b))
    assert loss_grad(X, Y, W, b)[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("family", ["binary", "multinomial"])
def test_float32_is_not_upcast(family):
    X, Y, W, b, loss_grad = _problem(family, np.random.default_rng(4))
    f32 = np.float32
    loss, gW, gb = loss_grad(
        X.astype(f32), Y.astype(f32), W.astype(f32), np.asarray(b, f32)
    )
    assert gW.dtype == f32 and np.asarray(gb).dtype == f32
    loss64, gW64, _ = loss_grad(X, Y, W, b)
    np.testing.assert_allclose(gW, gW64, rtol=1e-4, atol=1e-5)
    assert loss == pytest.approx(loss64, rel=1e-5)


@pytest.mark.parametrize("family", [BINARY, MULTINOMIAL])
def test_full_batch_kernel_agrees_with_the_reference(family):
    # the engine's full-batch kernel and the reference must agree
    name = "binary" if family is BINARY else "multinomial"
    X, Y, W, b, reference = _problem(name, np.random.default_rng(5))
    loss, gW, gb = _kernel(family, X, Y).loss_grad(W, b)
    loss_ref, gW_ref, gb_ref = reference(X, Y, W, b)
    assert loss == pytest.approx(loss_ref, rel=1e-10)
    np.testing.assert_allclose(gW, gW_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gb, gb_ref, rtol=1e-10, atol=1e-12)


def test_huge_logits_give_finite_loss_and_gradient():
    X = np.array([[1.0], [1.0]])
    for W, b in ((np.array([1e4]), 0.0), (np.array([-1e4]), 0.0)):
        loss, gW, gb = binary_loss_grad(X, np.array([0.0, 1.0]), W, b)
        assert np.isfinite(loss) and np.all(np.isfinite(gW)) and np.isfinite(gb)
        assert loss == pytest.approx(0.5e4)
    Z_W = np.array([[1e4, -1e4, 0.0]])
    loss, gW, gb = multinomial_loss_grad(X, np.eye(3)[[1, 2]], Z_W, np.zeros(3))
    assert (
        np.isfinite(loss) and np.all(np.isfinite(gW)) and loss == pytest.approx(1.5e4)
    )


@pytest.mark.parametrize("family", [BINARY, MULTINOMIAL])
def test_end_of_epoch_measure_is_loss_and_accuracy(family):
    name = "binary" if family is BINARY else "multinomial"
    X, Y, W, b, reference = _problem(name, np.random.default_rng(6))
    labels = Y.astype(int) if name == "binary" else Y.argmax(axis=1)
    Z = family.logits(X, W, b)
    kernel = _kernel(family, X, Y)
    for measure in (
        family.loss_accuracy,
        lambda X, Y, W, b: kernel.loss_accuracy(W, b),
    ):
        loss, accuracy = measure(X, Y, W, b)
        assert loss == pytest.approx(reference(X, Y, W, b)[0], rel=1e-10)
        assert accuracy == np.mean(family.predict_index(Z) == labels)

"""The data interface: every backend's objective equals the NumPy reference, and the
reference's sample weights mean what they say (an integer weight is a repeated row)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from logitlab.backends import ReferenceObjective, compiled, prepare
from logitlab.errors import LogitlabError
from logitlab.models.losses import BINARY, MULTINOMIAL

needs_compiled = pytest.mark.skipif(
    not compiled.available(),
    reason="the compiled kernel is not built or LOGITLAB_COMPILED=0",
)


def _problem(family, rng, n=300, d=12, k=4, dtype=np.float64):
    X = np.where(rng.random((n, d)) < 0.3, rng.normal(size=(n, d)), 0.0).astype(dtype)
    if family is BINARY:
        return X, rng.integers(0, 2, n), rng.normal(size=d).astype(dtype), dtype(0.3)
    W = rng.normal(size=(d, k)).astype(dtype)
    return X, rng.integers(0, k, n), W, rng.normal(size=k).astype(dtype)


def _same(got, want, tol=1e-10):
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol)


@pytest.mark.parametrize("family", [BINARY, MULTINOMIAL], ids=["binary", "softmax"])
def test_integer_weights_are_repeated_rows(family):
    rng = np.random.default_rng(1)
    X, labels, W, b = _problem(family, rng)
    weights = rng.integers(0, 4, X.shape[0])
    repeated = np.repeat(np.arange(X.shape[0]), weights)
    weighted = prepare(family, X, labels, sample_weight=weights, backend="numpy")
    plain = prepare(family, X[repeated], labels[repeated], backend="numpy")
    _same(weighted.loss_grad_accuracy(W, b), plain.loss_grad_accuracy(W, b))
    _same(weighted.loss_accuracy(W, b), plain.loss_accuracy(W, b))


@pytest.mark.parametrize("family", [BINARY, MULTINOMIAL], ids=["binary", "softmax"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_equals_dense(family, fmt):
    rng = np.random.default_rng(2)
    X, labels, W, b = _problem(family, rng)
    weights = rng.uniform(0.1, 2.0, X.shape[0])
    dense = prepare(family, X, labels, sample_weight=weights)
    sparse = prepare(
        family, sp.csr_array(X).asformat(fmt), labels, sample_weight=weights
    )
    assert isinstance(sparse, ReferenceObjective)
    _same(sparse.loss_grad_accuracy(W, b), dense.loss_grad_accuracy(W, b))


@pytest.mark.parametrize("family", [BINARY, MULTINOMIAL], ids=["binary", "softmax"])
def test_one_pass_equals_the_two_parts(family):
    rng = np.random.default_rng(3)
    X, labels, W, b = _problem(family, rng)
    objective = prepare(family, X, labels, backend="numpy")
    loss, gW, gb, accuracy = objective.loss_grad_accuracy(W, b)
    _same((loss, gW, gb), objective.loss_grad(W, b))
    _same((loss, accuracy), objective.loss_accuracy(W, b))
    Z = X @ W + b
    predicted = (Z > 0).astype(int) if family is BINARY else Z.argmax(axis=1)
    assert accuracy == pytest.approx(np.mean(predicted == labels))


def test_weighted_accuracy_counts_weights():
    X = np.array([[1.0], [1.0], [-1.0]])
    objective = prepare(BINARY, X, np.array([1, 0, 0]), sample_weight=[3.0, 1.0, 1.0])
    # the first and the last rows are right: weight 4 of 5
    assert objective.loss_accuracy(np.array([1.0]), 0.0)[1] == pytest.approx(0.8)


def test_evaluation_set_without_every_class():
    rng = np.random.default_rng(4)
    X, _, W, b = _problem(MULTINOMIAL, rng, k=5)
    labels = rng.integers(0, 2, X.shape[0])  # classes 0 and 1 only
    loss, gW, gb = prepare(MULTINOMIAL, X, labels, backend="numpy").loss_grad(W, b)
    assert gW.shape == W.shape and gb.shape == b.shape
    assert np.isfinite(loss)


def test_bad_backend():
    X, labels, _, _ = _problem(BINARY, np.random.default_rng(5))
    with pytest.raises(ValueError, match="backend must be one of"):
        prepare(BINARY, X, labels, backend="gpu")


@needs_compiled
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("family", [BINARY, MULTINOMIAL], ids=["binary", "softmax"])
def test_compiled_equals_reference(family, dtype):
    rng = np.random.default_rng(6)
    X, labels, W, b = _problem(family, rng, n=5000, dtype=dtype)
    fast = prepare(family, X, labels, backend="compiled")
    ref = prepare(family, X.astype(np.float64), labels, backend="numpy")
    W64, b64 = W.astype(np.float64), np.asarray(b, np.float64)
    tol = 1e-9 if dtype == np.float64 else 2e-4
    _same(fast.loss_grad_accuracy(W, b), ref.loss_grad_accuracy(W64, b64), tol)
    _same(fast.loss_accuracy(W, b), ref.loss_accuracy(W64, b64), tol)


@needs_compiled
def test_compiled_refuses_what_it_cannot_do():
    X, labels, _, _ = _problem(BINARY, np.random.default_rng(7))
    with pytest.raises(LogitlabError, match="sample weights"):
        prepare(
            BINARY, X, labels, sample_weight=np.ones(len(labels)), backend="compiled"
        )


def test_auto_chooses_numpy_for_small_weighted_or_sparse_data():
    X, labels, _, _ = _problem(BINARY, np.random.default_rng(8))
    assert isinstance(prepare(BINARY, X, labels), ReferenceObjective)  # small
    big = np.zeros((3000, 400))
    weights = np.ones(3000)
    assert isinstance(
        prepare(BINARY, big, labels.repeat(10), sample_weight=weights),
        ReferenceObjective,
    )
    assert isinstance(
        prepare(BINARY, sp.csr_array(big), labels.repeat(10)), ReferenceObjective
    )
    chosen = prepare(BINARY, big, labels.repeat(10))
    assert isinstance(chosen, compiled.CompiledObjective) == compiled.available()

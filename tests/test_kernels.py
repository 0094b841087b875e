"""The compiled objective equals the reference loss/gradient of `models.losses`.

One or several threads, float32 and float64, binary and softmax, with and without an
intercept, on random data and on MNIST. Skipped (with the reason) when the compiled
kernel is not built or switched off; CI runs the suite both ways.
"""

from __future__ import annotations

import numpy as np
import pytest

from logitlab.backends import compiled
from logitlab.backends.compiled import CompiledObjective
from logitlab.data.tasks import make_task, standardize
from logitlab.errors import DataError
from logitlab.models.losses import (
    BINARY,
    MULTINOMIAL,
    binary_loss_grad,
    multinomial_loss_grad,
)

pytestmark = pytest.mark.skipif(
    not compiled.available(), reason="compiled kernel not built or LOGITLAB_COMPILED=0"
)
TOL = {np.float64: 1e-10, np.float32: 1e-4}  # relative to the largest gradient entry


def _pixels(rng, n=12300, d=40, dtype=np.float64):
    """Image-like data: each column mostly one background value, some columns dense,
    a constant column (like the documents' column of ones for the intercept)."""
    background = rng.normal(size=d)
    density = rng.uniform(0.02, 0.9, size=d)
    density[1] = 0.1
    ink = background + np.abs(rng.normal(size=(n, d)))  # like pixels: above background
    X = np.where(rng.random((n, d)) < density, ink, background)
    X[:, 0] = 1.0
    X[:, 1] = -X[:, 1]  # backgrounds as minima and as maxima
    return X.astype(dtype)


def _assert_same(got, want, dtype):
    loss, gW, gb = got
    ref_loss, ref_gW, ref_gb = want
    tol = TOL[dtype]
    assert gW.dtype == dtype
    assert gW.shape == ref_gW.shape
    assert loss == pytest.approx(ref_loss, rel=tol)
    scale = np.abs(ref_gW).max()
    np.testing.assert_allclose(gW, ref_gW, rtol=0, atol=tol * scale)
    np.testing.assert_allclose(gb, ref_gb, rtol=0, atol=tol * max(scale, 1e-3))


def _reference(X, y, W, b, binary):
    """The reference in float64: float32 kernels are judged against exact values."""
    X64, W64, b64 = X.astype(np.float64), W.astype(np.float64), np.float64(b)
    if binary:
        return binary_loss_grad(X64, y.astype(np.float64), W64, b64)
    Y = np.eye(W.shape[1])[y]
    return multinomial_loss_grad(X64, Y, W64, np.asarray(b, np.float64))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("n_jobs", "intercept"), [(1, True), (2, False), (3, True)])
def test_softmax_random(dtype, n_jobs, intercept):
    rng = np.random.default_rng(0)
    X = _pixels(rng, dtype=dtype)
    y = rng.integers(0, 4, X.shape[0])
    W = rng.normal(size=(X.shape[1], 4)).astype(dtype)
    b = rng.normal(size=4).astype(dtype) if intercept else np.zeros(4, dtype)
    kernel = CompiledObjective(MULTINOMIAL, X, y, n_jobs=n_jobs)
    assert len(kernel.blocks) > 1
    _assert_same(kernel.loss_grad(W, b), _reference(X, y, W, b, False), dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("n_jobs", "intercept"), [(None, True), (3, False)])
def test_binary_random(dtype, n_jobs, intercept):
    rng = np.random.default_rng(1)
    X = _pixels(rng, dtype=dtype)
    y = rng.integers(0, 2, X.shape[0])
    w = rng.normal(size=X.shape[1]).astype(dtype)
    b = dtype(0.7) if intercept else dtype(0.0)
    kernel = CompiledObjective(BINARY, X, y, n_jobs=n_jobs)
    _assert_same(kernel.loss_grad(w, b), _reference(X, y, w, b, True), dtype)


def test_the_sparse_form_is_sparse_and_exact():
    X = _pixels(np.random.default_rng(2))
    kernel = CompiledObjective(MULTINOMIAL, X, np.zeros(X.shape[0], int))
    nnz = sum(blk.data.size for blk in kernel.blocks)
    assert nnz < 0.6 * X.size
    assert kernel.m[1] == X[:, 1].max()  # a column that is mostly its maximum
    rows = kernel.row_blocks[-1]
    blk = kernel.blocks[-1]
    S = np.zeros((rows.stop - rows.start, X.shape[1]))
    row_of = np.repeat(np.arange(S.shape[0]), np.diff(blk.indptr))
    S[row_of, blk.indices] = blk.data
    np.testing.assert_array_equal(S, X[rows] - kernel.m)


@pytest.fixture(scope="module")
def mnist_sets(mnist):
    """A 6,000-image subset, standardised on train, as the engine receives it."""
    multi = make_task(mnist, kind="multiclass", n_train=6000, n_test=1000)
    pair = make_task(mnist, kind="pair", digits=(0, 1), n_train=6000, n_test=1000)
    out = {}
    for name, task in (("multiclass", multi), ("pair", pair)):
        _, X_tr, X_te = standardize(task.X_train, task.X_test)
        out[name] = (X_tr, task.y_train, X_te, task.y_test)
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mnist_softmax_and_pair(mnist_sets, dtype):
    rng = np.random.default_rng(3)
    X, y, _, _ = mnist_sets["multiclass"]
    X = X.astype(dtype)
    W = (0.05 * rng.normal(size=(784, 10))).astype(dtype)
    b = (0.1 * rng.normal(size=10)).astype(dtype)
    kernel = CompiledObjective(MULTINOMIAL, X, y)
    _assert_same(kernel.loss_grad(W, b), _reference(X, y, W, b, False), dtype)

    X, y, _, _ = mnist_sets["pair"]
    X = X.astype(dtype)
    w = (0.05 * rng.normal(size=784)).astype(dtype)
    kernel = CompiledObjective(BINARY, X, y)
    _assert_same(
        kernel.loss_grad(w, dtype(-0.2)), _reference(X, y, w, -0.2, True), dtype
    )


def test_mnist_sparse_form_is_sparse(mnist_sets):
    """Standardised pixels keep one background value per column: why it pays."""
    X = mnist_sets["multiclass"][0]
    kernel = CompiledObjective(MULTINOMIAL, X, mnist_sets["multiclass"][1])
    assert sum(blk.data.size for blk in kernel.blocks) < 0.3 * X.size


def test_loss_accuracy_is_the_forward_pass(mnist_sets):
    rng = np.random.default_rng(4)
    _, _, X_te, y_te = mnist_sets["multiclass"]
    W, b = 0.05 * rng.normal(size=(784, 10)), 0.1 * rng.normal(size=10)
    loss, accuracy = CompiledObjective(MULTINOMIAL, X_te, y_te).loss_accuracy(W, b)
    Z = X_te @ W + b
    assert loss == pytest.approx(_reference(X_te, y_te, W, b, False)[0], rel=1e-12)
    assert accuracy == pytest.approx(np.mean(Z.argmax(axis=1) == y_te), abs=1e-12)

    _, _, X_te, y_te = mnist_sets["pair"]
    w = 0.05 * rng.normal(size=784)
    loss, accuracy = CompiledObjective(BINARY, X_te, y_te).loss_accuracy(w, 0.3)
    assert loss == pytest.approx(_reference(X_te, y_te, w, 0.3, True)[0], rel=1e-12)
    assert accuracy == pytest.approx(np.mean((X_te @ w + 0.3 > 0) == y_te), abs=1e-12)


def test_an_evaluation_set_may_lack_classes():
    """The class count comes from W: labels 0-2 scored by a 5-class model."""
    rng = np.random.default_rng(5)
    X = _pixels(rng, n=3000, d=20)
    y = rng.integers(0, 3, 3000)
    W, b = rng.normal(size=(20, 5)), rng.normal(size=5)
    loss, gW, gb = CompiledObjective(MULTINOMIAL, X, y).loss_grad(W, b)
    _assert_same((loss, gW, gb), _reference(X, y, W, b, False), np.float64)


def test_bad_input_is_a_data_error():
    X = np.zeros((10, 3))
    with pytest.raises(DataError, match="10 rows"):
        CompiledObjective(BINARY, X, np.zeros(9))
    with pytest.raises(DataError, match="float"):
        CompiledObjective(BINARY, X.astype(np.uint8), np.zeros(10))
    with pytest.raises(DataError, match="at most 256 classes"):
        CompiledObjective(MULTINOMIAL, X, np.zeros(10)).loss_grad(
            np.zeros((3, 300)), np.zeros(300)
        )
    with pytest.raises(ValueError, match="n_jobs"):
        CompiledObjective(BINARY, X, np.zeros(10), n_jobs=0)

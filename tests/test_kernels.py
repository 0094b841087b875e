"""The fast full-batch kernels equal the reference loss/gradient of `models.losses`.

Every path is checked: the compiled kernel (C, all columns sparse) and the SciPy way
all-dense (row blocks, contiguous Xᵀ), all-sparse (X = S + 1 mᵀ) and the per-column
mix; one or several threads, float32 and float64, binary and softmax, with and without
an intercept, on random data and on MNIST. The compiled kernel is required here: CI
builds it, and a build that silently failed must not pass as the SciPy way.
"""

from __future__ import annotations

import numpy as np
import pytest

from logitlab.backends.kernels import Design, FullBatchKernel
from logitlab.data.tasks import make_task, standardize
from logitlab.errors import DataError
from logitlab.models.losses import binary_loss_grad, multinomial_loss_grad

TOL = {np.float64: 1e-10, np.float32: 1e-4}  # relative to the largest gradient entry
PATHS = [  # FullBatchKernel options: compiled; SciPy all dense, mixed, all sparse
    {"compiled": True},
    {"compiled": False, "dense_column": 0.0},
    {"compiled": False, "dense_column": 0.35},
    {"compiled": False, "dense_column": 2.0},
]
PATH_IDS = ["compiled", "dense", "mixed", "sparse"]


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
@pytest.mark.parametrize("path", PATHS, ids=PATH_IDS)
@pytest.mark.parametrize(("n_threads", "intercept"), [(1, True), (2, False), (3, True)])
def test_softmax_random(dtype, path, n_threads, intercept):
    rng = np.random.default_rng(0)
    X = _pixels(rng, dtype=dtype)
    y = rng.integers(0, 4, X.shape[0])
    W = rng.normal(size=(X.shape[1], 4)).astype(dtype)
    b = rng.normal(size=4).astype(dtype) if intercept else np.zeros(4, dtype)
    kernel = FullBatchKernel(X, y, 4, n_threads=n_threads, **path)
    assert kernel.compiled == path["compiled"]
    assert len(kernel.design.blocks) % n_threads == 0  # no thread does double work
    _assert_same(kernel.loss_grad(W, b), _reference(X, y, W, b, False), dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("path", PATHS, ids=PATH_IDS)
@pytest.mark.parametrize("intercept", [True, False])
def test_binary_random(dtype, path, intercept):
    rng = np.random.default_rng(1)
    X = _pixels(rng, dtype=dtype)
    y = rng.integers(0, 2, X.shape[0])
    w = rng.normal(size=X.shape[1]).astype(dtype)
    b = dtype(0.7) if intercept else dtype(0.0)
    kernel = FullBatchKernel(X, y, n_threads=3, **path)
    assert kernel.binary
    _assert_same(kernel.loss_grad(w, b), _reference(X, y, w, b, True), dtype)


def test_paths_are_what_they_claim():
    X = _pixels(np.random.default_rng(2))
    assert Design(X, dense_column=0.0).dense_cols.size == X.shape[1]
    sparse = Design(X, dense_column=2.0)
    assert sparse.dense_cols.size == 0
    assert sum(blk.sparse.nnz for blk in sparse.blocks) < 0.6 * X.size
    mixed = Design(X)
    assert 0 < mixed.dense_cols.size < X.shape[1]
    assert 1 not in mixed.dense_cols  # a column that is mostly its maximum is sparse


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
@pytest.mark.parametrize("path", PATHS, ids=PATH_IDS)
def test_mnist_softmax_and_pair(mnist_sets, dtype, path):
    rng = np.random.default_rng(3)
    X, y, _, _ = mnist_sets["multiclass"]
    X = X.astype(dtype)
    W = (0.05 * rng.normal(size=(784, 10))).astype(dtype)
    b = (0.1 * rng.normal(size=10)).astype(dtype)
    kernel = FullBatchKernel(X, y, 10, **path)
    _assert_same(kernel.loss_grad(W, b), _reference(X, y, W, b, False), dtype)

    X, y, _, _ = mnist_sets["pair"]
    X = X.astype(dtype)
    w = (0.05 * rng.normal(size=784)).astype(dtype)
    kernel = FullBatchKernel(X, y, **path)
    _assert_same(
        kernel.loss_grad(w, dtype(-0.2)), _reference(X, y, w, -0.2, True), dtype
    )


def test_mnist_sparse_form_is_sparse(mnist_sets):
    """Standardised pixels keep one background value per column: why it pays."""
    X = mnist_sets["multiclass"][0]
    design = Design(X)
    assert design.density < 0.3
    assert design.nbytes < X.nbytes


def test_loss_accuracy_is_the_forward_pass(mnist_sets):
    rng = np.random.default_rng(4)
    _, _, X_te, y_te = mnist_sets["multiclass"]
    W, b = 0.05 * rng.normal(size=(784, 10)), 0.1 * rng.normal(size=10)
    loss, accuracy = FullBatchKernel(X_te, y_te, 10).loss_accuracy(W, b)
    Z = X_te @ W + b
    assert loss == pytest.approx(_reference(X_te, y_te, W, b, False)[0], rel=1e-12)
    assert accuracy == pytest.approx(np.mean(Z.argmax(axis=1) == y_te), abs=1e-12)

    _, _, X_te, y_te = mnist_sets["pair"]
    w = 0.05 * rng.normal(size=784)
    loss, accuracy = FullBatchKernel(X_te, y_te).loss_accuracy(w, 0.3)
    assert loss == pytest.approx(_reference(X_te, y_te, w, 0.3, True)[0], rel=1e-12)
    assert accuracy == pytest.approx(np.mean((X_te @ w + 0.3 > 0) == y_te), abs=1e-12)


def test_labels_one_hot_and_uint8_inputs_agree():
    rng = np.random.default_rng(5)
    pixels = np.where(rng.random((5000, 50)) < 0.2, rng.integers(1, 256, (5000, 50)), 0)
    X = pixels.astype(np.uint8)
    y = rng.integers(0, 3, 5000)
    W, b = 0.01 * rng.normal(size=(50, 3)), rng.normal(size=3)
    from_labels = FullBatchKernel(X, y, 3).loss_grad(W, b)
    from_one_hot = FullBatchKernel(X, np.eye(3)[y]).loss_grad(W, b)
    want = _reference(X.astype(np.float64), y, W, b, False)
    _assert_same(from_labels, want, np.float64)
    _assert_same(from_one_hot, want, np.float64)


def test_bad_input_is_a_data_error():
    X = np.zeros((10, 3))
    with pytest.raises(DataError, match="10 rows"):
        FullBatchKernel(X, np.zeros(9))
    with pytest.raises(DataError, match="2-D"):
        Design(np.zeros(5))

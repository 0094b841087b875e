"""The compiled kernel (`logitlab.backends._fused`): its edge cases and its guards.

The common cases are in test_kernels.py; here: class counts that take each of its code
shapes (one, two and any number of SIMD registers per row), logits far apart (its own
e^x), divergence still visible as NaN, and the checks that keep a wrong call from
reading or writing outside its buffers.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from logitlab.backends import compiled
from logitlab.backends.compiled import CompiledObjective, _fused
from logitlab.estimators import SoftmaxRegressionGD
from logitlab.models.losses import (
    BINARY,
    MULTINOMIAL,
    binary_loss_grad,
    multinomial_loss_grad,
)

pytestmark = pytest.mark.skipif(
    _fused is None, reason="compiled kernel not built or LOGITLAB_COMPILED=0"
)


def _sparse_pixels(rng, n=9000, d=30, dtype=np.float64):
    X = np.where(rng.random((n, d)) < 0.3, rng.normal(size=(n, d)), -0.4)
    return X.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k", [2, 8, 16, 17, 40])  # kp = 8/16, 16, 16, 24/32, 40/48
def test_class_counts(dtype, k):
    rng = np.random.default_rng(k)
    X = _sparse_pixels(rng, dtype=dtype)
    y = rng.integers(0, k, X.shape[0])
    W = rng.normal(size=(X.shape[1], k))
    b = rng.normal(size=k)
    kernel = CompiledObjective(MULTINOMIAL, X, y)
    loss, gW, gb = kernel.loss_grad(W.astype(dtype), b.astype(dtype))
    ref_loss, ref_gW, ref_gb = multinomial_loss_grad(
        X.astype(np.float64), np.eye(k)[y], W.astype(dtype).astype(np.float64),
        b.astype(dtype).astype(np.float64),
    )  # fmt: skip
    tol = 1e-11 if dtype == np.float64 else 1e-4
    assert loss == pytest.approx(ref_loss, rel=tol)
    np.testing.assert_allclose(gW, ref_gW, atol=tol * np.abs(ref_gW).max())
    np.testing.assert_allclose(gb, ref_gb, atol=tol * np.abs(ref_gb).max())
    assert gW.dtype == dtype and gW.shape == (X.shape[1], k)
    Z = X.astype(np.float64) @ W.astype(dtype) + b.astype(dtype)
    _, accuracy = kernel.loss_accuracy(W.astype(dtype), b.astype(dtype))
    assert accuracy == pytest.approx(np.mean(Z.argmax(axis=1) == y))


@pytest.mark.parametrize("scale", [3.0, 30.0, 300.0])
def test_logits_far_apart(scale):
    """Gaps from 0 to thousands: the kernel's e^x (Taylor series, clamped below) must
    give the same probabilities as the reference's `np.exp` in float64."""
    rng = np.random.default_rng(7)
    X = _sparse_pixels(rng)
    y = rng.integers(0, 10, X.shape[0])
    W, b = scale * rng.normal(size=(X.shape[1], 10)), rng.normal(size=10)
    loss, gW, gb = CompiledObjective(MULTINOMIAL, X, y).loss_grad(W, b)
    ref_loss, ref_gW, ref_gb = multinomial_loss_grad(X, np.eye(10)[y], W, b)
    assert np.isfinite(loss)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(gW, ref_gW, atol=1e-12 * np.abs(ref_gW).max())
    np.testing.assert_allclose(gb, ref_gb, atol=1e-13)

    w = scale * rng.normal(size=X.shape[1])
    t = (y % 2).astype(np.float64)
    loss, gw, gb = CompiledObjective(BINARY, X, t).loss_grad(w, 0.5)
    ref_loss, ref_gw, ref_gb = binary_loss_grad(X, t, w, 0.5)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(gw, ref_gw, atol=1e-12 * np.abs(ref_gw).max())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_diverged_weights_give_a_non_finite_loss(dtype, bad):
    """The engine stops a diverging fit on a non-finite loss: the kernel must not hide
    a NaN or an infinite logit behind its clamp or its maximum."""
    rng = np.random.default_rng(8)
    X = _sparse_pixels(rng, dtype=dtype)
    y = rng.integers(0, 10, X.shape[0])
    W = rng.normal(size=(X.shape[1], 10)).astype(dtype)
    W[3, 4] = bad  # one class of one feature
    loss, _, _ = CompiledObjective(MULTINOMIAL, X, y).loss_grad(W, np.zeros(10))
    assert not np.isfinite(loss)
    w = rng.normal(size=X.shape[1]).astype(dtype)
    w[5] = bad
    kernel = CompiledObjective(BINARY, X, y % 2)
    assert not np.isfinite(kernel.loss_grad(w, 0.0)[0])


def _call(kernel, W, b):
    """softmax_epoch's arguments for block 0 as a list: the block's tuple first."""
    Wp = np.zeros((W.shape[0], 16))
    Wp[:, : W.shape[1]] = W
    z0 = np.full(16, -np.inf)
    z0[: W.shape[1]] = b
    csr = kernel.blocks[0]
    block = [csr.indptr, csr.indices, csr.data, kernel._labels[0]]
    block += [np.zeros_like(Wp), np.zeros(16)]
    return block, [Wp, z0, W.shape[1], 16, 1e-3, True, 8, 2]


@pytest.mark.parametrize(
    ("where", "position", "change", "message"),
    [
        ("block", 3, lambda a: a + 1, r"label 3 outside 0\.\.2"),
        ("block", 3, lambda a: a[:-1], "indptr has"),  # fewer labels than rows
        ("block", 0, lambda a: a[:-1], "indptr has"),
        ("block", 0, lambda a: a + 1, "indptr does not span"),
        ("block", 2, lambda a: a[:-1], "data has"),
        ("block", 4, lambda a: a[:-1], "G has"),
        ("block", 5, lambda a: a[:3], "gb has"),
        ("call", 1, lambda a: a[:3], "z0 has"),
        ("call", 3, lambda a: 20, "class count"),  # kp not a whole number of registers
    ],
)
def test_bad_calls_are_refused(where, position, change, message):
    rng = np.random.default_rng(10)
    X = _sparse_pixels(rng)
    kernel = CompiledObjective(MULTINOMIAL, X, rng.integers(0, 3, X.shape[0]))
    block, rest = _call(kernel, rng.normal(size=(X.shape[1], 3)), np.zeros(3))
    _fused.softmax_epoch([tuple(block)], *rest)  # the unchanged call is accepted
    with pytest.raises(ValueError, match="tuple of 6"):
        _fused.softmax_epoch([tuple(block[:5])], *rest)
    changed = block if where == "block" else rest
    changed[position] = change(changed[position])
    good = tuple(_call(kernel, np.zeros((X.shape[1], 3)), np.zeros(3))[0])
    with pytest.raises(ValueError, match=message):
        _fused.softmax_epoch([good, tuple(block)], *rest)  # the second block is bad


def test_engine_gives_the_same_fit_either_way(monkeypatch, mnist):
    """A whole full-batch fit with the C kernel and with the NumPy reference."""
    from logitlab.data.tasks import make_task, standardize

    task = make_task(mnist, kind="multiclass", n_train=3000, n_test=300)
    _, X, _ = standardize(task.X_train, task.X_test)
    monkeypatch.setattr(compiled, "_MIN_SIZE", 0)
    params = dict(learning_rate=0.5, max_iter=15, momentum=0.9, nesterov=True)
    fast = SoftmaxRegressionGD(**params).fit(X, task.y_train)
    monkeypatch.setattr(compiled, "_fused", None)
    reference = SoftmaxRegressionGD(**params).fit(X, task.y_train)
    np.testing.assert_allclose(fast.coef_, reference.coef_, rtol=0, atol=1e-11)
    np.testing.assert_allclose(
        fast.history_["loss"], reference.history_["loss"], rtol=1e-12
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_csr_built_in_c_equals_scipys(dtype):
    X = _sparse_pixels(np.random.default_rng(11), n=10000, dtype=dtype)
    X[5, :] = -0.4  # a row of background only
    kernel = CompiledObjective(MULTINOMIAL, X, np.zeros(X.shape[0], int))
    assert len(kernel.blocks) > 1
    for rows, got in zip(kernel.row_blocks, kernel.blocks, strict=True):
        want = sp.csr_array(X[rows] - kernel.m)
        for name in ("indptr", "indices", "data"):
            np.testing.assert_array_equal(getattr(got, name), getattr(want, name))
        assert got.data.dtype == dtype


def test_csr_fill_reports_what_did_not_fit():
    """One pass fills what fits and counts all: too small arrays get the true count and
    complete row pointers, and a second call with that many fills the rest."""
    X = _sparse_pixels(np.random.default_rng(12), n=50)
    m = np.full(X.shape[1], -0.4)
    want = sp.csr_array(X - m)
    indptr = np.empty(51, np.int64)
    small = np.empty(7, np.int32), np.empty(7)
    assert _fused.csr_fill(X, m, indptr, *small, 8) == want.nnz
    np.testing.assert_array_equal(indptr, want.indptr)
    np.testing.assert_array_equal(small[0], want.indices[:7])
    indices, data = np.empty(want.nnz, np.int32), np.empty(want.nnz)
    assert _fused.csr_fill(X, m, indptr, indices, data, 8) == want.nnz
    np.testing.assert_array_equal(indices, want.indices)
    np.testing.assert_array_equal(data, want.data)
    with pytest.raises(ValueError, match="X has"):
        _fused.csr_fill(X[:10], m, indptr, indices, data, 8)
    with pytest.raises(ValueError, match="data has"):
        _fused.csr_fill(X, m, indptr, indices, data[:-1], 8)


def test_design_survives_a_sample_that_underestimates(monkeypatch):
    """The CSR arrays are sized from the sampled rows' density; rows the sample skips
    may hold far more: the second pass must still give every nonzero."""
    monkeypatch.setattr(compiled, "_SAMPLE_ROWS", 10)
    rng = np.random.default_rng(13)
    X = np.full((1000, 40), -0.4)
    X[1::2] = rng.normal(size=(500, 40))  # the sample takes every 100th row: even
    kernel = CompiledObjective(MULTINOMIAL, X, np.zeros(1000, int))
    assert compiled._background(X)[1] < 0.01
    blk = kernel.blocks[0]
    got = sp.csr_array((blk.data, blk.indices, blk.indptr), shape=(1000, 40))
    np.testing.assert_array_equal(got.toarray(), X - kernel.m)

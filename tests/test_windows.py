"""The binary kernel's window form (`_fused.encode_windows`, `_fused.binary_epoch`).

Pixels scaled per column (x/255, standardising) are, column by column, whole multiples
q·c of one step, q being the pixel: the window form keeps q in a byte, eight columns
at a time, and values that are no such multiple in CSR form (the remainder). Checked
here: the form gives back S = X - m to within a few units of rounding of X, values
without a step stay exact, the windows are the fewest that cover a row, the kernel's
loss and gradient equal the reference's whichever form the values take (logits far
apart included), and the guards.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

from logitlab.backends import compiled
from logitlab.backends.compiled import CompiledObjective, _fused
from logitlab.estimators import LogisticRegressionGD
from logitlab.models.losses import BINARY, binary_loss_grad

pytestmark = pytest.mark.skipif(
    _fused is None, reason="compiled kernel not built or LOGITLAB_COMPILED=0"
)


def _pixels(rng, n=3000, side=12, dtype=np.float64):
    """Images of strokes: runs of 1-5 ink pixels (1..255) in half the image rows."""
    P = np.zeros((n, side, side), np.uint8)
    for i in range(n):
        for r in rng.choice(side, size=side // 2, replace=False):
            a = rng.integers(0, side - 1)
            ink = min(rng.integers(1, 6), side - a)
            P[i, r, a : a + ink] = rng.integers(1, 256, size=ink)
    X = StandardScaler().fit_transform(P.reshape(n, -1) / 255.0)
    return X.astype(dtype)


def _random(rng, n=3000, d=144, dtype=np.float64):
    """Values with no common step: all of them in the remainder."""
    X = np.where(rng.random((n, d)) < 0.3, rng.normal(size=(n, d)), -0.4)
    return X.astype(dtype)


def _inverted(rng, dtype=np.float64):
    """Ink darker than paper: the background is each column's maximum, S <= 0."""
    return -_pixels(rng, dtype=dtype)


def _narrow(rng, dtype=np.float64):
    """Five columns: every window runs past the last one."""
    return _pixels(rng, dtype=dtype)[:, 62:67]


def _mixed(rng, dtype=np.float64):
    X = _pixels(rng, dtype=dtype)
    X[:, 5::9] = _random(rng, d=X[:, 5::9].shape[1], dtype=dtype)
    return X


def _decode(form, d):
    """The dense S that a block's window form stands for."""
    c, wptr, wcol, codes, rptr, rind, rval = form
    rows = wptr.size - 1
    S = np.zeros((rows, d + 8))
    steps = np.concatenate([c.astype(np.float64), np.zeros(8)])
    row_of = np.repeat(np.arange(rows), np.diff(wptr))
    for lane in range(8):
        cols = wcol.astype(np.int64) + lane
        np.add.at(S, (row_of, cols), codes[lane::8] * steps[cols])
    np.add.at(S, (np.repeat(np.arange(rows), np.diff(rptr)), rind), rval)
    return S[:, :d]


def _forms(kernel):
    """(S as a dense array, window form) of each block."""
    return [
        (_dense(blk, kernel.d), form)
        for blk, form in zip(kernel.blocks, kernel._windows, strict=True)
    ]


def _dense(blk, d):
    S = np.zeros((blk.indptr.size - 1, d))
    S[np.repeat(np.arange(S.shape[0]), np.diff(blk.indptr)), blk.indices] = blk.data
    return S


def _kernel(X, y=None):
    return CompiledObjective(BINARY, X, np.zeros(X.shape[0]) if y is None else y)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("make", [_pixels, _inverted])
def test_window_form_gives_back_S(dtype, make):
    X = make(np.random.default_rng(1), dtype=dtype)
    kernel = _kernel(X)
    m = kernel.m.astype(np.float64)
    eps = np.finfo(dtype).eps
    for S, form in _forms(kernel):
        got = _decode(form, X.shape[1])
        assert np.all(np.abs(got - S) <= 4 * eps * (np.abs(S) + np.abs(m)))
        assert np.array_equal(got != 0, S != 0)  # no value lost, none made up
        _, wptr, wcol, codes, _, rind, _ = form
        assert rind.size < 0.05 * np.count_nonzero(S)  # pixels: nearly all in windows
        assert codes.size == 8 * wcol.size and np.all(codes.reshape(-1, 8)[:, 0] > 0)
        # the fewest windows: each opens at the first coded column not yet covered
        for i in range(wptr.size - 1):
            starts = wcol[wptr[i] : wptr[i + 1]]
            assert np.all(np.diff(starts) >= 8)


def test_values_without_a_step_stay_exact():
    X = _random(np.random.default_rng(2))
    kernel = _kernel(X)
    for blk, (c, _, wcol, _, rptr, rind, rval) in zip(
        kernel.blocks, kernel._windows, strict=True
    ):
        assert wcol.size == 0 and not np.any(c)
        np.testing.assert_array_equal(rptr, blk.indptr)
        np.testing.assert_array_equal(rind, blk.indices)
        np.testing.assert_array_equal(rval, blk.data)


def test_mixed_columns_split_by_column():
    X = _mixed(np.random.default_rng(3))
    kernel = _kernel(X)
    for S, form in _forms(kernel):
        c, rind = form[0], form[5]
        assert not np.any(c[5::9])  # the random columns have no step
        random_cols = np.arange(X.shape[1])[5::9]
        inked = S[:, random_cols].any(axis=0)
        assert np.all(np.isin(random_cols[inked], rind))
        np.testing.assert_allclose(_decode(form, X.shape[1]), S, atol=1e-13)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("make", [_pixels, _random, _mixed, _inverted, _narrow])
@pytest.mark.parametrize("scale", [0.01, 1.0, 300.0])  # logits up to thousands apart
def test_kernel_equals_the_reference(dtype, make, scale):
    rng = np.random.default_rng(4)
    X = make(rng, dtype=dtype)
    y = (rng.random(X.shape[0]) < 0.4).astype(dtype)
    w = (scale * rng.normal(size=X.shape[1])).astype(dtype)
    kernel = _kernel(X, y)
    loss, gw, gb, accuracy = kernel.loss_grad_accuracy(w, dtype(0.3))
    X64, w64 = X.astype(np.float64), w.astype(np.float64)
    ref_loss, ref_gw, ref_gb = binary_loss_grad(X64, y.astype(np.float64), w64, 0.3)
    tol = 1e-12 if dtype == np.float64 else 1e-4
    assert np.isfinite(loss)
    assert loss == pytest.approx(ref_loss, rel=tol)
    np.testing.assert_allclose(gw, ref_gw, atol=tol * np.abs(ref_gw).max())
    assert gb == pytest.approx(ref_gb, rel=tol, abs=tol * 1e-3)
    assert gw.dtype == dtype and gw.shape == (X.shape[1],)
    z = X64 @ w64 + 0.3
    if dtype == np.float64:
        assert accuracy == pytest.approx(np.mean((z > 0) == (y > 0.5)))
    forward = kernel.loss_accuracy(w, dtype(0.3))
    assert forward == (pytest.approx(loss, rel=1e-15), accuracy)


def test_the_engine_gives_the_same_fit_either_way(monkeypatch):
    """A whole binary fit on the window form and with the NumPy reference."""
    rng = np.random.default_rng(5)
    X = _pixels(rng, n=4000)
    y = (X[:, 40] > 0.5).astype(int)
    monkeypatch.setattr(compiled, "_MIN_SIZE", 0)
    params = dict(learning_rate=0.5, max_iter=15, momentum=0.9)
    fast = LogisticRegressionGD(**params).fit(X, y)
    monkeypatch.setattr(compiled, "_fused", None)
    reference = LogisticRegressionGD(**params).fit(X, y)
    np.testing.assert_allclose(fast.coef_, reference.coef_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        fast.history_["loss"], reference.history_["loss"], rtol=1e-13
    )


def _block(kernel, i=0):
    """Block i's arguments to binary_epoch, with a fresh gradient buffer."""
    y = kernel._targets[i]
    return [*kernel._windows[i], y, np.zeros(kernel.d, y.dtype)]


@pytest.mark.parametrize(
    ("position", "change", "message"),
    [
        (0, lambda a: a[:-1], "c has"),
        (1, lambda a: a + 1, "wptr does not span"),
        (1, lambda a: a[:-1], "wptr has"),
        (3, lambda a: a[:-8], "codes has"),
        (4, lambda a: a[::-1].copy(), "rptr does not span"),
        (6, lambda a: a[:-1], "rval has"),
        (7, lambda a: a[:-1], "wptr has"),  # fewer targets than rows
        (8, lambda a: a[:-1], "g has"),
        (
            8,
            lambda a: np.zeros(a.size, np.float64).view(np.int8)[::8],
            "writable|contig",
        ),
    ],
)
def test_bad_epoch_calls_are_refused(position, change, message):
    rng = np.random.default_rng(6)
    X = _mixed(rng)
    kernel = _kernel(X, rng.integers(0, 2, X.shape[0]))
    w = rng.normal(size=X.shape[1])
    block = _block(kernel)
    _fused.binary_epoch([tuple(block)], w, 0.1, 1e-3, True, 8, 2)  # accepted
    block[position] = change(block[position])
    with pytest.raises((ValueError, BufferError), match=message):
        _fused.binary_epoch(
            [tuple(block), tuple(_block(kernel))], w, 0.1, 1e-3, True, 8, 2
        )
    with pytest.raises(ValueError, match="tuple of 9"):
        _fused.binary_epoch([tuple(block[:8])], w, 0.1, 1e-3, True, 8, 1)


def test_blocks_on_threads_sum_as_on_one():
    """Seven blocks on OpenMP threads, many times over, give the one-thread sums:
    every block runs exactly once per call, whoever takes it."""
    rng = np.random.default_rng(9)
    X = _pixels(rng, n=7 * 700)
    y = (rng.random(X.shape[0]) < 0.5).astype(float)
    rows = np.array_split(np.arange(X.shape[0]), 7)
    kernels = [_kernel(X[r], y[r]) for r in rows]
    w = rng.normal(size=X.shape[1])

    def run(n_threads):
        blocks = [tuple(_block(k)) for k in kernels]
        out = _fused.binary_epoch(blocks, w, 0.1, 1e-3, True, 8, n_threads)
        return out, sum(b[8] for b in blocks)

    (loss, gb, correct), g = run(1)
    z = [_decode(k._windows[0], X.shape[1]) @ w + 0.1 for k in kernels]
    want = sum(
        np.sum(np.logaddexp(0, zk) - y[r] * zk) for zk, r in zip(z, rows, strict=True)
    )
    assert loss == pytest.approx(want, rel=1e-12)
    for _ in range(200):
        (loss2, gb2, correct2), g2 = run(2)
        assert loss2 == pytest.approx(loss, rel=1e-14) and correct2 == correct
        assert gb2 == pytest.approx(gb, rel=1e-12)
        np.testing.assert_allclose(g2, g, rtol=1e-13)


def test_bad_encode_calls_are_refused():
    indptr = np.array([0, 2, 3], np.int64)
    data, m = np.ones(3), np.zeros(4)
    _fused.encode_windows(indptr, np.array([0, 3, 1], np.int32), data, m, 8)
    with pytest.raises(ValueError, match=r"column index 4 outside 0\.\.3"):
        _fused.encode_windows(indptr, np.array([0, 4, 1], np.int32), data, m, 8)
    with pytest.raises(ValueError, match="not increasing"):
        _fused.encode_windows(indptr, np.array([3, 0, 1], np.int32), data, m, 8)
    backwards = indptr[::-1].copy()
    with pytest.raises(ValueError, match="indptr does not span"):
        _fused.encode_windows(backwards, np.arange(3, dtype=np.int32), data, m, 8)


def test_rows_of_any_length_are_read_right():
    """binary_epoch sizes its scratch by the longest row it is given, not by what
    encode_windows would make: all of a block's windows in one row still compute."""
    rng = np.random.default_rng(7)
    X = _pixels(rng)
    kernel = _kernel(X)
    c, wptr, wcol, codes, rptr, rind, rval = kernel._windows[0]
    piled_w, piled_r = np.full_like(wptr, wptr[-1]), np.full_like(rptr, rptr[-1])
    piled_w[0] = piled_r[0] = 0  # row 0 holds every window and the remainder
    form = (c, piled_w, wcol, codes, piled_r, rind, rval)
    S = _decode(form, X.shape[1])
    w, y = rng.normal(size=X.shape[1]), np.zeros(wptr.size - 1)
    g = np.zeros_like(w)
    loss, _, _ = _fused.binary_epoch([(*form, y, g)], w, 0.1, 1.0, True, 8, 2)
    z = S @ w + 0.1
    assert loss == pytest.approx(np.sum(np.logaddexp(0, z)), rel=1e-12)
    np.testing.assert_allclose(g, S.T @ (1 / (1 + np.exp(-z))), rtol=1e-12)


@pytest.mark.parametrize("row", [0, 5])  # row 0 decides the steps, row 5 not
def test_a_value_inf_stays_in_the_remainder(row):
    X = _pixels(np.random.default_rng(8))
    X[row, 70] = np.inf
    kernel = _kernel(X)
    c, *_, rval = kernel._windows[0]
    assert np.all(np.isfinite(c)) and np.count_nonzero(c) > 50
    assert np.isinf(rval).sum() == 1
    if row == 0:
        assert c[70] == 0  # the column has no step
    w = np.zeros(X.shape[1])
    w[70] = 1.0
    assert not np.isfinite(kernel.loss_grad(w, 0.0)[0])


def test_two_callers_at_once_both_get_their_sums():
    """Two Python threads computing at once (each its own OpenMP team) must each get
    their own answer."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(11)
    X = _pixels(rng, n=9000)
    y = (rng.random(X.shape[0]) < 0.5).astype(float)
    kernel = CompiledObjective(BINARY, X, y, n_jobs=2)
    ws = [rng.normal(size=X.shape[1]) for _ in range(2)]
    want = [kernel.loss_grad(w, 0.0) for w in ws]
    with ThreadPoolExecutor(2) as callers:
        for _ in range(50):
            got = list(callers.map(lambda w: kernel.loss_grad(w, 0.0), ws))
            for (loss, gw, _), (want_loss, want_gw, _) in zip(got, want, strict=True):
                assert loss == pytest.approx(want_loss, rel=1e-14)
                np.testing.assert_allclose(gw, want_gw, rtol=1e-12)

"""The compiled objective: the C kernel (`_fused.c`) over X, prepared once per fit.

Why: a full-batch epoch is two skinny products, Z = X W (n×d by d×k, k ≤ 10) and
G = Xᵀ D. BLAS runs them far below its peak (it repacks all of X for a 10-column
product). Pixel data is mostly background, and stays so after any per-column affine
scaling (standardising): each column takes one value m_j on most rows. Writing
X = S + 1 mᵀ with S sparse (≈19 % nonzero on MNIST) gives, exactly up to rounding,

    X W  = S W  + 1 (mᵀ W)
    Xᵀ D = Sᵀ D + m (1ᵀ D)

at a fifth of the multiply-adds. The C kernel reads each row's nonzeros once for both
products, the softmax and its gradient computed in between, the classes as whole SIMD
registers. The binary model has one logit, so its rows go in window form (see
`_fused_rows.h`): pixels scaled per column are whole multiples q·c_j of one step per
column, so eight consecutive columns become eight bytes q and one vector multiply-add.

Rows are cut into blocks (two per core) when preparing; each epoch runs the blocks on
OpenMP threads (as many as `n_jobs`, or as OpenMP allows: threadpoolctl and
OMP_NUM_THREADS apply), each block into its own gradient buffers, summed in block
order, so the result does not depend on the thread count. The kernel is optional: not
built without a C compiler, and switched off by the environment variable
LOGITLAB_COMPILED=0 (read at import).
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from logitlab.errors import DataError, LogitlabError
from logitlab.models.losses import Family

try:
    import logitlab.backends._fused as _fused
except ImportError:  # installed without a C compiler
    _fused = None  # type: ignore[assignment]
SWITCHED_OFF = os.environ.get("LOGITLAB_COMPILED", "1") == "0"
if SWITCHED_OFF:
    _fused = None  # type: ignore[assignment]

Array = NDArray[Any]
_MAX_PADDED_CLASSES = 256  # the kernel keeps a row's logits on the stack
_SAMPLE_ROWS = 1024  # rows (at most) that decide each column's background value
# a block below this many rows gains nothing; with 1024 the homework fit took
# 0.106-0.111 s, with 4096 0.112-0.121 s (measured)
_MIN_BLOCK_ROWS = 1024
_MIN_SIZE = 1 << 20  # n*d below which preparing does not pay within a fit
# An OpenMP region ends when every thread of its team has arrived, and on a busy
# machine a woken thread may wait milliseconds for a core: an epoch smaller than
# this many multiply-adds (nonzeros × padded classes; ≈5 ms on one thread) runs on
# the calling thread. The homework's binary epoch (12,665 rows, ~2M) took a median
# 17.8 ms on two OpenMP threads against 1.2 ms for the old spin-then-steal pool
# on the shared 2-core machine.
_MIN_PARALLEL_WORK = 1 << 23
_Windows = tuple[Array, Array, Array, Array, Array, Array, Array]  # see _window_form


def available() -> bool:
    """True when the C kernel is built and not switched off (LOGITLAB_COMPILED=0)."""
    return _fused is not None


def worth_it(X: Any, sample_weight: Array | None) -> bool:
    """True when the C kernel is available, applies to X and pays within a fit."""
    return (
        available()
        and sample_weight is None
        and isinstance(X, np.ndarray)
        and X.ndim == 2
        and X.dtype in (np.float32, np.float64)
        and X.size >= _MIN_SIZE
    )


def _n_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def threads_for(n_jobs: int | None) -> int:
    """The kernel's thread count for `n_jobs`: 0 (OpenMP's default, set by
    threadpoolctl and OMP_NUM_THREADS) for None, all cores for -1, cores + 1 + n_jobs
    for other negatives (joblib's convention)."""
    if n_jobs is None:
        return 0
    if n_jobs == 0:
        raise ValueError("n_jobs must be a positive number of threads, -1 or None")
    return n_jobs if n_jobs > 0 else max(1, _n_cores() + 1 + n_jobs)


def _background(X: Array) -> tuple[Array, float]:
    """Per-column background value m (min or max, whichever is more frequent) and the
    mean fraction of entries that differ from it, estimated on evenly spaced rows:
    any m is exact (S = X - m), the sample only decides how sparse S is."""
    sample = X[:: -(-X.shape[0] // _SAMPLE_ROWS)]
    lo, hi = sample.min(axis=0), sample.max(axis=0)
    n_lo, n_hi = (sample == lo).sum(axis=0), (sample == hi).sum(axis=0)
    m = np.where(n_lo >= n_hi, lo, hi)
    return m, float(1.0 - np.maximum(n_lo, n_hi).mean() / sample.shape[0])


def _row_blocks(n: int) -> list[slice]:
    """Two blocks per core, so that a thread that finishes early takes the next block
    on a busy machine (measured 25 % faster than one block each under load); a whole
    number per core, or one thread does twice the work of the others."""
    cores = _n_cores()
    per_core = min(2, n // (_MIN_BLOCK_ROWS * cores))
    n_blocks = cores * per_core or max(1, n // _MIN_BLOCK_ROWS)
    bounds = np.linspace(0, n, n_blocks + 1).astype(int)
    return [slice(a, b) for a, b in itertools.pairwise(bounds)]


@dataclass
class _CSR:
    """One row block of S = X - m: int64 indptr, int32 indices, data."""

    indptr: Array
    indices: Array
    data: Array


def _csr(X: Array, m: Array, density: float) -> _CSR:
    """S = X - m for rows X, by the kernel's one pass into arrays sized from the
    sample's density (a second pass in the rare case that it underestimated)."""
    assert _fused is not None
    X = np.ascontiguousarray(X)
    size = X.dtype.itemsize
    indptr = np.empty(X.shape[0] + 1, np.int64)
    guess = int(X.size * density * 1.1) + 4096
    indices, data = np.empty(guess, np.int32), np.empty(guess, X.dtype)
    nnz = _fused.csr_fill(X, m, indptr, indices, data, size)
    if nnz > guess:
        indices, data = np.empty(nnz, np.int32), np.empty(nnz, X.dtype)
        _fused.csr_fill(X, m, indptr, indices, data, size)
    return _CSR(indptr, indices[:nnz], data[:nnz])


def _window_form(block: _CSR, m: Array) -> _Windows:
    """A CSR block in the binary kernel's window form: eight-column windows of
    pixel-like codes (S = q c per column), the rest of the nonzeros as CSR."""
    assert _fused is not None
    dtype = block.data.dtype
    c, wptr, wcol, codes, rptr, rind, rval = _fused.encode_windows(
        block.indptr, block.indices, block.data, m, dtype.itemsize
    )
    return (
        np.frombuffer(c, dtype),
        np.frombuffer(wptr, np.int64),
        np.frombuffer(wcol, np.int32),
        np.frombuffer(codes, np.uint8),
        np.frombuffer(rptr, np.int64),
        np.frombuffer(rind, np.int32),
        np.frombuffer(rval, dtype),
    )


@dataclass
class _Epoch:
    loss: float
    gW: Any
    gb: Any
    accuracy: float


class CompiledObjective:
    """`Objective` by the C kernel. X (n, d) float32/float64 is prepared here (its
    background m and S = X - m per row block); labels are class indices (0/1 for the
    binary family). Works in X's dtype."""

    def __init__(
        self,
        family: Family,
        X: Any,
        labels: Array,
        *,
        sample_weight: Array | None = None,
        n_jobs: int | None = None,
    ) -> None:
        if _fused is None:
            why = "switched off (LOGITLAB_COMPILED=0)" if SWITCHED_OFF else "not built"
            raise LogitlabError(f"logitlab's compiled kernel is {why}")
        if sample_weight is not None:
            raise LogitlabError("the compiled kernel takes no sample weights")
        X, labels = np.asarray(X), np.asarray(labels)
        if X.ndim != 2 or X.dtype not in (np.float32, np.float64):
            raise DataError(f"the compiled kernel needs 2-D float X, not {X.dtype}")
        if labels.shape != (X.shape[0],):
            raise DataError(f"X has {X.shape[0]} rows but labels {labels.shape}")
        self.binary = family.name == "binary"
        self.n_samples, self.d = X.shape
        self.dtype, self.n_threads = X.dtype, threads_for(n_jobs)
        self.m, density = _background(X)
        self.row_blocks = _row_blocks(self.n_samples)
        self.blocks = [_csr(X[rows], self.m, density) for rows in self.row_blocks]
        if self.binary:
            self._windows = [_window_form(blk, self.m) for blk in self.blocks]
            self._targets = [labels[r].astype(self.dtype) for r in self.row_blocks]
        else:
            self._labels = [labels[r].astype(np.int32) for r in self.row_blocks]

    def _threads(self, lanes: int) -> int:
        """The epoch's thread count: one when it is too small to share (see
        _MIN_PARALLEL_WORK), else `n_jobs`'s."""
        nnz = sum(blk.data.size for blk in self.blocks)
        return 1 if nnz * lanes < _MIN_PARALLEL_WORK else self.n_threads

    def _epoch(self, W: Array, b: Any, backward: bool) -> _Epoch:
        if self.binary:
            return self._binary_epoch(W, b, backward)
        return self._softmax_epoch(W, b, backward)

    def _binary_epoch(self, W: Array, b: Any, backward: bool) -> _Epoch:
        assert _fused is not None
        inv_n, dtype = 1.0 / self.n_samples, self.dtype
        w = np.ascontiguousarray(W, dtype)
        offset = float(self.m @ w) + float(b)
        gs = [np.zeros(self.d, dtype) for _ in self.blocks]
        parts = zip(self._windows, self._targets, gs, strict=True)
        blocks = [(*form, y, g) for form, y, g in parts]
        loss, gb, correct = _fused.binary_epoch(
            blocks, w, offset, inv_n, backward, dtype.itemsize, self._threads(1)
        )
        if not backward:
            return _Epoch(loss * inv_n, None, None, correct * inv_n)
        gw = sum(gs[1:], gs[0]) + self.m * dtype.type(gb)
        return _Epoch(loss * inv_n, gw, dtype.type(gb), correct * inv_n)

    def _softmax_epoch(self, W: Array, b: Any, backward: bool) -> _Epoch:
        """W padded to whole SIMD registers of classes (padding logits -inf, so they
        never win the maximum); each block adds into its own G and gb."""
        assert _fused is not None
        inv_n, dtype, k = 1.0 / self.n_samples, self.dtype, W.shape[1]
        lanes = 64 // dtype.itemsize
        kp = -(-k // lanes) * lanes
        if kp > _MAX_PADDED_CLASSES:
            raise DataError(f"the compiled kernel takes at most 256 classes, not {k}")
        Wp = np.zeros((self.d, kp), dtype)
        Wp[:, :k] = W
        z0 = np.full(kp, -np.inf, dtype)
        z0[:k] = self.m @ W + b
        Gs = [np.zeros((self.d, kp), dtype) for _ in self.blocks]
        gbs = [np.zeros(kp) for _ in self.blocks]
        parts = zip(self.blocks, self._labels, Gs, gbs, strict=True)
        loss, correct = _fused.softmax_epoch(
            [(blk.indptr, blk.indices, blk.data, y, G, gb) for blk, y, G, gb in parts],
            Wp, z0, k, kp, inv_n, backward, dtype.itemsize, self._threads(kp),
        )  # fmt: skip
        if not backward:
            return _Epoch(loss * inv_n, None, None, correct * inv_n)
        gb_sum = sum(gbs[1:], gbs[0])[:k].astype(dtype)
        gW = sum(Gs[1:], Gs[0])[:, :k] + np.multiply.outer(self.m, gb_sum)
        return _Epoch(loss * inv_n, gW, gb_sum, correct * inv_n)

    def loss_grad(self, W: Array, b: Any) -> tuple[float, Array, Any]:
        """(mean loss, dL/dW, dL/db)."""
        e = self._epoch(W, b, backward=True)
        return e.loss, e.gW, e.gb

    def loss_accuracy(self, W: Array, b: Any) -> tuple[float, float]:
        """(mean loss, accuracy), forward pass only."""
        e = self._epoch(W, b, backward=False)
        return e.loss, e.accuracy

    def loss_grad_accuracy(self, W: Array, b: Any) -> tuple[float, Array, Any, float]:
        """`loss_grad` and the accuracy from one pass."""
        e = self._epoch(W, b, backward=True)
        return e.loss, e.gW, e.gb, e.accuracy

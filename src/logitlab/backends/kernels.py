"""Fast full-batch loss and gradient: the design matrix is prepared once per fit.

Why: a full-batch epoch is two skinny products, Z = X W (n×d by d×k, k ≤ 10) and
G = Xᵀ D. OpenBLAS runs them far below its GEMM peak (it repacks all of X for a
10-column product). Pixel data is mostly background, and stays so after any per-column
affine scaling (standardising): each column takes one value m_j on most rows. Writing
X = S + 1 mᵀ with S sparse (≈19 % nonzero on MNIST) gives, exactly up to rounding,

    X W  = S W  + 1 (mᵀ W)
    Xᵀ D = Sᵀ D + m (1ᵀ D)

at a fifth of the multiply-adds. Rows are split into two blocks per core, run by one
thread per core (the C kernel, scipy's sparse products, BLAS and NumPy's ufuncs release
the GIL): the C kernel's own (`_pool.h`), all blocks in one call, or else a Python
pool's (`_map`). A Python pool's hand-off costs ~50 µs, an eighth of a binary block's
pass on an MNIST pair; the C kernel's, microseconds.

Two ways to run a block, same results:
- compiled (`logitlab.backends._fused`, built at install when a C compiler is present):
  all columns sparse; each row's nonzeros are read once for both products, the softmax
  and its gradient computed in between, the ten classes as whole SIMD registers.
  About twice as fast as the other way, and within the machine's limit for an epoch
  (benchmarks/bench_speed.py, goal 1). The binary model has one logit, so a nonzero
  is a gather, a multiply-add and a scatter of one number: there the rows go in window
  form (`_window_form`): pixels scaled per column are whole multiples q·c_j of one
  step per column, so eight consecutive columns become eight bytes q and one vector
  multiply-add against c∘w (values that are no such multiple stay in CSR form). On
  MNIST 0 vs 1 that is 0.38 ms per 6,332-row block against 0.87 ms in CSR form.
- SciPy: the sparse products for columns that are mostly background; columns that are
  at least half non-background stay dense, kept as a contiguous X_Dᵀ (the backward
  product is ≈1.5× faster on it than on X_D.T), BLAS single-threaded.
Data without a dominant value per column ends up all dense in both: the plain products
(SciPy way), blocked by rows.

`FullBatchKernel(X, y)` prepares once, then `.loss_grad(W, b)` per epoch and
`.loss_accuracy(W, b)` (forward pass only) for measuring and line searches. The engine
(`logitlab.optim.descent`) builds one per full-batch fit and one per evaluation set when
`worth_preparing(X)`; below that size the reference `logitlab.models.losses` is used.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.special import expit
from threadpoolctl import ThreadpoolController

from logitlab.errors import DataError, LogitlabError

try:
    import logitlab.backends._fused as _fused
except ImportError:  # installed without a C compiler: the SciPy way only
    _fused = None  # type: ignore[assignment]
if os.environ.get("LOGITLAB_COMPILED", "1") == "0":  # switched off (CI runs so too)
    _fused = None  # type: ignore[assignment]

Array = NDArray[Any]

# Columns at least this full stay dense. A sparse product costs ~2.5 ns per nonzero, a
# dense one ~0.85 ns per entry, but a narrower dense GEMM is less efficient: 0.5 was the
# fastest epoch on MNIST of 0.35 ... 0.8 (all-sparse and all-dense are both slower).
DENSE_COLUMN = 0.5
ALL_SPARSE = np.inf  # dense_column for the compiled kernel, which reads CSR rows only
_MAX_PADDED_CLASSES = 256  # the compiled kernel keeps a row's logits on the stack
_CHUNK_ROWS = 4096  # rows converted at a time: bounds the temporaries while preparing
_SAMPLE_ROWS = 1024  # rows (at most) that decide each column's background and density
_MIN_BLOCK_ROWS = 4096  # a thread's block: smaller ones gain nothing (measured)
# the C kernel's own threads take a block in microseconds, not a Python pool's ~50:
# smaller blocks pay there (the homework fit: 0.112-0.121 s with 4096, 0.106-0.111
# with 1024)
_MIN_BLOCK_ROWS_C = 1024
_MIN_SIZE = 1 << 20  # n*d below which preparing is not worth it (the reference is used)
_blas = ThreadpoolController()


def worth_preparing(X: Array) -> bool:
    """True when X is big enough that preparing a design pays within a fit."""
    return bool(X.size >= _MIN_SIZE)


def _n_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_pools: dict[int, ThreadPoolExecutor] = {}
_Part = tuple[float, Any, int]  # a block's loss sum, dL/dZ (or None), correct count
_CSR = tuple[Array, Array, Array]  # indptr, indices, data
_Windows = tuple[Array, Array, Array, Array, Array, Array, Array]  # see _window_form


def compiled_available() -> bool:
    """True when the C kernel was built at install time."""
    return _fused is not None


def _map(fn: Callable[[int], Any], n: int, workers: int) -> list[Any]:
    """`[fn(i) for i in range(n)]` on `workers` threads, the caller's one of them (one
    hand-off fewer, ~50 µs each). Each thread takes the next task not yet taken, so
    one slowed down by a busy machine leaves its share to the others."""
    if n == 1 or workers == 1:
        return [fn(i) for i in range(n)]
    pool = _pools.get(workers - 1)
    if pool is None:
        pool = _pools[workers - 1] = ThreadPoolExecutor(workers - 1, "logitlab-kernel")
    results: list[Any] = [None] * n
    tasks = iter(range(n))  # next() on it is atomic: CPython holds the GIL

    def drain() -> None:
        for i in tasks:
            results[i] = fn(i)

    helpers = [pool.submit(drain) for _ in range(min(workers, n) - 1)]
    drain()
    for helper in helpers:
        helper.result()
    return results


def _map_blas1(fn: Callable[[int], Any], n: int, workers: int) -> list[Any]:
    """`_map` with BLAS single-threaded: the blocks are the parallelism."""
    with _blas.limit(limits=1, user_api="blas"):
        return _map(fn, n, workers)


def _chunks(n: int, size: int = _CHUNK_ROWS) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def _background(X: Array, dtype: np.dtype) -> tuple[Array, Array]:
    """Per-column background value (min or max, whichever is more frequent) and the
    fraction of rows that differ from it, estimated on evenly spaced rows: any m is
    exact (S = X - m), the sample only decides what is sparse, at a fraction of a pass.
    """
    sample = X[:: -(-X.shape[0] // _SAMPLE_ROWS)].astype(dtype)
    lo, hi = sample.min(axis=0), sample.max(axis=0)
    n_lo = (sample == lo).sum(axis=0)
    n_hi = (sample == hi).sum(axis=0)
    m = np.where(n_lo >= n_hi, lo, hi)
    return m, 1.0 - np.maximum(n_lo, n_hi) / sample.shape[0]


@dataclass
class _Block:
    """One row block: the dense columns, transposed, and S = X - m on the others."""

    # (n_dense, rows) contiguous: X_Dᵀ D is ~1.5x faster on it than on X_D.T, and X_D W
    # is as fast on dense_T.T as on X_D, so this one copy serves both products
    dense_T: Array
    sparse: Any  # CSR (rows, d) of X - m, dense columns left empty


def _pad(A: Array) -> Array:
    """A with zero columns up to a multiple of 4: scipy's sparse products vectorise
    better on 12 columns than on 10 (~15 % faster, measured); 1-D A unchanged."""
    if A.ndim == 1 or A.shape[1] % 4 == 0:
        return A
    out = np.zeros((A.shape[0], A.shape[1] + (-A.shape[1]) % 4), A.dtype)
    out[:, : A.shape[1]] = A
    return out


def _unpad(A: Array, like: Array) -> Array:
    return A if A.ndim == 1 else A[:, : like.shape[1]]


class Design:
    """A design matrix X (n, d) prepared for repeated products X W and Xᵀ D.

    Columns with a dominant value are kept sparse (S = X - m, CSR), the others dense (as
    a contiguous Xᵀ); rows are split into two blocks per thread, of `min_block_rows`
    or more. `dense_column=0` keeps everything dense (the plain products, blocked by
    rows); above 1, all sparse.
    """

    def __init__(
        self,
        X: Array,
        *,
        dtype: Any = None,
        n_threads: int | None = None,
        dense_column: float = DENSE_COLUMN,
        min_block_rows: int = _MIN_BLOCK_ROWS,
    ) -> None:
        X = np.asarray(X)
        if X.ndim != 2:
            raise DataError(f"design matrix must be 2-D, got shape {X.shape}")
        self.dtype = np.dtype(dtype or (X.dtype if X.dtype.kind == "f" else np.float64))
        self.n, self.d = X.shape
        m, density = _background(X, self.dtype)
        self.is_dense = density >= dense_column
        self.density = float(density.mean())
        self.dense_cols = np.flatnonzero(self.is_dense)
        self.m = np.where(self.is_dense, 0, m).astype(self.dtype)  # dense kept whole
        self.n_threads = n_threads or _n_threads()
        # two blocks per thread: on a busy machine a thread that finishes early takes
        # the next block (measured 25 % faster than one block each under load); a
        # whole number per thread, or one thread does twice the work of the others
        per_thread = min(2, self.n // (min_block_rows * self.n_threads))
        n_blocks = self.n_threads * per_thread or max(1, self.n // min_block_rows)
        bounds = np.linspace(0, self.n, n_blocks + 1).astype(int)
        self.row_blocks = [slice(a, b) for a, b in itertools.pairwise(bounds)]
        self.blocks = _map_blas1(
            lambda i: self._block(X, self.row_blocks[i]), n_blocks, self.n_threads
        )

    def _block(self, X: Array, rows: slice) -> _Block:
        """Dense columns copied (transposed); the rest as CSR; a chunk at a time
        (bounded temporaries), without scipy's general dense-to-sparse path."""
        n_rows, is_sparse = rows.stop - rows.start, ~self.is_dense
        dense_T = np.empty((self.dense_cols.size, n_rows), self.dtype)
        if (
            _fused is not None
            and not self.dense_cols.size
            and X.dtype == self.dtype
            and self.dtype in (np.float32, np.float64)
            and X.flags.c_contiguous
        ):  # the C kernel's two passes: ~10x faster than NumPy's, no temporaries
            return _Block(dense_T, self._compiled_csr(X[rows]))
        counts, indices, data = [np.zeros(1, np.int64)], [], []
        for chunk in _chunks(n_rows):
            Xc = X[rows.start + chunk.start : rows.start + chunk.stop]
            Xc = Xc.astype(self.dtype, copy=False)
            dense_T[:, chunk] = Xc[:, self.dense_cols].T
            Sc = Xc - self.m
            mask = Sc != 0
            mask &= is_sparse
            flat = np.flatnonzero(mask)  # row-major: already in CSR order
            counts.append(mask.sum(axis=1))
            indices.append((flat % self.d).astype(np.int32))
            data.append(np.take(Sc, flat))
        indptr = np.cumsum(np.concatenate(counts))
        if indptr[-1] < np.iinfo(np.int32).max:  # 32-bit indices: scipy is ~1.5x faster
            indptr = indptr.astype(np.int32)
        sparse = sp.csr_array(
            (np.concatenate(data), np.concatenate(indices), indptr),
            shape=(n_rows, self.d),
        )
        return _Block(dense_T, sparse)

    def _compiled_csr(self, X: Array) -> Any:
        """One pass of the C kernel over X, into arrays sized by the sample's density
        (a second pass in the rare case that the sample underestimated)."""
        assert _fused is not None
        size = self.dtype.itemsize
        indptr = np.empty(X.shape[0] + 1, np.int64)
        guess = int(X.size * self.density * 1.1) + 4096
        indices, data = np.empty(guess, np.int32), np.empty(guess, self.dtype)
        nnz = _fused.csr_fill(X, self.m, indptr, indices, data, size)
        if nnz > guess:
            indices, data = np.empty(nnz, np.int32), np.empty(nnz, self.dtype)
            _fused.csr_fill(X, self.m, indptr, indices, data, size)
        if nnz < np.iinfo(np.int32).max:  # scipy would make int32 indices int64
            indptr = indptr.astype(np.int32)
        return sp.csr_array((data[:nnz], indices[:nnz], indptr), shape=X.shape)

    @property
    def nbytes(self) -> int:
        """Memory held by the prepared form (the caller's X not counted)."""
        total = 0
        for blk in self.blocks:
            total += blk.dense_T.nbytes
            total += sum(a.nbytes for a in (blk.sparse.data, blk.sparse.indices))
        return total

    def offset(self, W: Array, b: Any) -> Any:
        """The constant part 1 (mᵀ W) + b of every row's logits."""
        return self.m @ W + b

    def block_logits(self, i: int, W: Array, offset: Any) -> Array:
        """X_i W + b for row block i."""
        blk = self.blocks[i]
        Z = blk.dense_T.T @ W[self.dense_cols]
        Z += _unpad(blk.sparse @ _pad(W), W)
        Z += offset
        return Z

    def block_backward(self, i: int, D: Array) -> tuple[Array, Array]:
        """(X_Dᵀ D, Sᵀ D) for block i; `finish_grad` adds the blocks and m (1ᵀ D)."""
        blk = self.blocks[i]
        return blk.dense_T @ D, _unpad(blk.sparse.T @ _pad(D), D)

    def finish_grad(self, partials: list[tuple[Array, Array]], d_sum: Any) -> Array:
        """Σ_i Xᵢᵀ Dᵢ (dense and sparse columns) plus m (1ᵀ D)."""
        G = np.multiply.outer(self.m, d_sum)
        for dense, sparse in partials:
            G += sparse
            G[self.dense_cols] += dense
        return G


def _binary_block(Z: Array, y: Array, inv_n: float, backward: bool) -> _Part:
    """Loss sum, dL/dz (mean-scaled; None when not `backward`), correct count."""
    loss = float(np.sum(np.logaddexp(0, Z) - y * Z))
    correct = int(np.count_nonzero((Z > 0) == (y > 0.5)))
    if not backward:
        return loss, None, correct
    D = expit(Z)
    D -= y
    D *= inv_n
    return loss, D, correct


def _multinomial_block(Z: Array, Yt: Array, inv_n: float, backward: bool) -> _Part:
    """Loss sum, dL/dZ (mean-scaled; None when not `backward`), correct count.

    The softmax runs on Zᵀ (classes × rows, with Yt = Yᵀ prepared so): reductions over
    10 contiguous rows are ~5x faster than over the 10-wide rows of Z, far more than
    the two transposes cost.
    """
    Zt = np.ascontiguousarray(Z.T)
    correct = int(np.count_nonzero(Yt[Zt.argmax(axis=0), np.arange(Zt.shape[1])]))
    Zt -= Zt.max(axis=0)  # e^Z <= 1 cannot overflow
    E = np.exp(Zt)
    norm = E.sum(axis=0)
    loss = float(np.sum(np.log(norm)) - np.sum(Yt * Zt))  # Σ logsumexp - z_y
    if not backward:
        return loss, None, correct
    E /= norm
    E -= Yt
    E *= inv_n
    return loss, np.ascontiguousarray(E.T), correct


@dataclass
class _Epoch:
    loss: float
    gW: Any
    gb: Any
    accuracy: float


class FullBatchKernel:
    """Mean cross-entropy and its gradient over a fixed data set, prepared once.

    `y`: 0/1 targets (n,) for the binary model (W (d,), b scalar), or class labels (n,)
    / one-hot (n, k) for softmax (W (d, k), b (k,)). A 0/1 vector without `n_classes`
    means the binary model, so pass `binary=` or `n_classes=` for evaluation sets.
    `loss_grad(W, b)` equals `logitlab.models.losses` on the same X; `loss_accuracy` is
    the forward pass alone (for evaluation sets and line searches). X may also be a
    prepared `Design`, shared by several kernels.

    `compiled`: None uses the C kernel when it was built and applies (float32/float64,
    hard labels, at most 256 classes, no dense columns), True requires it, False uses
    SciPy's products. `dense_column` (SciPy way; default `DENSE_COLUMN`, or
    `ALL_SPARSE` for the C kernel) chooses which columns stay dense.
    """

    def __init__(
        self,
        X: Array | Design,
        y: Array,
        n_classes: int | None = None,
        *,
        binary: bool | None = None,
        n_threads: int | None = None,
        dense_column: float | None = None,
        compiled: bool | None = None,
    ) -> None:
        if compiled and _fused is None:
            raise LogitlabError(
                "logitlab's compiled kernel is not built (no C compiler at install)"
            )
        want_c = _fused is not None and compiled is not False
        if dense_column is None:
            dense_column = ALL_SPARSE if want_c else DENSE_COLUMN
        self.design = (
            X
            if isinstance(X, Design)
            else Design(
                X,
                n_threads=n_threads,
                dense_column=dense_column,
                min_block_rows=_MIN_BLOCK_ROWS_C if want_c else _MIN_BLOCK_ROWS,
            )
        )
        dtype = self.design.dtype
        y = np.asarray(y)
        if y.shape[0] != self.design.n:
            raise DataError(
                f"X has {self.design.n} rows but y has {y.shape[0]} entries"
            )
        if binary is None:  # 0/1 vector without a class count: the binary model
            binary = y.ndim == 1 and n_classes is None and bool(np.all(y <= 1))
        self.binary = binary
        if binary:
            self.Y = y.astype(dtype)
        elif y.ndim == 2:
            self.Y = y.astype(dtype)
        else:
            k = int(n_classes if n_classes is not None else y.max() + 1)
            self.Y = np.zeros((y.shape[0], k), dtype)
            self.Y[np.arange(y.shape[0]), y.astype(np.intp)] = 1
        blocks = self.design.row_blocks
        self._csr: list[_CSR] = []  # per block, the C kernel's arrays: softmax,
        self._windows: list[_Windows] = []  # or binary
        self._labels: list[Array] = []
        if want_c:
            self._compiled_form()
        self.compiled = bool(self._csr or self._windows)
        if compiled and not self.compiled:
            raise LogitlabError(
                "the compiled kernel needs float32/float64 data, hard labels, at most "
                f"{_MAX_PADDED_CLASSES} classes and no dense columns"
            )
        if self.compiled:
            self._Y_blocks = [self.Y[rows] for rows in blocks] if binary else []
        else:  # the SciPy way's softmax works on transposed blocks
            self._Y_blocks = [
                self.Y[rows] if binary else np.ascontiguousarray(self.Y[rows].T)
                for rows in blocks
            ]
        self._block = _binary_block if binary else _multinomial_block

    def _compiled_form(self) -> None:
        """The C kernel's arrays per block, when it applies to this data: CSR (indptr
        int64, indices int32, data) and int32 labels for softmax, the window form
        (`_window_form`) for the binary model."""
        design = self.design
        if design.dtype not in (np.float32, np.float64) or design.dense_cols.size:
            return
        if not self.binary:
            k, lanes = self.Y.shape[1], 64 // design.dtype.itemsize
            if -(-k // lanes) * lanes > _MAX_PADDED_CLASSES:
                return
            zero_one = np.all((self.Y == 0) | (self.Y == 1))
            if not (zero_one and np.all(self.Y.sum(axis=1) == 1)):
                return  # soft targets
        csr: list[_CSR] = [
            (
                blk.sparse.indptr.astype(np.int64),
                blk.sparse.indices.astype(np.int32, copy=False),
                np.ascontiguousarray(blk.sparse.data, design.dtype),
            )
            for blk in design.blocks
        ]
        if self.binary:
            encode = lambda i: self._window_form(*csr[i])  # noqa: E731
            self._windows = _map(encode, len(csr), design.n_threads)
            return
        hard = self.Y.argmax(axis=1)
        self._labels = [hard[rows].astype(np.int32) for rows in design.row_blocks]
        self._csr = csr

    def _window_form(self, indptr: Array, indices: Array, data: Array) -> _Windows:
        """A CSR block in the binary kernel's window form: eight-column windows of
        pixel-like codes (S = q c per column), the rest of the nonzeros as CSR."""
        assert _fused is not None
        dtype = self.design.dtype
        m, size = self.design.m, dtype.itemsize
        c, wptr, wcol, codes, rptr, rind, rval = _fused.encode_windows(
            indptr, indices, data, m, size
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

    def _epoch(self, W: Array, b: Any, backward: bool) -> _Epoch:
        if self.compiled:
            return self._compiled_epoch(W, b, backward)
        design, inv_n = self.design, 1.0 / self.design.n
        offset = design.offset(W, b)

        def run(i: int) -> tuple[float, Any, Any, int]:
            Z = design.block_logits(i, W, offset)
            loss, D, correct = self._block(Z, self._Y_blocks[i], inv_n, backward)
            if not backward:
                return loss, None, None, correct
            return loss, design.block_backward(i, D), D.sum(axis=0), correct

        parts = _map_blas1(run, len(design.blocks), design.n_threads)
        loss = sum(p[0] for p in parts) * inv_n
        accuracy = sum(p[3] for p in parts) * inv_n
        if not backward:
            return _Epoch(loss, None, None, accuracy)
        gb = parts[0][2]
        for p in parts[1:]:
            gb = gb + p[2]
        gW = design.finish_grad([p[1] for p in parts], gb)
        return _Epoch(loss, gW, gb, accuracy)

    def _compiled_epoch(self, W: Array, b: Any, backward: bool) -> _Epoch:
        """All blocks in one call to `_fused` (its own threads), each into its own
        gradient buffers, then the sums."""
        assert _fused is not None
        design, inv_n = self.design, 1.0 / self.design.n
        dtype, size = design.dtype, design.dtype.itemsize
        if self.binary:
            w = np.ascontiguousarray(W, dtype)
            offset = float(design.m @ w) + float(b)
            gs = [np.zeros(design.d, dtype) for _ in self._windows]
            blocks = [
                (*form, y, g)
                for form, y, g in zip(self._windows, self._Y_blocks, gs, strict=True)
            ]
            loss, gb, correct = _fused.binary_epoch(
                blocks, w, offset, inv_n, backward, size, design.n_threads
            )
            if not backward:
                return _Epoch(loss * inv_n, None, None, correct * inv_n)
            gw = sum(gs[1:], gs[0]) + design.m * dtype.type(gb)
            return _Epoch(loss * inv_n, gw, dtype.type(gb), correct * inv_n)
        k = W.shape[1]
        lanes = 64 // size
        kp = -(-k // lanes) * lanes
        Wp = np.zeros((design.d, kp), dtype)
        Wp[:, :k] = W
        z0 = np.full(kp, -np.inf, dtype)  # padding classes never win the maximum
        z0[:k] = design.offset(W, b)
        Gs = [np.zeros((design.d, kp), dtype) for _ in self._csr]
        gbs = [np.zeros(kp) for _ in self._csr]
        parts = zip(self._csr, self._labels, Gs, gbs, strict=True)
        loss, correct = _fused.softmax_epoch(
            [(*csr, labels, G, gb) for csr, labels, G, gb in parts],
            Wp, z0, k, kp, inv_n, backward, size, design.n_threads,
        )  # fmt: skip
        if not backward:
            return _Epoch(loss * inv_n, None, None, correct * inv_n)
        gb_sum = sum(gbs[1:], gbs[0])[:k].astype(dtype)
        gW = sum(Gs[1:], Gs[0])[:, :k] + np.multiply.outer(design.m, gb_sum)
        return _Epoch(loss * inv_n, gW, gb_sum, correct * inv_n)

    def loss_grad(self, W: Array, b: Any) -> tuple[float, Array, Any]:
        """(mean loss, dL/dW, dL/db), as `losses.binary_loss_grad` / `multinomial_…`."""
        e = self._epoch(W, b, backward=True)
        return e.loss, e.gW, e.gb

    def loss_accuracy(self, W: Array, b: Any) -> tuple[float, float]:
        """(mean cross-entropy, accuracy) from one forward pass, for evaluation sets."""
        e = self._epoch(W, b, backward=False)
        return e.loss, e.accuracy

    def loss_grad_accuracy(self, W: Array, b: Any) -> tuple[float, Array, Any, float]:
        """`loss_grad` and the accuracy, from the same pass over the data."""
        e = self._epoch(W, b, backward=True)
        return e.loss, e.gW, e.gb, e.accuracy


def single_threaded_blas() -> Any:
    """Context in which BLAS runs on one thread (small products, or our own threads)."""
    return _blas.limit(limits=1, user_api="blas")

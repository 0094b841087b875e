"""A data set held by a Dask cluster: every full-batch pass is one task per chunk.

The rows of X (a dask array, chunked by rows) stay on the workers: they are computed
once into worker memory (`client.compute` of one task per chunk, kept by the futures
this objective holds), and every pass — gradient, end-of-epoch measure, line-search
trial, eval set — sends the weights (W, b) to the cluster once, submits one task per
chunk, and adds the chunks' partial sums on the client:

    mean loss = Σ_chunks Σ_i s_i ℓ_i / Σ_i s_i      (and so the gradient, the accuracy)

The weights travel as a task of their own (`client.submit`), which each worker
fetches once per pass, rather than by `client.scatter(..., broadcast=True)`: a
broadcast to a worker that has just died fails the pass, and scattered data lost
with every worker holding it cannot be recomputed; a task can.

Each chunk's sums come from the engine's own objective (`logitlab.backends.prepare`)
on the chunk's rows, so the math is the in-memory math and only the order of the
additions differs (parity to rounding, tested to 1e-10).

Pixels may stay uint8: the per-column affine map X·scale + offset (pixels / 255, then
standardising) is applied on the workers in the dtype `scaled` was given.
Two ways to keep a chunk:
- keep="prepared": the chunk's float rows are prepared once into an engine objective
  (the compiled kernel where it pays) and kept on the worker: fastest, but the
  worker then holds the chunk in its prepared (float) form.
- keep="raw": the worker keeps the rows as given (uint8: 784 bytes a row) and scales
  and multiplies them a block of BLOCK_ROWS at a time in every pass: the float data
  is never materialised beyond one block per running task, for data sets whose float
  form does not fit in the workers' memory.

A worker that dies takes its chunks with it; the scheduler recomputes them from their
graph (the source array or the store) on the workers left and the pass finishes with
the same sums. With no worker able to run a task (allowed-failures exceeded, or
no-workers-timeout reached) the pass raises `WorkersLostError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import dask
import dask.array as da
import numpy as np
from distributed import Client, Future, KilledWorker, get_client, wait
from distributed.scheduler import NoWorkerError
from numpy.typing import NDArray

from logitlab.errors import DataError, LogitlabError
from logitlab.models.losses import Family

Array = NDArray[Any]
BLOCK_ROWS = 4096  # keep="raw": rows scaled to floats at a time in a task
KEEPS = ("prepared", "raw")


class WorkersLostError(LogitlabError, RuntimeError):
    """The cluster could not finish a pass: its workers died or none is left."""


class ChunkReadError(DataError):
    """A chunk of the data could not be computed (an unreadable store, say)."""


@dataclass(frozen=True)
class _Setup:
    """What every chunk needs besides its rows: sent once per chunk when loaded."""

    family: Family | None  # None until the objective knows it
    dtype: np.dtype[Any]
    scale: Array | None  # per column, or None for 1
    offset: Array | None  # per column, or None for 0
    keep: str
    n_jobs: int | None = None  # threads of a prepared chunk (None: the worker's)


@dataclass
class _Chunk:
    """One chunk as a worker keeps it: raw rows, or prepared objectives by block."""

    setup: _Setup
    weight: float  # Σ s_i over the chunk's rows
    rows: list[tuple[Any, Any, Any]]  # keep="raw": (X, labels, sample_weight)
    prepared: list[tuple[Any, float]]  # keep="prepared": (objective, Σ s_i)


def _features(setup: _Setup, X: Array) -> Array:
    """X·scale + offset in the setup's dtype, in place on one converted copy (or X
    itself when it is already the right floats and nothing is to be scaled)."""
    if setup.scale is None and setup.offset is None:
        return np.ascontiguousarray(X, dtype=setup.dtype)
    F = np.array(X, dtype=setup.dtype, order="C")
    if setup.scale is not None:
        F *= setup.scale
    if setup.offset is not None:
        F += setup.offset
    return F


def _scale_block(X: Array, setup: _Setup) -> Array:
    return _features(setup, X)  # map_blocks passes the block first


def _prepare_rows(setup: _Setup, X: Array, labels: Array, s: Array | None) -> Any:
    """The engine's objective for these rows (imported on the worker)."""
    from distributed import get_worker

    from logitlab.backends import prepare

    assert setup.family is not None  # set by DaskObjective before any chunk loads
    features = _features(setup, X)
    if setup.keep == "raw":
        return prepare(setup.family, features, labels, sample_weight=s, backend="numpy")
    n_jobs = setup.n_jobs if setup.n_jobs is not None else get_worker().state.nthreads
    return prepare(setup.family, features, labels, sample_weight=s, n_jobs=n_jobs)


def _load_chunk(setup: _Setup, X: Array, labels: Array, s: Array | None) -> _Chunk:
    """Runs on a worker: the chunk in the form `setup.keep` asks for."""
    labels = np.asarray(labels, dtype=np.intp)
    weight = float(len(labels) if s is None else np.sum(s, dtype=np.float64))
    if setup.keep == "prepared":
        return _Chunk(setup, weight, [], [(_prepare_rows(setup, X, labels, s), weight)])
    return _Chunk(setup, weight, [(X, labels, s)], [])


def _objectives(chunk: _Chunk) -> Any:
    """(objective, Σ s_i) per block: the kept ones, or made block by block."""
    yield from chunk.prepared
    for X, labels, s in chunk.rows:
        for start in range(0, len(labels), BLOCK_ROWS):
            rows = slice(start, start + BLOCK_ROWS)
            w = None if s is None else s[rows]
            weight = float(len(labels[rows]) if w is None else np.sum(w))
            yield _prepare_rows(chunk.setup, X[rows], labels[rows], w), weight


def _chunk_sums(chunk: _Chunk, weights: tuple[Array, Any], what: str) -> list[Any]:
    """Runs on a worker: the chunk's weighted sums of what `what` asks for."""
    W, b = weights
    totals: list[Any] | None = None
    for objective, weight in _objectives(chunk):
        if weight == 0:
            continue
        values = getattr(objective, what)(W, b)  # means over the block
        sums = [weight * np.asarray(v, dtype=np.float64) for v in values]
        totals = (
            sums
            if totals is None
            else [t + v for t, v in zip(totals, sums, strict=True)]
        )
    return totals if totals is not None else []


class DaskObjective:
    """The `Objective` of a data set given as dask arrays (see the module docstring).

    Parameters
    ----------
    family : models.losses.BINARY or MULTINOMIAL.
    X : dask array (n, d), chunked by rows (column chunks are merged), any real dtype.
    labels : class indices (n,), dask or NumPy.
    sample_weight : (n,) weights, dask or NumPy, or None.
        (X made by `scaled` brings its dtype, scaling and `keep`; any other is
        converted to float64 unless float, and each chunk prepared once.)
    n_jobs : threads of each prepared chunk's kernel [default: the worker's threads].
    client : the `distributed.Client`; default: the current one.
    """

    def __init__(
        self,
        family: Family,
        X: da.Array,
        labels: Any,
        *,
        sample_weight: Any = None,
        n_jobs: int | None = None,
        client: Client | None = None,
    ) -> None:
        self.n_samples = int(X.shape[0])
        self._client = client if client is not None else current_client()
        X, setup = _source(X)
        setup = replace(setup, family=family, n_jobs=n_jobs)
        self._chunks = self._load(setup, X, labels, sample_weight)
        sizes = self._client.gather(
            [self._client.submit(_chunk_weight, c) for c in self._chunks]
        )
        self._weight = float(np.sum(sizes))
        if not self._weight > 0:
            raise DataError("the sample weights add up to zero")

    def _load(
        self, setup: _Setup, X: da.Array, labels: Any, sample_weight: Any
    ) -> list[Future]:
        """One future per chunk, its rows held in a worker's memory."""
        if X.ndim != 2:
            raise DataError(f"X must be 2-D rows, not a {X.ndim}-D dask array")
        X = X.rechunk({1: -1}) if X.numblocks[1] > 1 else X
        parts = [_row_chunks(labels, X.chunks[0])]
        if sample_weight is not None:
            parts.append(_row_chunks(sample_weight, X.chunks[0]))
        blocks = [X.to_delayed()[:, 0], *(p.to_delayed() for p in parts)]
        tasks = [
            dask.delayed(_load_chunk, pure=False)(setup, x, y, w[0] if w else None)
            for x, y, *w in zip(*blocks, strict=True)
        ]
        futures = self._client.compute(tasks)
        wait(futures)
        for i, future in enumerate(futures):
            if future.status == "error":
                raise ChunkReadError(
                    f"chunk {i} of the data cannot be read: {future.exception()}"
                )
        return list(futures)

    def _sums(self, what: str, W: Array, b: Any) -> list[Any]:
        """One pass: the weights to every worker once, a task per chunk, sums here."""
        client = self._client
        try:
            # the weights as a task of their own (not `scatter`): each worker fetches
            # its copy once per pass, and a copy lost with a worker is recomputable
            weights = client.submit(_weights, W, b, pure=False)
            tasks = [
                client.submit(_chunk_sums, c, weights, what, pure=False)
                for c in self._chunks
            ]
            parts = [p for p in client.gather(tasks) if p]
        except (KilledWorker, NoWorkerError) as exc:
            raise WorkersLostError(
                f"the Dask cluster cannot run the pass: {exc}".rstrip(".")
                + "; the fit stopped"
            ) from None
        totals = [np.sum([p[i] for p in parts], axis=0) for i in range(len(parts[0]))]
        return [t / self._weight for t in totals]

    def loss_grad(self, W: Array, b: Any) -> tuple[float, Array, Any]:
        loss, gW, gb = self._sums("loss_grad", W, b)
        return float(loss), _like(gW, W), _like(gb, b)

    def loss_accuracy(self, W: Array, b: Any) -> tuple[float, float]:
        loss, accuracy = self._sums("loss_accuracy", W, b)
        return float(loss), float(accuracy)

    def loss_grad_accuracy(self, W: Array, b: Any) -> tuple[float, Array, Any, float]:
        loss, gW, gb, accuracy = self._sums("loss_grad_accuracy", W, b)
        return float(loss), _like(gW, W), _like(gb, b), float(accuracy)


def _weights(W: Array, b: Any) -> tuple[Array, Any]:
    return W, b


def _chunk_weight(chunk: _Chunk) -> float:
    return chunk.weight


def _like(value: Array, reference: Any) -> Any:
    """A client-side sum in the weights' dtype and shape (a scalar b stays one)."""
    dtype = np.asarray(reference).dtype
    if np.ndim(reference) == 0:
        return dtype.type(value)
    return np.asarray(value, dtype=dtype)


def _column(values: Array | None, dtype: Any) -> Array | None:
    return None if values is None else np.asarray(values, dtype=dtype).reshape(-1)


def _row_chunks(values: Any, chunks: Sequence[int]) -> da.Array:
    """A 1-D NumPy or dask array chunked like X's rows."""
    array = values if is_dask_array(values) else da.from_array(np.asarray(values))
    if array.ndim != 1 or array.shape[0] != sum(chunks):
        raise DataError(
            f"labels and weights must be 1-D with {sum(chunks)} rows like X, "
            f"not of shape {array.shape}"
        )
    return array.rechunk((tuple(chunks),))


def is_dask_array(X: Any) -> bool:
    """Whether X is a dask array (without importing dask for other inputs)."""
    return isinstance(X, da.Array)


def current_client() -> Client:
    """The active `distributed.Client`, or a LogitlabError saying how to start one."""
    try:
        return get_client()
    except ValueError:
        raise LogitlabError(
            "dask arrays are trained on a Dask cluster: start one first, e.g. "
            "`from distributed import Client; client = Client()`"
        ) from None


def scaled(
    X: da.Array,
    scale: Any = None,
    offset: Any = None,
    *,
    dtype: Any = np.float64,
    keep: str = "raw",
) -> da.Array:
    """X · scale + offset per column, lazily, as the Dask backend should train on it.

    The result is an ordinary dask array of floats (computing it gives the scaled
    rows); handed to `prepare` (or to an estimator's fit) it is recognised, and the
    workers keep X's own chunks (uint8 pixels, say) and scale them block by block in
    every pass with keep="raw", or prepare each chunk's floats once with
    keep="prepared" (see the module docstring).
    """
    if keep not in KEEPS:
        raise ValueError(f"keep must be one of {KEEPS}, not {keep!r}")
    dtype = np.dtype(dtype)
    setup = _Setup(None, dtype, _column(scale, dtype), _column(offset, dtype), keep)
    meta = np.empty((0, 0), dtype)
    result = X.map_blocks(_scale_block, setup, dtype=dtype, meta=meta)  # type: ignore[arg-type]
    result._logitlab_source = (X, setup)
    return result


def _source(X: da.Array) -> tuple[da.Array, _Setup]:
    """(the rows the workers keep, how to scale them) for a dask array X."""
    found = getattr(X, "_logitlab_source", None)
    if found is not None:
        return found
    dtype = np.dtype(X.dtype if X.dtype.kind == "f" else np.float64)
    return X, _Setup(None, dtype, None, None, "prepared")


def prepare(
    family: Family,
    X: da.Array,
    labels: Any,
    *,
    sample_weight: Any = None,
    n_jobs: int | None = None,
) -> DaskObjective:
    """`logitlab.backends.prepare(..., backend="dask")`: the DaskObjective of X."""
    return DaskObjective(family, X, labels, sample_weight=sample_weight, n_jobs=n_jobs)

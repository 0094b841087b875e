"""Data backends: the data set as the optimiser sees it, behind one small interface.

`prepare(family, X, labels, ...)` returns an `Objective`: the mean data loss
Σ s_i ℓ_i / Σ s_i, its gradient and the accuracy at (W, b), prepared once per fit
(or per evaluation set). Implementations:

- "numpy" (`logitlab.backends.reference`): the plain products on dense or
  scipy.sparse X, with sample weights; always there, the one the tests trust.
- "compiled" (`logitlab.backends.compiled`): the C kernel over a sparse form of X
  prepared once, threads by OpenMP; optional (built when a C compiler is present at
  install, switched off by the environment variable LOGITLAB_COMPILED=0).
- "dask": dask arrays (`logitlab.backends.dask`, when installed).

"auto" picks dask for dask arrays, the compiled kernel when it is built, applies and
is worth preparing, else NumPy.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

from numpy.typing import NDArray

from logitlab.backends.reference import ReferenceObjective
from logitlab.errors import LogitlabError
from logitlab.models.losses import Family

Array = NDArray[Any]
BACKENDS = ("auto", "numpy", "compiled", "dask")


class Objective(Protocol):
    """A data set as the optimiser sees it, prepared once per fit (or per eval set).

    W is (d,) with a scalar b for the binary family, (d, k) with b (k,) for the
    multinomial one; gradients have the shapes of W and b.
    """

    n_samples: int

    def loss_grad(self, W: Array, b: Any) -> tuple[float, Array, Any]:
        """Mean data loss Σ s_i ℓ_i / Σ s_i and its gradient (dW, db)."""
        ...

    def loss_accuracy(self, W: Array, b: Any) -> tuple[float, float]:
        """The same mean loss and the (weighted) accuracy, forward pass only."""
        ...

    def loss_grad_accuracy(self, W: Array, b: Any) -> tuple[float, Array, Any, float]:
        """Both in one pass (the end-of-epoch measure that yields the next gradient)."""
        ...


def _is_dask(X: Any) -> bool:
    return type(X).__module__.split(".")[0] == "dask"


def prepare(
    family: Family,
    X: Any,
    labels: Array,
    *,
    sample_weight: Array | None = None,
    backend: str = "auto",
    n_jobs: int | None = None,
) -> Objective:
    """The `Objective` of `family` (`models.losses.BINARY` / `MULTINOMIAL`) on X.

    Parameters
    ----------
    X : ndarray (float32/float64), scipy.sparse (CSR/CSC) or dask array (n, d)
        Features, already scaled by the caller.
    labels : ndarray (n,)
        Class indices (0/1 for the binary family).
    sample_weight : ndarray (n,), optional
        Non-negative weights s_i; the loss is Σ s_i ℓ_i / Σ s_i.
    backend : {"auto", "numpy", "compiled", "dask"}
        Which implementation; "auto" chooses (see the module docstring).
    n_jobs : int, optional
        Threads of the compiled kernel: None as many as OpenMP allows (threadpoolctl,
        OMP_NUM_THREADS), -1 all cores, n > 0 exactly n.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "dask" or (backend == "auto" and _is_dask(X)):
        try:
            dask_backend = importlib.import_module("logitlab.backends.dask")
        except ImportError as e:
            raise LogitlabError(f"the dask backend is not available ({e})") from e
        return dask_backend.prepare(
            family, X, labels, sample_weight=sample_weight, n_jobs=n_jobs
        )
    from logitlab.backends import compiled

    if backend == "compiled" or (
        backend == "auto" and compiled.worth_it(X, sample_weight)
    ):
        return compiled.CompiledObjective(
            family, X, labels, sample_weight=sample_weight, n_jobs=n_jobs
        )
    return ReferenceObjective(family, X, labels, sample_weight)


__all__ = ["BACKENDS", "Objective", "ReferenceObjective", "prepare"]

"""How many threads a backend runs: `n_jobs` as scikit-learn and joblib read it."""

from __future__ import annotations

import os
from contextlib import nullcontext
from functools import cache
from typing import Any

from threadpoolctl import ThreadpoolController


@cache
def _controller() -> ThreadpoolController:
    """The thread pools loaded by the first fit (not at import: SciPy's own BLAS
    may load later than this module, and a controller sees only what is loaded)."""
    return ThreadpoolController()


def n_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def threads_for(n_jobs: int | None) -> int:
    """Threads for `n_jobs`: 0 for None (the libraries' own default, which
    threadpoolctl and OMP_NUM_THREADS / OPENBLAS_NUM_THREADS set), all cores for -1,
    cores + 1 + n_jobs for other negatives (joblib's convention), else n_jobs."""
    if n_jobs is None:
        return 0
    if n_jobs == 0:
        raise ValueError("n_jobs must be a positive number of threads, -1 or None")
    return n_jobs if n_jobs > 0 else max(1, n_cores() + 1 + n_jobs)


def blas_threads(threads: int) -> Any:
    """Context in which BLAS runs on `threads` threads (0: leave it as it is)."""
    if threads == 0:
        return nullcontext()
    return _controller().limit(limits=threads, user_api="blas")

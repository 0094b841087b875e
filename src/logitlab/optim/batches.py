"""Which rows each step sees: full batch (None), mini-batches of k, or SGD (k = 1)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray


def iter_batches(
    n_samples: int,
    batch_size: int | None,
    rng: np.random.Generator,
    *,
    shuffle: bool = True,
) -> Iterator[NDArray[np.intp] | None]:
    """Yield the row indices of each step of one epoch; `None` means all rows.

    Mini-batches come from a fresh permutation each epoch (drawn from `rng`, so a seeded
    run is reproducible), or in row order with `shuffle=False`; the last batch is
    smaller when k does not divide n.
    """
    if batch_size is None or batch_size >= n_samples:
        yield None
        return
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    for start in range(0, n_samples, batch_size):
        yield order[start : start + batch_size]


def n_batches(n_samples: int, batch_size: int | None) -> int:
    """Number of steps per epoch."""
    if batch_size is None or batch_size >= n_samples:
        return 1
    return -(-n_samples // batch_size)

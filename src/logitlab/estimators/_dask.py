"""Dask arrays given to `fit`: checked and labelled lazily, never pulled into memory.

scikit-learn's `validate_data` would compute a dask array whole on the client; for
dask input the estimators instead check shapes, find the classes (a small reduction
on the cluster) and map labels to class indices chunk by chunk. The full-batch passes
then run on the cluster (`logitlab.backends.dask`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray


def is_dask(X: Any) -> bool:
    """Whether X is a dask collection (no dask import for other inputs)."""
    return type(X).__module__.split(".")[0] == "dask"


def fit_inputs(X: Any, y: Any) -> tuple[Any, NDArray[Any], Any]:
    """(X, classes, class indices as a lazy dask array) for a dask X and labels y."""
    import dask.array as da

    if X.ndim != 2:
        raise ValueError(f"Expected 2D array, got a {X.ndim}-D dask array instead")
    if not is_dask(y):
        y = da.from_array(np.asarray(y), chunks=(X.chunks[0],))
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must be 1-D with one label per row of X ({X.shape[0]}), "
            f"not of shape {y.shape}"
        )
    classes = np.unique(da.unique(y).compute())
    return X, classes, class_index(classes, y)


def class_index(classes: NDArray[Any], y: Any) -> Any:
    """Class indices of dask labels y (all of which must be among `classes`)."""
    import dask.array as da

    if not is_dask(y):
        y = da.from_array(np.asarray(y))
    unknown = sorted(set(np.unique(da.unique(y).compute()).tolist()) - set(classes))
    if unknown:
        raise ValueError(f"eval_set labels {unknown} are not among the classes in y")
    return y.map_blocks(_searchsorted, classes, dtype=np.intp)


def _searchsorted(y: NDArray[Any], classes: NDArray[Any]) -> NDArray[np.intp]:
    return np.searchsorted(classes, y).astype(np.intp)


def check_options(estimator: Any) -> None:
    """Refuse the options a dask fit cannot honour without pulling the data in."""
    if estimator.batch_size is not None:
        raise ValueError(
            "dask arrays are trained full batch (batch_size=None); for mini-batches "
            "over chunks, call partial_fit on each chunk"
        )
    if getattr(estimator, "class_weight", None) is not None:
        raise ValueError(
            "class_weight is not supported with dask arrays; pass sample_weight"
        )

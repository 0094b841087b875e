"""Digit stores on disk: chunked Zarr groups of uint8 images (n, 784) and labels (n,).

`augmented_store_arrays` describes N augmented digits as dask arrays, one task per
chunk (nothing is computed yet); `write_store` writes such arrays into a new store,
chunk by chunk on whichever Dask scheduler is active (a `distributed.Client` if one
is), into a temporary folder renamed into place only when every chunk is written.
`open_store` reads one back as dask arrays after checking that it is one: a store
that is missing, truncated or of the wrong shape or dtype is one `DataError` naming it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dask
import dask.array as da
import numpy as np
import zarr
from numpy.typing import NDArray

from logitlab.data.augment import augmented_labels, augmented_rows
from logitlab.errors import DataError

N_PIXELS = 784
FORMAT = "logitlab digit store 1"  # the group's "format" attribute
Source = Callable[[], tuple[NDArray[np.uint8], NDArray[Any]]]  # -> (images, labels)


def augmented_store_arrays(
    source: Source, n: int, *, seed: int, chunk_rows: int = 20_000
) -> tuple[da.Array, da.Array]:
    """N deformed digits (uint8 (n, 784)) and their labels, lazily, chunk by chunk.

    `source()` returns the digits to deform, images (m, 28, 28) and labels (m,); it
    runs once on a worker (and again only if that worker's copy is lost), so the
    client never ships the training set inside the task graph.
    """
    digits = dask.delayed(source, pure=True)()
    starts = range(0, n, chunk_rows)
    images, labels = [], []
    for start in starts:
        stop = min(start + chunk_rows, n)
        rows = dask.delayed(augmented_rows, pure=True)(digits[0], start, stop, seed)
        kept = dask.delayed(augmented_labels, pure=True)(digits[1], start, stop)
        images.append(da.from_delayed(rows, (stop - start, N_PIXELS), np.uint8))
        labels.append(da.from_delayed(kept, (stop - start,), np.uint8))
    return da.concatenate(images), da.concatenate(labels)


def dataset_arrays(
    dataset: str,
    mnist_dir: str | os.PathLike[str] | None,
    split: str = "train",
    chunk_rows: int = 10_000,
) -> tuple[da.Array, da.Array]:
    """A split of the canonical dataset as dask arrays: uint8 (n, 784) and labels.

    Each chunk is read on a worker from the dataset cache (`load_dataset`), so the
    client never ships the images in the task graph, and a lost chunk is read again.
    """
    from logitlab.data.mnist import load_dataset

    n = len(getattr(load_dataset(dataset, mnist_dir=mnist_dir), f"{split}_labels"))
    images, labels = [], []
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        rows = dask.delayed(_split_rows, pure=True)(
            dataset, mnist_dir, split, start, stop
        )
        images.append(da.from_delayed(rows[0], (stop - start, N_PIXELS), np.uint8))
        labels.append(da.from_delayed(rows[1], (stop - start,), np.uint8))
    return da.concatenate(images), da.concatenate(labels)


def _split_rows(
    dataset: str,
    mnist_dir: str | os.PathLike[str] | None,
    split: str,
    start: int,
    stop: int,
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Runs on a worker: rows [start, stop) of a split, flattened, and their labels."""
    from logitlab.data.mnist import load_dataset

    ds = load_dataset(dataset, mnist_dir=mnist_dir)
    images = getattr(ds, f"{split}_images")[start:stop]
    labels = getattr(ds, f"{split}_labels")[start:stop]
    return np.array(images.reshape(len(images), -1)), np.array(labels)


def write_store(
    images: da.Array,
    labels: da.Array,
    out: str | os.PathLike[str],
    attrs: dict[str, Any],
    run: Callable[[list[Any]], None] = dask.compute,
) -> None:
    """Write images and labels as a new Zarr store at `out`, all or nothing.

    One write task per chunk (`da.store` into the chunk's own region, so no locks);
    `run` computes the list of them (default `dask.compute`; the CLI passes one that
    shows progress). `out` must not exist; it appears only once the store is whole.
    """
    out = Path(out)
    if out.exists():
        raise DataError(f"{out}: already exists; choose another name or remove it")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        group = zarr.open_group(str(tmp), mode="w")
        group.attrs.update({"format": FORMAT, **attrs})
        writes = []
        for name, array in (("images", images), ("labels", labels)):
            target: Any = group.create_array(
                name,
                shape=array.shape,
                chunks=tuple(c[0] for c in array.chunks),
                dtype=array.dtype,
            )
            starts = np.cumsum((0, *array.chunks[0]))
            for i, (start, stop) in enumerate(itertools.pairwise(starts)):
                block: Any = array.blocks[i]
                region = (slice(int(start), int(stop)),)
                writes.append(
                    da.store(block, target, regions=region, lock=False, compute=False)
                )
        run(writes)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def open_store(path: str | os.PathLike[str]) -> tuple[da.Array, da.Array]:
    """(images uint8 (n, 784), labels (n,)) of a digit store, as dask arrays."""
    name = os.fspath(path)
    if not Path(name).is_dir():
        raise DataError(
            f"{name}: no digit store there (make one with `logitlab data augment`)"
        )
    try:
        group = zarr.open_group(name, mode="r")
        images, labels = group["images"], group["labels"]
    except Exception as exc:  # zarr raises several kinds for a folder that is not one
        raise DataError(
            f"{name}: not a digit store (no Zarr images and labels arrays: {exc})"
        ) from None
    _check(name, images, labels)
    X = da.from_zarr(images)
    y = da.from_zarr(labels).rechunk((X.chunks[0],))
    return X, y


def _check(name: str, images: Any, labels: Any) -> None:
    """One DataError for the first way images/labels are not a complete digit store."""
    shape, dtype = tuple(images.shape), np.dtype(images.dtype)
    if len(shape) != 2 or shape[1] != N_PIXELS or dtype != np.uint8:
        raise DataError(
            f"{name}: images are {dtype} {shape}, expected uint8 (n, {N_PIXELS})"
        )
    if tuple(labels.shape) != shape[:1] or np.dtype(labels.dtype).kind not in "iu":
        raise DataError(
            f"{name}: labels are {np.dtype(labels.dtype)} {tuple(labels.shape)}, "
            f"expected integers ({shape[0]},)"
        )
    for what, array in (("images", images), ("labels", labels)):
        missing = array.nchunks - array.nchunks_initialized
        if missing:
            raise DataError(
                f"{name}: truncated: {missing} of {array.nchunks} {what} chunks "
                "are missing"
            )

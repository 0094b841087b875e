"""`logitlab page MODEL.h5 --out FILE.html`: the model, live, in one HTML file.

Any model file `train` or `homework` wrote (binary or ten classes), or a guide-layout
file with only `w` and `b`. The page needs no network: open it from disk, draw a
digit, and watch the model's input, probabilities and pixel contributions change.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from logitlab.cli import app
from logitlab.cli._common import (
    class_names,
    load_checked_model,
    model_digits,
    task_kind,
)
from logitlab.cli.options import model_digits_option

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

EXAMPLES = """\b
Examples:
  logitlab page runs/all/model.h5 --out model.html
  logitlab page submission.h5 --digits 3 8 --samples 0 --out submission.html"""


@app.command(epilog=EXAMPLES)
@click.argument("model", type=click.Path(path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The HTML file to write.",
)
@model_digits_option
@click.option(
    "--samples",
    type=click.IntRange(0, 500),
    default=40,
    show_default=True,
    help="Test images shipped in the page (0: none, and no data set is read).",
)
def page(model: Path, out: Path, digits: tuple[int, int] | None, samples: int) -> None:
    """Write a page where you draw a digit and watch MODEL classify it."""
    from logitlab.html import model_spec, write_model_page

    est = load_checked_model(model)
    task_digits = model_digits(est, digits)
    kind = task_kind(est, task_digits, model)
    dataset = est.metadata_.get("dataset") or "mnist"
    names = class_names(dataset, kind, task_digits)
    images, labels = _test_samples(dataset, kind, task_digits, samples)
    spec = model_spec(
        est, est.preprocessing_, names, images, [names[k] for k in labels]
    )
    write_model_page(
        out,
        spec,
        title=f"{model.name}: draw a digit, watch the model decide",
        about=_about(est, model, names),
    )
    click.echo(f"wrote {out}")


def _test_samples(
    dataset: str, kind: str, digits: tuple[int, ...], n: int
) -> tuple[NDArray[np.uint8], NDArray[np.intp]]:
    """`n` test images of the model's task drawn at random (seed 0), with labels."""
    import numpy as np

    from logitlab.data import load_dataset

    if n == 0:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.intp)
    split = load_dataset(dataset)
    y = np.asarray(split.test_labels)
    if kind == "ovr":
        keep, labels = np.arange(len(y)), (y == digits[0]).astype(np.intp)
    else:
        keep = np.flatnonzero(np.isin(y, digits))
        labels = (
            np.searchsorted(np.asarray(digits), y[keep]) if kind == "pair" else y[keep]
        )
    pick = np.random.default_rng(0).choice(
        len(keep), size=min(n, len(keep)), replace=False
    )
    return np.asarray(split.test_images[keep[pick]]), np.asarray(labels[pick], np.intp)


def _about(est: Any, path: Path, names: list[str]) -> dict[str, str]:
    meta = est.metadata_
    return {
        "File": str(path),
        "Model": f"{type(est).__name__}, classes {', '.join(names)}",
        "Data set": meta.get("dataset") or "not stated in the file (MNIST assumed)",
        "Preprocessing": _describe(est.preprocessing_),
        "Written by": f"logitlab {meta['logitlab_version']}"
        if meta.get("logitlab_version")
        else "not stated (a guide-layout file)",
    }


def _describe(pre: Any) -> str:
    text = f"pixels × {pre.pixel_scale:.6g}"
    if pre.mean is not None:
        text += ", minus the training mean"
    if pre.scale is not None:
        text += ", divided by the training standard deviation (StandardScaler)"
    return text

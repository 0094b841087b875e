"""`logitlab predict MODEL.h5 IMAGE...`: classify photos or scans of handwritten digits.

    $ logitlab predict runs/all/model.h5 my_seven.jpg scan_of_a_three.png

Each image (PNG, JPEG, ...; any size; dark ink on light paper or light on dark) is
brought to MNIST's format first — grey, 20×20 box, centred by centre of mass in 28×28 —
because that is the only kind of image the model has seen.
"""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from logitlab.cli import app
from logitlab.cli._common import (
    class_names,
    load_checked_model,
    model_digits,
    task_kind,
    to_json,
)
from logitlab.data.digit_images import load_digit_image


@app.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--digits",
    nargs=2,
    type=click.IntRange(0, 9),
    default=None,
    help="Classes of labels 0 and 1, for a file that does not say [default: the "
    "file's, else 0 1].",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def predict(
    model: Path, images: tuple[Path, ...], digits: tuple[int, int] | None, as_json: bool
) -> None:
    """Predicted class and its probability for each image."""
    est = load_checked_model(model)
    task_digits = model_digits(est, digits)
    names = class_names(
        est.metadata_.get("dataset") or "mnist",
        task_kind(est, task_digits, model),
        task_digits,
    )
    pixels = np.stack([load_digit_image(path) for path in images])  # (n, 28, 28)
    proba = est.predict_proba(est.preprocessing_.transform(pixels))  # (n, n_classes)
    best = proba.argmax(axis=1)
    rows = [
        {
            "file": str(path),
            "label": int(est.classes_[k]),
            "class": names[k],
            "confidence": float(proba[i, k]),
            "probabilities": [float(p) for p in proba[i]],
        }
        for i, (path, k) in enumerate(zip(images, best, strict=True))
    ]
    if as_json:
        click.echo(to_json(rows))
        return
    width = max(len(r["file"]) for r in rows)
    for r in rows:
        click.echo(f"{r['file']:<{width}}  {r['class']}  {r['confidence']:.4f}")

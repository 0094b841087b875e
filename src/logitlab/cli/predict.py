"""`logitlab predict MODEL.h5 IMAGE...`: classify photos or scans of handwritten digits.

Each image (PNG, JPEG, ...; any size; dark ink on light paper or light on dark) is
brought to MNIST's format first — grey, 20×20 box, centred by centre of mass in 28×28 —
because that is the only kind of image the model has seen.
"""

from __future__ import annotations

from pathlib import Path

import click

from logitlab.cli import app
from logitlab.cli._common import (
    class_names,
    load_checked_model,
    model_digits,
    task_kind,
    to_json,
)
from logitlab.cli.options import json_option, model_digits_option

EXAMPLES = """\b
Examples:
  logitlab predict runs/all/model.h5 my_seven.jpg scan_of_a_three.png
  logitlab predict runs/2v3/model.h5 *.png --json"""


@app.command(epilog=EXAMPLES)
@click.argument("model", type=click.Path(path_type=Path))
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@model_digits_option
@json_option
def predict(
    model: Path, images: tuple[Path, ...], digits: tuple[int, int] | None, as_json: bool
) -> None:
    """Predicted class and its probability for each image.

    MODEL is a model file from `train` or `homework`; IMAGES are PNG, JPEG, ... files.
    """
    import numpy as np

    from logitlab.data.digit_images import load_digit_image

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
            "predicted": names[k],  # a class name, as metrics.json's "predicted"
            "confidence": float(proba[i, k]),
            "probabilities": dict(zip(names, proba[i].tolist(), strict=True)),
        }
        for i, (path, k) in enumerate(zip(images, best, strict=True))
    ]
    if as_json:
        result = {"schema_version": 1, "model": str(model), "class_names": names}
        click.echo(to_json({**result, "predictions": rows}))
        return
    width = max(len(r["file"]) for r in rows)
    for r in rows:
        click.echo(f"{r['file']:<{width}}  {r['predicted']}  {r['confidence']:.4f}")

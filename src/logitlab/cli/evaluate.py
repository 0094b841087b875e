"""`logitlab evaluate MODEL.h5`: a saved model's metrics on its task's test set.

Works on files from `logitlab train`/`homework` (they carry dataset, classes and
preprocessing) and on a file in the guide's layout written by anyone (only `w` and
`b`): then the flags say which digits it separates and what pixel preprocessing it
expects, as an instructor grading submissions would need.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from logitlab.cli import Number, app
from logitlab.cli._common import (
    class_names,
    load_checked_model,
    model_digits,
    task_kind,
    to_json,
)
from logitlab.cli.options import (
    dataset_options,
    format_option,
    json_option,
    model_digits_option,
)

if TYPE_CHECKING:
    from logitlab.data.tasks import Task
    from logitlab.persistence import Preprocessing

EXAMPLES = """\b
Examples:
  logitlab evaluate runs/2v3/model.h5
  logitlab evaluate submission.h5 --digits 0 1 --standardize-from-train --json
  logitlab evaluate runs/all/model.h5 --plots-dir figs --format svg"""

METRICS = ("accuracy", "precision", "recall", "f1", "log_loss", "roc_auc")


@app.command(epilog=EXAMPLES)
@click.argument("model", type=click.Path(path_type=Path))
@dataset_options
@model_digits_option
@click.option(
    "--pixel-scale",
    type=Number(min=0, min_open=True),
    default=None,
    help="Multiply raw pixels (0..255) by this [default: the file's, else 1/255].",
)
@click.option(
    "--standardize-from-train",
    is_flag=True,
    help="Standardise with a StandardScaler fitted on the task's training set, as "
    "the homework does (overrides the file's scaler).",
)
@click.option(
    "--n-test",
    type=click.IntRange(min=1),
    default=None,
    help="Use the first N test images (before keeping the task's classes).",
)
@json_option
@click.option(
    "--plots-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write the confusion matrix figure into this folder.",
)
@format_option
def evaluate(
    model: Path,
    dataset: str,
    dataset_dir: Path | None,
    digits: tuple[int, int] | None,
    pixel_scale: float | None,
    standardize_from_train: bool,
    n_test: int | None,
    as_json: bool,
    plots_dir: Path | None,
    figure_format: str,
) -> None:
    """Accuracy, precision, recall, F1, log loss, ROC AUC and the confusion matrix.

    MODEL is a model file from `train` or `homework`, or any HDF5 file in the guide's
    layout (datasets `w` and `b`; `W` and `b` for ten classes).
    """
    from logitlab.data import load_dataset
    from logitlab.data.tasks import make_task
    from logitlab.evaluation import binary_summary, confusion, multiclass_summary

    est = load_checked_model(model)
    task_digits = model_digits(est, digits)
    kind = task_kind(est, task_digits, model)
    ctx = click.get_current_context()
    if ctx.get_parameter_source("dataset") == click.core.ParameterSource.DEFAULT:
        dataset = est.metadata_.get("dataset") or dataset
    ds = load_dataset(dataset, mnist_dir=dataset_dir)
    task = make_task(
        ds, kind, None if kind == "multiclass" else task_digits, n_test=n_test
    )
    pre = _preprocessing(est.preprocessing_, task, pixel_scale, standardize_from_train)
    proba = est.predict_proba(pre.transform(task.images_test))  # (n, n_classes)
    y, y_pred = task.y_test, proba.argmax(axis=1)
    if kind == "multiclass":
        summary = multiclass_summary(y, proba)
    else:
        summary = binary_summary(y, proba[:, 1])
    names = class_names(dataset, kind, task_digits)
    matrix = confusion(y, y_pred, len(names))
    if plots_dir is not None:
        _write_figure(y, y_pred, names, plots_dir, figure_format, model, dataset)

    result = {
        "schema_version": 1,
        "model": str(model),
        "dataset": dataset,
        "task": kind,
        "digits": list(task_digits),
        "class_names": names,
        "n_test": len(y),
        "preprocessing": _describe(pre),
        "metrics": {k: summary[k] for k in METRICS},
        "confusion_matrix": matrix,
    }
    if as_json:
        click.echo(to_json(result))
        return
    click.echo(
        f"{model}: {type(est).__name__} on {dataset} ({kind}: {', '.join(names)}), "
        f"{len(y)} test images; preprocessing: {result['preprocessing']}"
    )
    for key in METRICS:
        click.echo(f"  {key:<10} {summary[key]:.4f}")
    click.echo("confusion matrix (rows: true class, columns: predicted):")
    click.echo(_table(matrix, names))


def _write_figure(
    y: Any, y_pred: Any, names: list[str], folder: Path, fmt: str, model: Path, ds: str
) -> None:
    from logitlab._atomic import output_transaction
    from logitlab.plots.confusion import confusion_matrix_figure

    fig = confusion_matrix_figure(
        y, y_pred, names, title=f"{model.name} on the {ds} test set"
    )
    with output_transaction(folder) as tx:
        fig.savefig(tx.path(f"confusion_matrix.{fmt}"), dpi=120, format=fmt)


def _preprocessing(
    stored: Preprocessing,
    task: Task,
    pixel_scale: float | None,
    from_train: bool,
) -> Preprocessing:
    """The file's preprocessing, with what the flags say replacing it."""
    from sklearn.preprocessing import StandardScaler

    from logitlab.persistence import Preprocessing

    scale = stored.pixel_scale if pixel_scale is None else pixel_scale
    if from_train:
        # task.X_train is pixels / 255; the homework fits its scaler on exactly that
        scaler = StandardScaler().fit(task.X_train * (scale * 255.0))
        return Preprocessing.from_scaler(scaler, pixel_scale=scale)
    return Preprocessing(scale, stored.mean, stored.scale)


def _describe(pre: Preprocessing) -> str:
    import numpy as np

    scale = (
        "pixels / 255"
        if np.isclose(pre.pixel_scale, 1 / 255)
        else f"pixels × {pre.pixel_scale:g}"
    )
    return scale + (", standardised" if pre.mean is not None else "")


def _table(matrix: list[list[int]], names: list[str]) -> str:
    """The confusion matrix as aligned text, class names on both axes."""
    width = max(
        6, *(len(n) + 1 for n in names), *(len(str(v)) + 1 for r in matrix for v in r)
    )
    head = " " * width + "".join(f"{n:>{width}}" for n in names)
    rows = [
        f"{n:>{width}}" + "".join(f"{v:>{width}}" for v in r)
        for n, r in zip(names, matrix, strict=True)
    ]
    return "\n".join([head, *rows])

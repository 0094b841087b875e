"""`train`'s history files and curves, named as metrics.json names its curves.

history.csv / .json has one row per epoch from epoch 0 (the initial weights) to the
last: `epoch`, then for every data set (`train`, `validation` with --early-stopping,
`test`) `<set>_loss` (mean cross-entropy, no penalty) and `<set>_accuracy`, then
`objective` (what descent minimises: the data loss, summed with --loss-scale sum, plus
the penalty), `learning_rate` (the step size of the epoch that ended there; none at
epoch 0) and `time` (seconds of optimisation so far). history.json wraps the columns
as {"schema_version": 1, "logitlab_version": ..., "history": {column: [values]}}.
"""

from __future__ import annotations

import copy
import csv
import io
import math
from dataclasses import dataclass
from typing import Any

from logitlab import __version__

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Fit:
    """A finished `train` run: the estimator and the data sets it saw, by name."""

    est: Any
    task: Any
    sets: dict[str, tuple[Any, Any]]  # "train", ["validation"], "test": (X, y)
    preprocessing: Any
    seconds: float
    dataset: str


def history_columns(fit: Fit) -> dict[str, list[float]]:
    """The per-epoch columns, epoch 0 first (measured on the initial weights)."""
    h, scale = fit.est.history_, _loss_scale(fit)
    initial = _measure_initial(fit)
    columns: dict[str, list[float]] = {"epoch": [0, *h["epoch"]]}
    columns["train_loss"] = [initial["train"][0], *(v / scale for v in h["data_loss"])]
    columns["train_accuracy"] = [initial["train"][1], *h["train_accuracy"]]
    for name in [s for s in fit.sets if s != "train"]:
        columns[f"{name}_loss"] = [initial[name][0], *h[f"{name}_loss"]]
        columns[f"{name}_accuracy"] = [initial[name][1], *h[f"{name}_accuracy"]]
    columns["objective"] = [fit.est.initial_loss_, *h["loss"]]
    columns["learning_rate"] = [math.nan, *h["learning_rate"]]
    columns["time"] = [0.0, *h["time"]]
    return columns


def _loss_scale(fit: Fit) -> float:
    """The factor between the recorded data loss and the mean cross-entropy."""
    return float(len(fit.sets["train"][1])) if fit.est.loss_scale == "sum" else 1.0


def _measure_initial(fit: Fit) -> dict[str, tuple[float, float]]:
    """(mean cross-entropy, accuracy) of every set at the initial weights.

    The cross-entropy comes from the log-probabilities (exact for any logits, where
    `log_loss` would clip), as the history's later epochs do.
    """
    import numpy as np

    start = copy.copy(fit.est)
    start.coef_, start.intercept_ = fit.est.snapshots_[0]
    classes = start.classes_
    measured = {}
    for name, (X, y) in fit.sets.items():  # X, y NumPy, or dask on a cluster run
        log_proba = start.predict_log_proba(X)
        indices = np.array_equal(classes, np.arange(len(classes)))  # the CLI's labels
        index = y if indices else np.searchsorted(classes, y)
        picked = index[:, None] == np.arange(len(classes))  # one-hot: dask has no
        loss = -(log_proba * picked).sum(axis=1).mean()  # 2-D fancy indexing
        accuracy = (log_proba.argmax(axis=1) == index).mean()
        measured[name] = (float(loss), float(accuracy))
    return measured


def step_text(fit: Fit, fmt: str) -> str:
    """steps.csv or steps.json: one row per step (`batch_loss`, each eval set's)."""
    steps = dict(fit.est.step_history_)
    steps["batch_loss"] = steps.pop("loss")
    order = [
        "step",
        "batch_loss",
        *(k for k in steps if k not in ("step", "batch_loss")),
    ]
    return table_text({k: steps[k] for k in order}, fmt)


def table_text(columns: dict[str, list[float]], fmt: str) -> str:
    """CSV or the JSON wrapper; floats at full precision (they read back exactly)."""
    if fmt == "json":
        from logitlab.cli._common import to_json

        wrapped = {"schema_version": SCHEMA_VERSION, "logitlab_version": __version__}
        return to_json({**wrapped, "history": columns}) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*columns.values(), strict=True))
    return buffer.getvalue()


def figures(columns: dict[str, list[float]]) -> dict[str, Any]:
    """Loss and accuracy per epoch of every set, from epoch 0; by file stem."""
    from logitlab.plots.curves import loss_curves

    names = {"train": "training", "validation": "validation", "test": "test"}
    sets = [s for s in names if f"{s}_loss" in columns]
    epochs = columns["epoch"]
    return {
        "loss": loss_curves(
            {names[s]: columns[f"{s}_loss"] for s in sets},
            epochs=epochs,
            ylabel="cross-entropy (mean, no penalty)",
        ),
        "accuracy": loss_curves(
            {names[s]: columns[f"{s}_accuracy"] for s in sets},
            epochs=epochs,
            title="Accuracy per epoch",
            ylabel="accuracy",
        ),
    }

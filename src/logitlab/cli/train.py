"""`logitlab train`: fit a model on any task with any optimiser setting and save it.

    $ logitlab train --digits 2 3 --lr 0.1 --epochs 100 --out runs/2v3 --plots
    $ logitlab train --multiclass --batch-size 64 --schedule invscaling --out runs/all

Writes DIR/model.h5 (with the pixel preprocessing, so `evaluate` and `predict` take raw
images), DIR/history.csv or .json (one row per epoch), with --record-steps
DIR/steps.csv or .json (one row per step) and, with --plots, the curves.
Nothing is written until training has succeeded. `evaluate` and `predict` live in
their own modules and are registered from here.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from pathlib import Path
from typing import Any

import click
from matplotlib.figure import Figure
from sklearn.metrics import accuracy_score, log_loss

from logitlab._atomic import atomic_path, atomic_write_text
from logitlab.cli import Number, _dask, app
from logitlab.cli._common import TaskKind
from logitlab.cli.data import dataset_options
from logitlab.data import load_dataset
from logitlab.data.tasks import Task, make_task, standardize
from logitlab.errors import LogitlabError
from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD
from logitlab.persistence import Preprocessing, save_model
from logitlab.plots.curves import loss_curves

POSITIVE = Number(min=0, min_open=True)
FRACTION = Number(min=0, max=1, min_open=True, max_open=True)
DIGIT = click.IntRange(0, 9)


def _task_options(f: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--digits",
                nargs=2,
                type=DIGIT,
                default=None,
                help="Pair task: A (label 0) against B (label 1) [default: 0 1].",
            ),
            click.option(
                "--one-vs-rest",
                "ovr",
                type=DIGIT,
                default=None,
                help="One-vs-rest task: class D (label 1) against all others.",
            ),
            click.option(
                "--multiclass",
                is_flag=True,
                help="All ten classes (softmax regression).",
            ),
            click.option(
                "--n-train",
                type=click.IntRange(min=1),
                default=None,
                help="Use the first N training images (before keeping the classes).",
            ),
            click.option(
                "--n-test",
                type=click.IntRange(min=1),
                default=None,
                help="Use the first N test images (before keeping the classes).",
            ),
            click.option(
                "--standardize/--no-standardize",
                "scale",
                default=True,
                show_default=True,
                help="StandardScaler fitted on the training set (after pixels / 255).",
            ),
        ]
    ):
        f = option(f)
    return f


def _engine_options(f: Any) -> Any:
    schedules = ["constant", "invscaling", "step", "exponential", "line_search"]
    options: list[tuple[str, dict[str, Any]]] = [
        ("--lr", dict(type=POSITIVE, default=0.1, help="Initial learning rate η0.")),
        (
            "--epochs",
            dict(type=click.IntRange(min=1), default=100, help="Epochs (at most)."),
        ),
        (
            "--batch-size",
            dict(
                type=click.IntRange(min=1),
                default=None,
                help="Mini-batch size; 1 is SGD [default: full batch].",
            ),
        ),
        ("--momentum", dict(type=Number(0, 1, max_open=True), default=0.0)),
        ("--nesterov", dict(is_flag=True, help="Nesterov momentum.")),
        (
            "--momentum-schedule",
            dict(
                type=click.Choice(["constant", "accelerated"]),
                default="constant",
                show_default=True,
                help="accelerated: Nesterov's (k-1)/(k+2) (FISTA with L1).",
            ),
        ),
        ("--schedule", dict(type=click.Choice(schedules), default="constant")),
        (
            "--decay-steps",
            dict(
                type=POSITIVE,
                default=3.0,
                help="T of invscaling η0/(1+t/T); step size.",
            ),
        ),
        (
            "--decay-rate",
            dict(
                type=FRACTION,
                default=0.5,
                help="Factor of step/exponential decay; line-search shrink.",
            ),
        ),
        ("--init", dict(type=click.Choice(["zeros", "normal"]), default="zeros")),
        ("--loss-scale", dict(type=click.Choice(["mean", "sum"]), default="mean")),
        (
            "--penalty",
            dict(type=click.Choice(["none", "l2", "l1", "elasticnet"]), default="none"),
        ),
        (
            "--alpha",
            dict(type=Number(min=0), default=0.0, help="Penalty strength λ."),
        ),
        ("--l1-ratio", dict(type=Number(0, 1), default=0.5)),
        (
            "--l1-method",
            dict(type=click.Choice(["proximal", "subgradient"]), default="proximal"),
        ),
        (
            "--tol",
            dict(
                type=POSITIVE,
                default=None,
                help="Stop early at this tolerance [default: off].",
            ),
        ),
        ("--stopping", dict(type=click.Choice(["loss", "gradient"]), default="loss")),
        (
            "--early-stopping",
            dict(is_flag=True, help="Stop on a held-out validation set."),
        ),
        ("--patience", dict(type=click.IntRange(min=1), default=5)),
        ("--validation-fraction", dict(type=FRACTION, default=0.1)),
        (
            "--record-steps",
            dict(
                is_flag=True,
                help="Also write steps.csv|json: the cost at every step (the batch's, "
                "and the test set's).",
            ),
        ),
        ("--dtype", dict(type=click.Choice(["float64", "float32"]), default="float64")),
        ("--seed", dict(type=int, default=0, help="Seed for shuffling and init.")),
    ]
    for name, kwargs in reversed(options):
        kwargs.setdefault("show_default", True)
        f = click.option(name, **kwargs)(f)
    return f


@app.command()
@dataset_options
@_task_options
@_engine_options
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("logitlab-train"),
    show_default=True,
    help="Output folder (created if needed).",
)
@click.option(
    "--history-format",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
)
@click.option("--plots", is_flag=True, help="Also write loss.png and accuracy.png.")
@_dask.train_data_options
def train(
    dataset: str,
    mnist_dir: Path | None,
    digits: tuple[int, int] | None,
    ovr: int | None,
    multiclass: bool,
    n_train: int | None,
    n_test: int | None,
    scale: bool,
    out: Path,
    history_format: str,
    plots: bool,
    data: str | None,
    workers: int,
    memory_limit: str,
    scheduler: str | None,
    worker_data: str,
    **engine: Any,
) -> None:
    """Train a model by gradient descent and save it with its training history."""
    kind, task_digits = _task(digits, ovr, multiclass)
    if out.exists() and not out.is_dir():
        raise LogitlabError(f"{out}: exists and is not a folder; choose another --out")

    with _dask.train_cluster(data, workers, memory_limit, scheduler):
        if data is None:
            ds = load_dataset(dataset, mnist_dir=mnist_dir)
            task = make_task(ds, kind, task_digits, n_train=n_train, n_test=n_test)
            X_train, X_test, preprocessing = task.X_train, task.X_test, Preprocessing()
            if scale:
                scaler, X_train, X_test = standardize(task.X_train, task.X_test)
                preprocessing = Preprocessing.from_scaler(scaler)
        else:  # on a Dask cluster: the rows stay on its workers
            task = _dask.cluster_task(
                data, dataset, mnist_dir, kind, task_digits, n_train, n_test
            )
            X_train, X_test, preprocessing = _dask.scaled_pixels(
                task, scale, worker_data, engine["dtype"]
            )
        est = _estimator(kind, engine, epoch_lines=data is not None)
        start = time.perf_counter()
        est.fit(X_train, task.y_train, eval_set=[("test", X_test, task.y_test)])
        seconds = time.perf_counter() - start

    written = [out / "model.h5", out / f"history.{history_format}"]
    out.mkdir(parents=True, exist_ok=True)
    save_model(
        est,
        written[0],
        preprocessing=preprocessing,
        digits=task.digits,
        dataset=dataset,
    )
    atomic_write_text(written[1], _history_text(est.history_, history_format))
    if est.step_history_:
        written.append(out / f"steps.{history_format}")
        atomic_write_text(written[-1], _history_text(est.step_history_, history_format))
    if plots:
        for name, fig in _figures(est, task, engine).items():
            written.append(out / name)
            with atomic_path(written[-1]) as tmp:
                fig.savefig(tmp, dpi=120, format="png")

    proba = est.predict_proba(X_test)
    what = {
        "pair": " vs ".join(task.class_names),
        "ovr": f"{task.class_names[1]} vs rest",
    }
    best = f" (weights of epoch {est.best_epoch_})" if est.best_epoch_ else ""
    click.echo(
        f"trained {type(est).__name__} on {dataset} {what.get(kind, 'all classes')}: "
        f"{len(task.y_train)} training images, {est.n_iter_} epochs in {seconds:.2f} s"
        + best
    )
    accuracy = accuracy_score(task.y_test, est.classes_[proba.argmax(axis=1)])
    click.echo(
        f"test accuracy {accuracy:.4f}, "
        f"log loss {log_loss(task.y_test, proba, labels=est.classes_):.4f} "
        f"({len(task.y_test)} images)"
    )
    click.echo("wrote " + ", ".join(str(p) for p in written))


def _task(
    digits: tuple[int, int] | None, ovr: int | None, multiclass: bool
) -> tuple[TaskKind, tuple[int, ...] | None]:
    """The task kind and its classes from the three mutually exclusive task flags."""
    given = {
        "--digits": bool(digits),
        "--one-vs-rest": ovr is not None,
        "--multiclass": multiclass,
    }
    chosen = [flag for flag, on in given.items() if on]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one task: {' or '.join(chosen)}, not several")
    if multiclass:
        return "multiclass", None
    if ovr is not None:
        return "ovr", (ovr,)
    return "pair", tuple(digits) if digits else (0, 1)


def _estimator(
    kind: str, o: dict[str, Any], epoch_lines: bool = False
) -> LogisticRegressionGD | SoftmaxRegressionGD:
    """The model core's estimator for the task, with the command-line settings
    (`epoch_lines`: a progress bar of epochs and a loss line every tenth of them)."""
    cls = SoftmaxRegressionGD if kind == "multiclass" else LogisticRegressionGD
    return cls(
        verbose=max(1, o["epochs"] // 10) if epoch_lines else 0,
        learning_rate=o["lr"],
        max_iter=o["epochs"],
        batch_size=o["batch_size"],
        momentum=o["momentum"],
        nesterov=o["nesterov"],
        momentum_schedule=o["momentum_schedule"],
        schedule=o["schedule"],
        decay_steps=o["decay_steps"],
        decay_rate=o["decay_rate"],
        init=o["init"],
        loss_scale=o["loss_scale"],
        penalty=None if o["penalty"] == "none" else o["penalty"],
        alpha=o["alpha"],
        l1_ratio=o["l1_ratio"],
        l1_method=o["l1_method"],
        tol=o["tol"],
        stopping=o["stopping"],
        early_stopping=o["early_stopping"],
        patience=o["patience"],
        validation_fraction=o["validation_fraction"],
        dtype=o["dtype"],
        record_steps=o["record_steps"],
        random_state=o["seed"],
    )


def _history_text(history: dict[str, list[float]], fmt: str) -> str:
    """One row per epoch; floats at full precision so the file reads back exactly."""
    if fmt == "json":
        return json.dumps(history, indent=1) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(history)
    writer.writerows(zip(*history.values(), strict=True))
    return buffer.getvalue()


def _figures(est: Any, task: Task, engine: dict[str, Any]) -> dict[str, Figure]:
    """Loss and accuracy per epoch: training, validation (if any) and test sets."""
    h = est.history_
    n_fit = len(task.y_train)
    if engine["early_stopping"]:  # sklearn's split rounds the held-out part up
        n_fit -= math.ceil(engine["validation_fraction"] * n_fit)
    per_example = n_fit if engine["loss_scale"] == "sum" else 1
    sets = ["validation", "test"] if "validation_loss" in h else ["test"]
    ylabel = "cross-entropy (mean, no penalty)"
    losses = {"training": [v / per_example for v in h["data_loss"]]}
    losses |= {name: h[f"{name}_loss"] for name in sets}
    accuracies = {"training": h["train_accuracy"]}
    accuracies |= {name: h[f"{name}_accuracy"] for name in sets}
    return {
        "loss.png": loss_curves(losses, epochs=h["epoch"], ylabel=ylabel),
        "accuracy.png": loss_curves(
            accuracies, epochs=h["epoch"], title="Accuracy per epoch", ylabel="accuracy"
        ),
    }


# The other two model commands register themselves on import.
from logitlab.cli import evaluate, predict  # noqa: E402, F401

"""`logitlab train`: fit a model on any task with any optimiser setting and save it.

Writes DIR/model.h5 (with the pixel preprocessing, so `evaluate` and `predict` take raw
images), DIR/history.csv or .json (one row per epoch from epoch 0, the initial weights:
the columns of metrics.json's curves), with --record-steps DIR/steps.csv or .json (one
row per step) and, with --plots, the curves. Nothing is written until training has
succeeded, and then all of it or, on a failure or a signal, nothing
(`logitlab._atomic`). The model and optimiser options are made from the estimators'
parameter table (`logitlab.hyperparameters`). `evaluate` and `predict` live in their
own modules and are registered from here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from logitlab import _console
from logitlab.cli import _dask, app
from logitlab.cli._common import TaskKind, to_json
from logitlab.cli.options import (
    dataset_options,
    estimator_params,
    format_option,
    hyperparameter_options,
    json_option,
)

if TYPE_CHECKING:
    from logitlab.cli.history import Fit

DIGIT = click.IntRange(0, 9)

EXAMPLES = """\b
Examples:
  logitlab train --digits 2 3 --lr 0.1 --epochs 100 --out runs/2v3 --plots
  logitlab train --multiclass --batch-size 64 --schedule invscaling --out runs/all
  logitlab train --one-vs-rest 7 --penalty l1 --alpha 1e-3 --json"""


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


@app.command(epilog=EXAMPLES)
@dataset_options
@_task_options
@hyperparameter_options
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
    help="File format of the per-epoch (and per-step) history.",
)
@click.option("--plots", is_flag=True, help="Also write the loss and accuracy curves.")
@format_option
@json_option
@_dask.train_data_options
def train(
    dataset: str,
    dataset_dir: Path | None,
    digits: tuple[int, int] | None,
    ovr: int | None,
    multiclass: bool,
    n_train: int | None,
    n_test: int | None,
    scale: bool,
    out: Path,
    history_format: str,
    plots: bool,
    figure_format: str,
    as_json: bool,
    data: str | None,
    worker_data: str,
    workers: int,
    memory_limit: str,
    scheduler: str | None,
    **hyperparameters: Any,
) -> None:
    """Train a model by gradient descent and save it with its training history."""
    from logitlab._atomic import check_output_folder

    kind, task_digits = _task(digits, ovr, multiclass)
    # before the work: a folder we can write, and no read-only file in the way
    check_output_folder(out, ["model.h5", f"history.{history_format}"])
    source = _Source(dataset, dataset_dir, data, worker_data)
    with _dask.train_cluster(data, workers, memory_limit, scheduler):
        fit = _fit(
            source, kind, task_digits, n_train, n_test, scale,
            estimator_params(hyperparameters),
        )  # fmt: skip
        written = _write(fit, out, history_format, plots and figure_format)
        summary = _summary(fit, written)
    if as_json:
        click.echo(to_json(summary))
        return
    what = {
        "pair": " vs ".join(fit.task.class_names),
        "ovr": f"{fit.task.class_names[1]} vs rest",
    }
    best = (
        f" (weights of epoch {summary['best_epoch']})" if summary["best_epoch"] else ""
    )
    click.echo(
        f"trained {summary['estimator']} on {dataset} {what.get(kind, 'all classes')}: "
        f"{summary['n_train']} training images, {summary['n_epochs']} epochs in "
        f"{summary['seconds']:.2f} s" + best
    )
    click.echo(
        f"test accuracy {summary['test_accuracy']:.4f}, log loss "
        f"{summary['test_log_loss']:.4f} ({summary['n_test']} images)"
    )
    click.echo("wrote " + ", ".join(written))


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


@dataclass(frozen=True)
class _Source:
    """Where the rows come from: a data set in memory, or (`data`) on a Dask
    cluster, a store of `logitlab data augment` or "mnist", kept as `worker_data`."""

    dataset: str
    dataset_dir: Path | None
    data: str | None
    worker_data: str


def _fit(
    source: _Source,
    kind: TaskKind,
    digits: tuple[int, ...] | None,
    n_train: int | None,
    n_test: int | None,
    scale: bool,
    params: dict[str, Any],
) -> Fit:
    """Load the task, scale it, hold out the validation set, fit; timed."""
    from logitlab.cli.history import Fit
    from logitlab.data import load_dataset
    from logitlab.data.tasks import holdout_split, make_task, standardize
    from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD
    from logitlab.persistence import Preprocessing

    if source.data is not None:  # on the cluster: the rows stay on its workers
        task = _dask.cluster_task(
            source.data, source.dataset, source.dataset_dir, kind, digits,
            n_train, n_test,
        )  # fmt: skip
        X_train, X_test, preprocessing = _dask.scaled_pixels(
            task, scale, source.worker_data, params["dtype"]
        )
    else:
        task = make_task(
            load_dataset(source.dataset, mnist_dir=source.dataset_dir),
            kind,
            digits,
            n_train=n_train,
            n_test=n_test,
        )
        X_train, X_test, preprocessing = task.X_train, task.X_test, Preprocessing()
        if scale:
            scaler, X_train, X_test = standardize(task.X_train, task.X_test)
            preprocessing = Preprocessing.from_scaler(scaler)
    sets = {"train": (X_train, task.y_train)}
    if params["early_stopping"]:  # held out here, so every set is known by name
        X_fit, y_fit, X_val, y_val = holdout_split(
            X_train,
            task.y_train,
            params["validation_fraction"],
            "stratified",
            random_state=params["random_state"],
        )
        sets = {"train": (X_fit, y_fit), "validation": (X_val, y_val)}
    sets["test"] = (X_test, task.y_test)
    cls = SoftmaxRegressionGD if kind == "multiclass" else LogisticRegressionGD
    verbose = {0: 0, 1: max(1, params["max_iter"] // 10)}.get(_console.verbosity(), 1)
    if source.data is not None and verbose == 0:  # a cluster run shows its epochs
        verbose = max(1, params["max_iter"] // 10) if _console.verbosity() >= 0 else 0
    est = cls(**params, snapshot_epochs=(0,), verbose=max(verbose, 0))
    evals = [(name, X, y) for name, (X, y) in sets.items() if name != "train"]
    start = time.perf_counter()
    est.fit(*sets["train"], eval_set=evals)
    seconds = time.perf_counter() - start
    return Fit(est, task, sets, preprocessing, seconds, source.dataset)


def _write(fit: Fit, out: Path, history_format: str, figures: str | bool) -> list[str]:
    """model.h5, the histories and the figures into `out`; the paths written."""
    from logitlab._atomic import output_transaction
    from logitlab.cli.history import figures as curves
    from logitlab.cli.history import history_columns, step_text, table_text
    from logitlab.persistence import save_model

    names = ["model.h5", f"history.{history_format}"]
    columns = history_columns(fit)
    with output_transaction(out) as tx:  # all of them or, on failure, none
        save_model(
            fit.est,
            tx.path(names[0]),
            preprocessing=fit.preprocessing,
            digits=fit.task.digits,
            dataset=fit.dataset,
        )
        tx.write_text(names[1], table_text(columns, history_format))
        if fit.est.step_history_:
            names.append(f"steps.{history_format}")
            tx.write_text(names[-1], step_text(fit, history_format))
        if figures:
            for stem, fig in curves(columns).items():
                names.append(f"{stem}.{figures}")
                fig.savefig(tx.path(names[-1]), dpi=120, format=figures)
    return [str(out / name) for name in names]


def _summary(fit: Fit, written: list[str]) -> dict[str, Any]:
    """What the command prints, as one JSON-ready dict."""
    from sklearn.metrics import accuracy_score, log_loss

    from logitlab import __version__

    est, (X_test, y_test) = fit.est, fit.sets["test"]
    proba = est.predict_proba(X_test)
    return {
        "schema_version": 1,
        "logitlab_version": __version__,
        "estimator": type(est).__name__,
        "dataset": fit.dataset,
        "task": fit.task.kind,
        "class_names": list(fit.task.class_names),
        "n_train": len(fit.task.y_train),
        "n_test": len(y_test),
        "n_epochs": est.n_iter_,
        "best_epoch": est.best_epoch_,
        "seconds": fit.seconds,
        "test_accuracy": accuracy_score(y_test, est.classes_[proba.argmax(axis=1)]),
        "test_log_loss": log_loss(y_test, proba, labels=est.classes_),
        "written": written,
    }


# The other two model commands register themselves on import.
from logitlab.cli import evaluate, predict  # noqa: E402, F401

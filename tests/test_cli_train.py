"""`logitlab train`: the files it writes, read back independently, and its bad input.

Exit-code policy under test: a bad *value* (negative or non-numeric --lr, --out that
is a file, a diverging run) is one line on stderr and exit 1; a malformed command line
(contradictory task flags) is click's usage error, exit 2.
"""

from __future__ import annotations

import csv
import json
import math

import h5py
import numpy as np
import pytest
from click.testing import CliRunner
from numpy.testing import assert_allclose
from PIL import Image
from sklearn.preprocessing import StandardScaler

from logitlab.cli import app
from logitlab.data.tasks import holdout_split, make_task
from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD

SMALL = ["--n-train", "2000", "--n-test", "500", "--seed", "3"]


def _run(args):
    result = CliRunner().invoke(app, ["--quiet", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception
    )
    return result


def _one_line_error(result, code=1):
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("logitlab: error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def _read_history(path):
    if path.suffix == ".json":
        wrapped = json.loads(path.read_text())
        assert wrapped["schema_version"] == 1
        return {
            k: [math.nan if v is None else v for v in column]
            for k, column in wrapped["history"].items()
        }
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in rows[0]}


CASES = {
    "pair, full batch, csv": (
        ["--digits", "3", "5", "--epochs", "8", "--lr", "0.2", "--plots"],
        "csv",
        ("pair", (3, 5)),
        dict(learning_rate=0.2, max_iter=8),
    ),
    "one-vs-rest, mini-batch, momentum, l2, json": (
        ["--one-vs-rest", "7", "--epochs", "4", "--batch-size", "64", "--momentum",
         "0.5", "--nesterov", "--penalty", "l2", "--alpha", "0.001", "--schedule",
         "invscaling", "--decay-steps", "2", "--init", "normal", "--record-steps"],
        "json",
        ("ovr", (7,)),
        dict(max_iter=4, batch_size=64, momentum=0.5, nesterov=True, penalty="l2",
             alpha=0.001, schedule="invscaling", decay_steps=2.0, init="normal",
             record_steps=True),
    ),
    "ten classes, elastic net, early stopping, float32": (
        ["--multiclass", "--epochs", "6", "--batch-size", "200", "--penalty",
         "elasticnet", "--alpha", "1e-4", "--l1-ratio", "0.3", "--early-stopping",
         "--patience", "2", "--validation-fraction", "0.2", "--dtype", "float32",
         "--loss-scale", "sum", "--lr", "0.001"],
        "csv",
        ("multiclass", None),
        dict(max_iter=6, batch_size=200, penalty="elasticnet", alpha=1e-4,
             l1_ratio=0.3, early_stopping=True, patience=2, validation_fraction=0.2,
             dtype="float32", loss_scale="sum", learning_rate=0.001),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_train_writes_model_and_history_that_match_a_direct_fit(case, mnist, tmp_path):
    args, fmt, (kind, digits), params = CASES[case]
    out = tmp_path / "run"
    result = _run(["train", *args, *SMALL, "--out", str(out), "--history-format", fmt])
    assert result.exit_code == 0, result.stderr

    # The same fit done by hand: task, StandardScaler on the training part only, the
    # validation set (early stopping) held out stratified with the run's seed.
    task = make_task(mnist, kind, digits, n_train=2000, n_test=500)
    scaler = StandardScaler().fit(task.X_train)
    X_tr, X_te = scaler.transform(task.X_train), scaler.transform(task.X_test)
    y_tr, evals = task.y_train, []
    if params.get("early_stopping"):
        X_tr, y_tr, X_val, y_val = holdout_split(
            X_tr, y_tr, params["validation_fraction"], "stratified", random_state=3
        )
        evals = [("validation", X_val, y_val)]
    cls = SoftmaxRegressionGD if kind == "multiclass" else LogisticRegressionGD
    clf = cls(random_state=3, snapshot_epochs=(0,), **params).fit(
        X_tr, y_tr, eval_set=[*evals, ("test", X_te, task.y_test)]
    )

    with h5py.File(out / "model.h5", "r") as f:  # the guide's layout, plain h5py
        if kind == "multiclass":
            W, b = f["W"][()], f["b"][()]
            assert W.shape == (784, 10) and b.shape == (10,)
            logits = X_te @ W + b
            predicted = logits.argmax(axis=1)
        else:
            W, b = f["w"][()], f["b"][()]
            assert W.shape == (784,) and b.shape == ()
            predicted = (X_te @ W + b > 0).astype(int)
        assert_allclose(f["scaler_mean"][()], scaler.mean_)
        assert_allclose(f["scaler_scale"][()], scaler.scale_)
        assert json.loads(f.attrs["digits"]) == list(task.digits)
    coef = W.T if kind == "multiclass" else W[None, :]
    rtol = 1e-4 if params.get("dtype") == "float32" else 1e-10
    assert_allclose(coef, clf.coef_, rtol=rtol, atol=1e-6 * (rtol > 1e-10))

    # history: epoch 0 (initial weights) to the last, named as metrics.json's curves
    history = _read_history(out / f"history.{fmt}")
    assert history["epoch"] == list(range(clf.n_iter_ + 1))
    scale = len(y_tr) if params.get("loss_scale") == "sum" else 1
    assert_allclose(
        history["train_loss"][1:],
        np.divide(clf.history_["data_loss"], scale),
        rtol=rtol,
    )
    assert_allclose(
        history["objective"], [clf.initial_loss_, *clf.history_["loss"]], rtol=rtol
    )
    sets = {
        "train": (X_tr, y_tr),
        **{n: (X, y) for n, X, y in evals},
        "test": (X_te, task.y_test),
    }
    for name, (X, y) in sets.items():
        keys = [f"{name}_accuracy"] + ([f"{name}_loss"] if name != "train" else [])
        for key in keys:  # train_loss: the data loss, checked above
            assert_allclose(history[key][1:], clf.history_[key], rtol=rtol)
        # epoch 0 measured independently on the initial weights
        W0, b0 = clf.snapshots_[0]
        z = np.asarray(X, dtype=W0.dtype) @ W0.T + b0
        if kind == "multiclass":
            log_p = (
                z
                - np.log(
                    np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)
                )
                - z.max(axis=1, keepdims=True)
            )
            loss0 = -np.mean(log_p[np.arange(len(y)), y])
            acc0 = np.mean(z.argmax(axis=1) == y)
        else:
            z = z[:, 0]
            loss0 = np.mean(np.logaddexp(0, z) - y * z)
            acc0 = np.mean((z > 0) == y)
        assert_allclose(history[f"{name}_loss"][0], loss0, rtol=max(rtol, 1e-6))
        assert history[f"{name}_accuracy"][0] == pytest.approx(acc0)
    if "--record-steps" in args:
        steps = _read_history(out / f"steps.{fmt}")
        assert steps["step"] == list(range(1, 4 * -(-2000 // 64) + 1))
        assert_allclose(steps["batch_loss"], clf.step_history_["loss"], rtol=rtol)
        for key in ("test_loss", "test_accuracy"):
            assert_allclose(steps[key], clf.step_history_[key], rtol=rtol)
    else:
        assert not (out / f"steps.{fmt}").exists()
    accuracy = np.mean(predicted == task.y_test)
    assert f"test accuracy {accuracy:.4f}" in result.stdout
    if "--plots" in args:
        for name in ("loss.png", "accuracy.png"):  # --format png is the default
            with Image.open(out / name) as img:
                assert img.format == "PNG" and img.size[0] > 300


def test_negative_learning_rate_is_one_line_exit_1(tmp_path):
    line = _one_line_error(
        _run(["train", "--lr", "-0.5", "--out", str(tmp_path / "o")])
    )
    assert "--lr" in line and "-0.5" in line
    assert not (tmp_path / "o").exists()


def test_non_numeric_learning_rate_is_one_line_exit_1(tmp_path):
    line = _one_line_error(
        _run(["train", "--lr", "fast", "--out", str(tmp_path / "o")])
    )
    assert "--lr" in line and "'fast' is not a valid number" in line


def test_out_that_is_a_file_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "results.txt"
    target.write_text("keep me\n")
    line = _one_line_error(_run(["train", "--out", str(target), *SMALL]))
    assert str(target) in line and "not a folder" in line
    assert target.read_text() == "keep me\n"


def test_diverging_run_writes_nothing(tmp_path):
    out = tmp_path / "run"
    args = ["train", "--lr", "1e9", "--epochs", "3", *SMALL, "--out", str(out)]
    line = _one_line_error(_run(args))
    assert "diverged" in line
    assert not out.exists()


def test_two_tasks_at_once_is_a_usage_error(tmp_path):
    result = _run(["train", "--multiclass", "--digits", "1", "2"])
    assert result.exit_code == 2
    assert "choose one task" in result.stderr and "Traceback" not in result.stderr

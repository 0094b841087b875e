"""`logitlab homework` end to end: one full run on MNIST 0 vs 1, checked independently.

The report is read back with pypdf, the model with plain h5py, and the training curve
against a direct NumPy transcription of the homework's own loop.
"""

from __future__ import annotations

import json
import re

import h5py
import numpy as np
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.preprocessing import StandardScaler

from logitlab.cli import app
from logitlab.data import DatasetSplit
from logitlab.experiments import homework as hw
from logitlab.experiments import homework_report

FIGURES = [
    "loss", "confusion", "weights", "misclassified", "misclassified_sklearn",
    "confusion_sklearn", "learning_curves", "roc", "sigmoid", "l1_l2",
]  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("hw") / "out"
    result = CliRunner().invoke(
        app, ["homework", "--out", str(out), "--id", "123456789", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "metrics.json").read_text()), result.output


@pytest.fixture(scope="module")
def pair(mnist):
    """The homework's own arrays, built here from the raw split (digits 0 and 1)."""
    tr = np.isin(mnist.train_labels, (0, 1))
    te = np.isin(mnist.test_labels, (0, 1))
    X_train = mnist.train_images[tr].reshape(-1, 784) / 255.0
    X_test = mnist.test_images[te].reshape(-1, 784) / 255.0
    return X_train, mnist.train_labels[tr], X_test, mnist.test_labels[te]


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_outputs_named_by_id_and_nothing_else(run):
    out, _, output = run
    assert sorted(p.name for p in out.iterdir()) == [
        "123456789.html", "123456789.pdf", "figures", "metrics.json", "model.h5"
    ]  # fmt: skip
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted(
        f"{k}.png" for k in FIGURES
    )
    assert "Summary: test-set results" in output and "123456789.pdf" in output


def test_pdf_pages_captions_and_summary(run):
    out, m, _ = run
    pages = [_words(p.extract_text()) for p in PdfReader(out / "123456789.pdf").pages]
    assert len(pages) == 1 + len(FIGURES) + 2  # title, figures, two table pages
    title = pages[0]
    assert "mnist 0 vs 1" in title and "Learning rate: 0.1" in title
    final, early, sk = m["scratch"]["final"], m["scratch"]["early"], m["sklearn"]
    for d in (final, early, sk):
        assert f"{d['accuracy']:.4f}" in title and f"{d['log_loss']:.4f}" in title
    starts = [
        "Plot 1: mean binary cross-entropy", "Plot 2: confusion matrix",
        "Plot 3: the 784 weights", "Plot 4, from scratch after 100 epochs",
        "scikit-learn: up to 10 misclassified", "Confusion matrix of scikit-learn",
        "Learning curves (the guide)", "ROC curves of both models",
        "The guide's sigmoid figure", "The guide's geometry of regularisation",
    ]  # fmt: skip
    for page, start in zip(pages[1:], starts, strict=False):
        assert start in page and "Read:" in page
    # the gallery caption states the number of mistakes in words
    n = final["n_errors"]
    expected = (
        "misclassified no test image" if n == 0
        else f"misclassified only {n} of the" if n < 10
        else f"{n} of the {m['settings']['n_test']} test images are misclassified"
    )  # fmt: skip
    assert expected in pages[4]
    assert "Precision, recall and F1 per class" in pages[-2]
    h = m["scratch"]["history"]
    assert "every 10 epochs" in pages[-1]
    assert f"50 {h['train_loss'][50]:.4f} {h['test_loss'][50]:.4f}" in pages[-1]


def test_metrics_agree_with_model_file_read_by_h5py(run, pair):
    out, m, _ = run
    _, _, X_test, y_test = pair
    with h5py.File(out / "model.h5", "r") as f:
        w, b = f["w"][()], float(f["b"][()])
        mean, scale = f["scaler_mean"][()], f["scaler_scale"][()]
    assert w.shape == (784,)
    z = ((X_test - mean) / scale) @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    final = m["scratch"]["final"]
    assert final["accuracy"] == pytest.approx(accuracy_score(y_test, p >= 0.5), abs=0)
    assert final["log_loss"] == pytest.approx(log_loss(y_test, p), rel=1e-9)
    assert final["n_errors"] == int(np.sum((p >= 0.5) != y_test))
    np.testing.assert_array_equal(w, m["model_file"]["w"])


def test_losses_equal_the_homeworks_own_loop(run, pair):
    """The homework's Part 2 loop, transcribed: zeros, intercept column, mean BCE."""
    _, m, _ = run
    X_train, y_train, X_test, y_test = pair
    scaler = StandardScaler().fit(X_train)
    X_manual = np.hstack([np.ones((len(X_train), 1)), scaler.transform(X_train)])
    X_test_manual = np.hstack([np.ones((len(X_test), 1)), scaler.transform(X_test)])
    y_manual, y_t = y_train.reshape(-1, 1), y_test.reshape(-1, 1)

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def bce(y, y_hat):
        return -np.mean(y * np.log(y_hat + 1e-10) + (1 - y) * np.log(1 - y_hat + 1e-10))

    lr, epochs = m["settings"]["learning_rate"], m["settings"]["epochs"]
    W = np.zeros((X_manual.shape[1], 1))
    train_loss_history, test_loss_history, after = [], [], {}
    for i in range(epochs):
        y_hat = sigmoid(X_manual @ W)
        train_loss_history.append(bce(y_manual, y_hat))  # before the update
        test_loss_history.append(bce(y_t, sigmoid(X_test_manual @ W)))
        W -= lr * X_manual.T @ (y_hat - y_manual) / len(y_manual)
        if i + 1 in (5, epochs):
            after[i + 1] = sigmoid(X_test_manual @ W).ravel()
    h = m["scratch"]["history"]
    np.testing.assert_allclose(h["train_loss"][:epochs], train_loss_history, atol=1e-8)
    np.testing.assert_allclose(h["test_loss"][:epochs], test_loss_history, atol=1e-8)
    for key, epoch in (("early", 5), ("final", epochs)):
        d, p = m["scratch"][key], after[epoch]
        assert d["epoch"] == epoch
        assert d["accuracy"] == accuracy_score(y_test, p >= 0.5)
        assert d["log_loss"] == pytest.approx(log_loss(y_test, p), rel=1e-7)


def test_part1_is_sklearn_defaults(run, pair):
    _, m, _ = run
    X_train, y_train, X_test, y_test = pair
    scaler = StandardScaler().fit(X_train)
    clf = LogisticRegression().fit(scaler.transform(X_train), y_train)
    p = clf.predict_proba(scaler.transform(X_test))[:, 1]
    assert m["sklearn"]["accuracy"] == accuracy_score(
        y_test, clf.predict(scaler.transform(X_test))
    )
    assert m["sklearn"]["log_loss"] == pytest.approx(log_loss(y_test, p), rel=1e-9)


@pytest.mark.parametrize("lr", ["-1", "0", "abc", "nan", "inf"])
def test_bad_learning_rate_exits_1_and_writes_nothing(tmp_path, lr):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["homework", "--lr", lr, "--out", str(out)])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("logitlab: error: Invalid value for '--lr'")
    assert lr in line
    assert not out.exists()


def test_out_that_is_a_file_exits_1_and_is_kept(tmp_path):
    target = tmp_path / "taken"
    target.write_text("mine")
    result = CliRunner().invoke(app, ["homework", "--out", str(target)])
    assert result.exit_code == 1
    assert "is not a folder" in result.output and "Traceback" not in result.output
    assert target.read_text() == "mine"


def test_bad_id_exits_1(tmp_path):
    result = CliRunner().invoke(
        app, ["homework", "--id", "../x", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1 and "--id" in result.output


@pytest.fixture(scope="module")
def small(mnist):
    """A quick run on a slice of MNIST for the API-level checks."""
    ds = DatasetSplit(
        mnist.train_images[:3000], mnist.train_labels[:3000],
        mnist.test_images[:600], mnist.test_labels[:600], source="test slice",
    )  # fmt: skip
    return ds, hw.run_homework((3, 8), epochs=7, data=ds)


def test_same_numbers_every_run(small):
    ds, first = small
    again = hw.run_homework((3, 8), epochs=7, data=ds)
    assert again.metrics == first.metrics
    assert first.metrics["settings"]["class_names"] == ["3", "8"]
    assert set(first.figures) == set(FIGURES) == set(first.captions)


def test_failed_save_leaves_only_what_was_there(small, tmp_path, monkeypatch):
    _, result = small
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(homework_report, "write_report", broken)
    with pytest.raises(OSError, match="disk full"):
        result.save(out)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    fresh = tmp_path / "fresh"
    with pytest.raises(OSError):
        result.save(fresh)
    assert not fresh.exists()  # we created it, nothing was moved in: removed again

"""`logitlab homework` end to end: one full run on MNIST 0 vs 1, checked independently.

The PDF is read back with pypdf, the model with plain h5py, the training curve against
a direct NumPy transcription of the homework's own loop, and the hand-in script ID.py
is run on its own in a fresh interpreter.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys

import h5py
import numpy as np
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.preprocessing import StandardScaler

from logitlab.cli import app
from logitlab.cli import homework as homework_command
from logitlab.data import DatasetSplit
from logitlab.experiments import homework as hw
from logitlab.experiments.homework import document

NAME = "Ada Lovelace"
A4 = (595.3, 841.9)  # points

FIGURES = [
    "loss", "confusion", "weights", "misclassified", "misclassified_sklearn",
    "confusion_sklearn", "learning_curves", "roc", "sigmoid", "l1_l2",
]  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("hw") / "out"
    result = CliRunner().invoke(
        app,
        ["homework", "--out", str(out), "--id", "123456789", "--name", NAME, "-q"],
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
        "123456789.pdf", "123456789.py", "figures", "metrics.json", "model.h5"
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


def test_pdf_one_page_size_student_on_page_1_plots_1_to_4_next(run):
    out, m, _ = run
    reader = PdfReader(out / "123456789.pdf")
    sizes = {(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages}
    assert len(sizes) == 1
    assert next(iter(sizes)) == pytest.approx(A4, abs=0.5)
    pages = [_words(p.extract_text()) for p in reader.pages]
    assert "123456789" in pages[0] and NAME in pages[0]
    assert "Summary: test-set results" in pages[0]
    # the 5-vs-100 paragraph, with this run's numbers, right under the summary
    early, final = m["scratch"]["early"], m["scratch"]["final"]
    assert "5 vs 100 epochs" in pages[0]
    for d in (early, final):
        assert f"{d['accuracy']:.2%} ({d['n_errors']}" in pages[0]
    titles = ["Plot 1: loss", "Plot 2: confusion", "Plot 3: weights", "Plot 4:"]
    for page, title in zip(pages[1:5], titles, strict=True):
        assert title in page and "Appendix" not in page
    assert all("Appendix" in page for page in pages[5:])
    assert not any(t in page for page in pages[5:] for t in titles[:3])


def test_learning_rate_paragraph_is_measured_on_this_run(run, pair):
    """The curvature bound of the learning-rate paragraph, recomputed here."""
    out, m, _ = run
    X_train, *_ = pair
    X = StandardScaler().fit_transform(X_train)
    X = np.hstack([np.ones((len(X), 1)), X])
    largest = np.linalg.eigvalsh(X.T @ X / len(X))[-1]
    check = m["learning_rate_check"]
    assert check["gram_max_eigenvalue"] == pytest.approx(largest, rel=1e-9)
    assert check["safe_step"] == pytest.approx(8 / largest, rel=1e-9)
    loss = m["scratch"]["history"]["train_loss"]
    rises = [e for e in range(1, len(loss)) if loss[e] > loss[e - 1]]
    assert check["train_loss_rises"] == rises
    title = _words(PdfReader(out / "123456789.pdf").pages[0].extract_text())
    assert f"is {largest:.1f}, so" in title and f"= {8 / largest:.4f}" in title


def _printed(output: str) -> dict[str, str]:
    """The script's 'what: value' lines."""
    return dict(line.rsplit(": ", 1) for line in output.splitlines() if ": " in line)


def test_handin_script_alone_prints_the_runs_numbers(run, tmp_path):
    """ID.py alone in a fresh interpreter on the MNIST folder: the run's numbers."""
    out, m, _ = run
    folder = os.environ.get("LOGITLAB_MNIST_DIR")
    if not folder:
        pytest.skip("needs a folder of MNIST IDX files (LOGITLAB_MNIST_DIR)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGITLAB")}
    done = subprocess.run(
        [sys.executable, str(out / "123456789.py"), "--data", folder, "--out", "."],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = _printed(done.stdout)
    h = m["scratch"]["history"]
    expected = {
        "scikit-learn accuracy": m["sklearn"]["accuracy"],
        "scikit-learn log loss": m["sklearn"]["log_loss"],
    }
    for d in (m["scratch"]["early"], m["scratch"]["final"]):
        label, e = f"scratch epoch {d['epoch']}", d["epoch"]
        expected[f"{label} accuracy"] = d["accuracy"]
        expected[f"{label} log loss"] = d["log_loss"]
        expected[f"{label} train loss"] = h["train_loss"][e]
        expected[f"{label} test loss"] = h["test_loss"][e]
    for what, value in expected.items():
        assert float(printed[what]) == pytest.approx(value, abs=1e-8), what
    shown = [e["index"] for e in m["scratch"]["final"]["misclassified"]]
    assert printed["Plot 4: from scratch shown"] == str(shown)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "plot1_loss.png", "plot2_confusion.png", "plot3_weights.png",
        "plot4_misclassified.png", "plot4_misclassified_sklearn.png",
    ]  # fmt: skip


def test_handin_script_imports_no_logitlab_and_holds_the_runs_settings(run):
    out, m, _ = run
    source = (out / "123456789.py").read_text()
    tree = ast.parse(source)
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree)
        if isinstance(node, ast.Import) for alias in node.names
    } | {
        node.module.split(".")[0] for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }  # fmt: skip
    assert "logitlab" not in imported and "logitlab" not in source
    assert imported - set(sys.stdlib_module_names) == {
        "numpy", "sklearn", "matplotlib"
    }  # fmt: skip
    settings = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    s = m["settings"]
    assert settings["DIGITS"] == tuple(s["digits"])
    assert settings["CLASS_NAMES"] == tuple(s["class_names"])
    assert settings["LEARNING_RATE"] == s["learning_rate"]
    assert settings["EPOCHS"] == s["epochs"]
    assert settings["EARLY_EPOCH"] == s["early_epoch"]
    docstring = ast.get_docstring(tree) or ""
    assert NAME in docstring and "python 123456789.py" in docstring


@pytest.mark.parametrize(
    "args",
    [["--id", "x" * 300], ["--id", "a/b"], ["--name", 'say "hi"'], ["--name", ""]],
)
def test_bad_id_or_name_fails_at_once_in_one_line(tmp_path, monkeypatch, args):
    def boom(*_, **__):
        raise AssertionError("the homework ran despite a bad --id/--name")

    monkeypatch.setattr(homework_command, "run_homework", boom)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["homework", *args, "--out", str(out)])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"logitlab: error: {args[0]} must be") and len(line) < 200
    assert not out.exists()


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

    monkeypatch.setattr(document, "write_pdf", broken)
    with pytest.raises(OSError, match="disk full"):
        result.save(out)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    fresh = tmp_path / "fresh"
    with pytest.raises(OSError):
        result.save(fresh)
    assert not fresh.exists()  # we created it, nothing was moved in: removed again


def test_without_id_the_outputs_keep_their_plain_names(small, tmp_path):
    _, result = small
    result.save(tmp_path)
    assert {"report.pdf", "homework.py"} <= {p.name for p in tmp_path.iterdir()}
    assert "Handed in by" not in (tmp_path / "homework.py").read_text()

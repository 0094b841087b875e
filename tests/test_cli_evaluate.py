"""`logitlab evaluate`: someone else's guide-layout file graded against scikit-learn.

The model files here are written with plain h5py (only `w`/`b`, or `W`/`b`), as a
student's own code would; the expected numbers are computed in the test with
`sklearn.metrics`. Bad files are one line on stderr and exit 1.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree

import h5py
import numpy as np
import pytest
from click.testing import CliRunner
from numpy.testing import assert_allclose
from PIL import Image
from scipy.special import expit, softmax
from sklearn import metrics
from sklearn.preprocessing import StandardScaler

from logitlab.cli import app
from logitlab.data.tasks import make_task

N_TEST = 1000


def _run(args):
    return CliRunner().invoke(app, ["--quiet", "evaluate", *args])


def _one_line_error(result):
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("logitlab: error: "), result.stderr
    return lines[0]


def _guide_file(path, w, b):
    with h5py.File(path, "w") as f:  # the guide's save_model, nothing else
        f.create_dataset("w", data=np.asarray(w))
        f.create_dataset("b", data=np.asarray(b))


def _template_weights(X, y):
    """A quick, decent linear classifier: each class's mean image as its template.

    Logit_k = x·m_k - ||m_k||²/2 (nearest class mean); any weights would do, since
    the test checks the metrics, not the training.
    """
    means = np.stack([X[y == k].mean(axis=0) for k in np.unique(y)], axis=1)
    return means * 3, -1.5 * (means**2).sum(axis=0)


def _expected(y, proba, multiclass=False):
    y_pred = proba.argmax(axis=1)
    avg = "macro" if multiclass else "binary"
    return {
        "accuracy": metrics.accuracy_score(y, y_pred),
        "precision": metrics.precision_score(y, y_pred, average=avg),
        "recall": metrics.recall_score(y, y_pred, average=avg),
        "f1": metrics.f1_score(y, y_pred, average=avg),
        "log_loss": metrics.log_loss(y, proba),
        "roc_auc": metrics.roc_auc_score(y, proba if multiclass else proba[:, 1],
                                         multi_class="ovr"),
        "confusion": metrics.confusion_matrix(y, y_pred).tolist(),
    }  # fmt: skip


@pytest.mark.parametrize("standardized", [True, False])
def test_guide_layout_file_matches_sklearn_metrics(standardized, mnist, tmp_path):
    # A grader's situation: digits 3 vs 5 trained elsewhere, StandardScaler fitted on
    # the whole training set as the homework does (or raw pixels / 255).
    task = make_task(mnist, "pair", (3, 5), n_test=N_TEST)
    scaler = StandardScaler().fit(task.X_train)
    prep = scaler.transform if standardized else (lambda X: X)
    w, b = _template_weights(prep(task.X_train), task.y_train)
    path = tmp_path / "submission.h5"
    _guide_file(path, w[:, 1] - w[:, 0], b[1] - b[0])
    flags = ["--digits", "3", "5", "--n-test", str(N_TEST), "--json"]
    result = _run([str(path), *flags, *(["--standardize-from-train"] * standardized)])
    assert result.exit_code == 0, result.stderr
    got = json.loads(result.stdout)

    p1 = expit(prep(task.X_test) @ (w[:, 1] - w[:, 0]) + b[1] - b[0])
    expected = _expected(task.y_test, np.column_stack([1 - p1, p1]))
    assert expected["accuracy"] > 0.8  # a real classifier, not a degenerate case
    assert got["n_test"] == len(task.y_test) and got["class_names"] == ["3", "5"]
    for key, value in got["metrics"].items():
        assert_allclose(value, expected[key], rtol=1e-9, err_msg=key)
    assert got["confusion_matrix"] == expected["confusion"]


def test_ten_class_file_and_the_printed_table(mnist, tmp_path):
    task = make_task(mnist, "multiclass", n_train=5000, n_test=N_TEST)
    W, b = _template_weights(task.X_train, task.y_train)
    path = tmp_path / "softmax.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("W", data=W)  # (784, 10)
        f.create_dataset("b", data=b)
    proba = softmax(task.X_test @ W + b, axis=1)
    expected = _expected(task.y_test, proba, multiclass=True)
    assert expected["accuracy"] > 0.7

    got = json.loads(_run([str(path), "--n-test", str(N_TEST), "--json"]).stdout)
    for key, value in got["metrics"].items():
        assert_allclose(value, expected[key], rtol=1e-9, err_msg=key)

    plots = tmp_path / "figures"
    result = _run([str(path), "--n-test", str(N_TEST), "--plots-dir", str(plots)])
    assert result.exit_code == 0, result.stderr
    assert f"accuracy   {expected['accuracy']:.4f}" in result.stdout
    table = result.stdout.split("columns: predicted):\n")[1].splitlines()
    assert table[0].split() == [str(d) for d in range(10)]
    for d, line in enumerate(table[1:]):
        assert [int(v) for v in line.split()] == [d, *expected["confusion"][d]]
    with Image.open(plots / "confusion_matrix.png") as img:
        assert img.format == "PNG"
    args = [str(path), "--n-test", "100", "--plots-dir", str(plots), "--format", "svg"]
    assert _run(args).exit_code == 0
    svg = ElementTree.parse(plots / "confusion_matrix.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.findall(".//{http://www.w3.org/2000/svg}text") or svg.findall(
        ".//{http://www.w3.org/2000/svg}path"
    )


def test_missing_model_file(tmp_path):
    line = _one_line_error(_run([str(tmp_path / "absent.h5")]))
    assert "absent.h5" in line and "no such" in line


def test_corrupt_model_file(tmp_path):
    path = tmp_path / "corrupt.h5"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    line = _one_line_error(_run([str(path)]))
    assert "corrupt.h5" in line


def test_model_of_the_wrong_shape(tmp_path):
    path = tmp_path / "small.h5"
    _guide_file(path, np.ones(100), 0.5)
    line = _one_line_error(_run([str(path)]))
    assert "small.h5" in line and "100" in line and "784" in line


def test_classes_that_fit_no_task(tmp_path):
    path = tmp_path / "three.h5"
    with h5py.File(path, "w") as f:  # a softmax over 3 classes: no MNIST task has 3
        f.create_dataset("W", data=np.zeros((784, 3)))
        f.create_dataset("b", data=np.zeros(3))
    line = _one_line_error(_run([str(path)]))
    assert "three.h5" in line and "classes [0, 1, 2] fit no task" in line


def test_same_digit_twice(tmp_path):
    path = tmp_path / "pair.h5"
    _guide_file(path, np.zeros(784), 0.0)
    line = _one_line_error(_run([str(path), "--digits", "4", "4"]))
    assert "two different digits" in line

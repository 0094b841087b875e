"""Model files from strangers: every field checked, one line naming file and field.

Each case starts from a real file written by `save_model` and changes one attribute or
dataset with plain h5py, as someone crafting a file would.
"""

from __future__ import annotations

import shutil

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

from logitlab._model_file import parse_file, read_record
from logitlab.cli import app
from logitlab.errors import ModelFileError
from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD
from logitlab.persistence import Preprocessing, load_model, save_model

D = 784


def _fit(cls, n_classes):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40 * n_classes, D))
    y = np.repeat(np.arange(n_classes), 40)
    return cls(max_iter=3).fit(X, y), X


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A valid binary (pair 2 vs 3) and a valid ten-class model file."""
    folder = tmp_path_factory.mktemp("valid")
    binary, X = _fit(LogisticRegressionGD, 2)
    pre = Preprocessing(1 / 255, X.mean(axis=0), X.std(axis=0) + 0.5)
    save_model(
        binary, folder / "binary.h5", preprocessing=pre, digits=(2, 3), dataset="mnist"
    )
    softmax, _ = _fit(SoftmaxRegressionGD, 10)
    save_model(softmax, folder / "softmax.h5", digits=range(10), dataset="mnist")
    return folder


def _set_attr(key, value):
    def change(f):
        if key in f.attrs:
            del f.attrs[key]
        f.attrs[key] = value

    return change


def _set_data(key, value):
    def change(f):
        if key in f:
            del f[key]
        f.create_dataset(key, data=value)

    return change


def _group(key):
    def change(f):
        del f[key]
        f.create_group(key)

    return change


# (which file, change, field the message must name, words it must contain)
# fmt: off
CASES = [
    ("binary", _set_attr("digits", 3), "digits", "should be text"),
    ("binary", _set_attr("digits", '["2", "3"]'), "digits", "holds '2'"),
    ("binary", _set_attr("digits", "[-1, 3]"), "digits", "holds -1"),
    ("binary", _set_attr("digits", "[2, 12]"), "digits", "holds 12"),
    ("binary", _set_attr("digits", "[3, 3]"), "digits", "repeats"),
    ("binary", _set_attr("digits", "[true, 3]"), "digits", "holds True"),
    ("binary", _set_attr("digits", "[1, 2, 3]"), "digits", "list of 1 or 2"),
    ("binary", _set_attr("digits", "{"), "digits", "not valid JSON"),
    ("binary", _set_attr("digits", "[" * 100_000), "digits", "not valid JSON"),
    ("softmax", _set_attr("digits", "[0, 1]"), "digits", "list of 10"),
    ("binary", _set_attr("dataset", "kmnist"), "dataset", "not one of"),
    ("binary", _set_attr("dataset", np.arange(3)), "dataset", "should be text"),
    ("binary", _set_attr("dataset", b"\xff\xfe"), "dataset", "not UTF-8"),
    ("binary", _set_attr("hyperparameters", "[1, 2]"), "hyperparameters", "object"),
    ("binary", _set_attr("pixel_scale", np.nan), "pixel_scale", "not a finite"),
    ("binary", _set_attr("pixel_scale", np.inf), "pixel_scale", "not a finite"),
    ("binary", _set_attr("pixel_scale", -1.0), "pixel_scale", "must be positive"),
    ("binary", _set_attr("pixel_scale", 0.0), "pixel_scale", "must be positive"),
    ("binary", _set_attr("pixel_scale", "1/255"), "pixel_scale", "a number, not str"),
    ("binary", _set_attr("pixel_scale", [1.0, 2.0]), "pixel_scale", "a number"),
    ("binary", _set_attr("pixel_scale", True), "pixel_scale", "a number"),
    ("binary", _set_attr("n_iter", -3), "n_iter", "0 or more"),
    ("binary", _set_attr("n_iter", 2.5), "n_iter", "an integer"),
    ("binary", _set_attr("model", "SVC"), "model", "not one of"),
    ("binary", _set_attr("model", 7), "model", "should be text"),
    ("binary", _set_attr("classes", "[0, 0]"), "classes", "repeated"),
    ("binary", _set_attr("classes", "[0, 1, 2]"), "classes", "list of 2"),
    ("binary", _set_attr("classes", '{"a": 1}'), "classes", "list of 2"),
    ("binary", _set_attr("classes", '[0, "1"]'), "classes", "all integers or all"),
    ("binary", _set_attr("logitlab_version", "x" * 500), "logitlab_version", "100"),
    ("binary", _set_data("scaler_mean", np.full(D, np.nan)), "scaler_mean", "NaN"),
    ("binary", _set_data("scaler_mean", np.zeros(5)), "scaler_mean", r"\(5,\)"),
    ("binary", _set_data("scaler_mean", np.array([b"ab"] * D)), "scaler_mean",
     "float32 or float64"),
    ("binary", _set_data("scaler_scale", np.zeros(D)), "scaler_scale", "positive"),
    ("binary", _set_data("scaler_scale", -np.ones(D)), "scaler_scale", "positive"),
    ("binary", _set_data("scaler_scale", np.ones((D, 2))), "scaler_scale",
     "1 dimension"),
    ("binary", _set_data("w", np.full(D, 1e300)), "w", "too large"),
    ("binary", _set_data("w", np.zeros(D, dtype=np.int64)), "w", "float32 or float64"),
    ("binary", _set_data("w", np.zeros((0,))), "w", "no weights"),
    ("binary", _set_data("w", np.full(D, np.inf)), "w", "NaN or infinity"),
    ("binary", _set_data("b", np.zeros(2)), "b", "one number"),
    ("binary", _group("w"), "w", "dataset, not a group"),
    ("softmax", _set_data("b", np.zeros(9)), "b", r"needs \(10,\)"),
    ("softmax", _set_data("W", np.zeros((D, 1))), "b", "2\\+ classes"),
    ("softmax", _set_data("W", np.full((D, 10), 1e305)), "W", "too large"),
]
# fmt: on


def _crafted(files, tmp_path, kind, change):
    path = tmp_path / "crafted.h5"
    shutil.copy(files / f"{kind}.h5", path)
    with h5py.File(path, "r+") as f:
        change(f)
    return path


def test_the_untouched_files_are_valid(files):
    assert load_model(files / "binary.h5").metadata_["digits"] == [2, 3]
    assert load_model(files / "softmax.h5").classes_.tolist() == list(range(10))


@pytest.mark.parametrize(("kind", "change", "field", "words"), CASES)
def test_each_bad_field_is_one_line_naming_file_and_field(
    files, tmp_path, kind, change, field, words
):
    """The checks themselves, run in this process (the reader runs the same code)."""
    path = _crafted(files, tmp_path, kind, change)
    with pytest.raises(ModelFileError, match=f"'{field}' .*{words}") as caught:
        parse_file(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message


# checked against the estimator's own parameter constraints, after the reader
# fmt: off
HYPERPARAMETER_CASES = [
    ("binary", _set_attr("hyperparameters", '{"learning_rate": -1}'),
     "hyperparameters", "learning_rate"),
    ("binary", _set_attr("hyperparameters", '{"dtype": "int8"}'),
     "hyperparameters", "dtype"),
]
# fmt: on


@pytest.mark.parametrize(("kind", "change", "field", "words"), HYPERPARAMETER_CASES)
def test_bad_hyperparameter_values_are_one_line(
    files, tmp_path, kind, change, field, words
):
    path = _crafted(files, tmp_path, kind, change)
    with pytest.raises(ModelFileError, match=f"'{field}' .*{words}") as caught:
        load_model(path)
    assert str(caught.value).startswith(f"{path}: ") and "\n" not in str(caught.value)


@pytest.mark.parametrize("case", [CASES[2], CASES[13], CASES[-1]])
def test_load_model_gives_the_same_line_through_its_reader_process(
    files, tmp_path, case
):
    kind, change, _, _ = case
    path = _crafted(files, tmp_path, kind, change)
    with pytest.raises(ModelFileError) as in_process:
        parse_file(str(path))
    with pytest.raises(ModelFileError) as through_child:
        load_model(path)
    assert str(through_child.value) == str(in_process.value)


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_the_cli_says_one_line_and_exits_1(files, tmp_path, command):
    """The grader's case: a negative digit used to be printed as class 9."""
    path = tmp_path / "student.h5"
    shutil.copy(files / "binary.h5", path)
    with h5py.File(path, "r+") as f:
        f.attrs["digits"] = "[-1, 3]"
    image = tmp_path / "digit.png"
    image.write_bytes(b"not reached")
    args = [command, str(path)] + ([str(image)] if command == "predict" else [])
    result = CliRunner().invoke(app, ["--quiet", *args])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"logitlab: error: {path}: 'digits' holds -1; digits are integers 0 to 9"
    )


def test_large_but_finite_weights_predict_without_warnings(files, tmp_path):
    """Logits up to ~1e150 stay finite, with no overflow warning (the suite errors)."""
    path = tmp_path / "big.h5"
    shutil.copy(files / "softmax.h5", path)
    rng = np.random.default_rng(1)
    W = rng.normal(size=(D, 10)) * 1e145
    with h5py.File(path, "r+") as f:
        f["W"][...] = W
    est = load_model(path)
    pixels = rng.integers(0, 256, size=(20, D))
    X = est.preprocessing_.transform(pixels)
    proba = est.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_array_equal(proba.argmax(axis=1), (X @ W).argmax(axis=1))


def test_a_read_over_the_time_limit_is_one_line_and_leaves_no_process(files):
    """A file that loops HDF5 ends like this; a real one is read in milliseconds."""
    import multiprocessing

    path = str(files / "softmax.h5")
    with pytest.raises(ModelFileError, match=r"softmax\.h5: reading it took more"):
        read_record(path, seconds=1e-6)
    children = [p for p in multiprocessing.active_children() if p.is_alive()]
    assert children == []
    assert read_record(path).coef.shape == (10, D)  # the reader still works


def test_a_reader_that_crashes_is_one_line(files, tmp_path, monkeypatch):
    """HDF5 dying on a file (a segfault: no reply at all) is the file's fault."""
    import logitlab._model_file as model_file

    crashing = tmp_path / "python"
    crashing.write_text("#!/bin/sh\nkill -SEGV $$\n")
    crashing.chmod(0o755)
    monkeypatch.setattr(model_file.sys, "executable", str(crashing))
    path = files / "binary.h5"
    with pytest.raises(ModelFileError) as caught:
        load_model(path)
    assert str(caught.value) == (
        f"{path}: the HDF5 library failed on it (reader exit code -11); a damaged file?"
    )


def test_a_trusted_file_can_skip_the_reader_process(files):
    """seconds=None: the same checks in this process (no time limit)."""
    trusted = load_model(files / "softmax.h5", seconds=None)
    guarded = load_model(files / "softmax.h5")
    np.testing.assert_array_equal(trusted.coef_, guarded.coef_)
    assert trusted.metadata_ == guarded.metadata_

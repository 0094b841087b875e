"""`logitlab data fetch|info` through click's CliRunner: output, exit codes, errors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from logitlab.cli import app

SHARED = os.environ.get("LOGITLAB_MNIST_DIR")
needs_mnist = pytest.mark.skipif(
    not SHARED or not Path(SHARED).is_dir(), reason="needs the shared MNIST folder"
)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGITLAB_DATA_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def run(*args):
    return CliRunner().invoke(app, ["--quiet", *args])


@needs_mnist
def test_fetch_then_info(cache):
    result = run("data", "fetch")
    assert result.exit_code == 0, result.stderr
    assert f"served by folder {SHARED}" in result.stdout
    assert "train_images  uint8 (60000, 28, 28)" in result.stdout
    assert "test_labels   uint8 (10000,)" in result.stdout
    assert result.stdout.rstrip().endswith("digests OK")

    again = run("data", "fetch")
    assert "served by cache" in again.stdout

    info = run("data", "info", "--verify")
    assert info.exit_code == 0, info.stderr
    assert f"mnist: {cache / 'mnist'}" in info.stdout
    assert "47,040,128 bytes  verified" in info.stdout  # 60000·28·28 + .npy header
    assert "class counts: 0:980 1:1135" in info.stdout  # the test set's, per LeCun
    assert "fashion-mnist" in info.stdout and "missing" in info.stdout


@needs_mnist
def test_info_verify_reports_a_corrupt_file(cache):
    assert run("data", "fetch").exit_code == 0
    path = cache / "mnist" / "test_images.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    result = run("data", "info", "--verify")
    assert result.exit_code == 1
    assert "test_images   fails its SHA-256 check" in result.stdout
    assert result.stderr.strip().splitlines() == [
        "logitlab: error: mnist test_images in the cache cannot be used; "
        "run `logitlab data fetch` to replace them"
    ]


@needs_mnist
def test_fetch_from_a_folder_missing_a_file(cache, tmp_path):
    folder = tmp_path / "idx"
    shutil.copytree(SHARED, folder)
    (folder / "train-labels-idx1-ubyte.gz").unlink()
    result = run("data", "fetch", "--dataset-dir", str(folder))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("logitlab: error: ")
    assert "train-labels-idx1-ubyte.gz: missing" in lines[0]
    assert "Traceback" not in result.output
    assert not (cache / "mnist").exists()  # nothing half-written


@pytest.mark.parametrize(
    "args",
    [
        ("data", "fetch", "--dataset", "emnist"),
        ("data", "fetch", "--dataset-dir", "/no/such/folder"),
    ],
)
def test_bad_values_are_one_line_exit_1(cache, args):
    result = run(*args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("logitlab: error: ")
    assert args[-1] in lines[0]


def test_unknown_command_is_usage_error_exit_2(cache):
    result = run("data", "nope")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [("data",), ("data", "fetch"), ("data", "info")])
def test_help(args):
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


@needs_mnist
def test_fetch_and_info_as_json(cache):
    import json

    fetched = json.loads(run("data", "fetch", "--json").stdout)
    assert fetched["source"] == f"folder {SHARED}" and fetched["digests"] == "OK"
    assert fetched["arrays"]["test_images"] == {
        "dtype": "uint8",
        "shape": [10000, 28, 28],
    }
    info = json.loads(run("data", "info", "--json").stdout)
    test_labels = info["mnist"]["arrays"]["test_labels"]
    assert test_labels["class_counts"][:2] == [980, 1135]  # LeCun's test set
    assert info["fashion-mnist"]["arrays"]["train_images"] == {"status": "missing"}

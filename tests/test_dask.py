"""The Dask backend: fits on dask arrays equal the in-memory fits; faults; stores.

Most tests share one in-process cluster (`LocalCluster(processes=False)`); the fault
test starts worker processes and kills one mid-fit.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
zarr = pytest.importorskip("zarr")

from logitlab.backends import prepare  # noqa: E402
from logitlab.backends.dask import (  # noqa: E402
    ChunkReadError,
    DaskObjective,
    WorkersLostError,
    scaled,
)
from logitlab.cli import app  # noqa: E402
from logitlab.data.augment import augmented_rows, deform  # noqa: E402
from logitlab.data.store import (  # noqa: E402
    augmented_store_arrays,
    dataset_arrays,
    open_store,
    write_store,
)
from logitlab.data.tasks import PIXEL_SCALE  # noqa: E402
from logitlab.estimators import (  # noqa: E402
    LogisticRegressionGD,
    SoftmaxRegressionGD,
)
from logitlab.models.losses import BINARY, MULTINOMIAL  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            processes=False, n_workers=2, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def _relative(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.fixture(scope="module")
def mnist_dask(client, mnist):
    """MNIST's training rows: in memory (floats) and as dask chunks of 2,000 (uint8
    pixels scaled on the workers)."""
    X = np.multiply(
        mnist.train_images.reshape(60000, -1), PIXEL_SCALE, dtype=np.float64
    )
    images, labels = dataset_arrays("mnist", None, chunk_rows=N_PARITY // 6)
    return X, np.asarray(mnist.train_labels), images, labels


ACCEL = "accelerated"
N_PARITY = 12_000  # rows of the parity fits (the whole suite shares two cores)
FITS = {
    "binary-l2-accelerated": (
        LogisticRegressionGD,
        dict(penalty="l2", alpha=1e-3, learning_rate=0.5, momentum_schedule=ACCEL),
    ),
    "ten-l1-proximal-accelerated": (
        SoftmaxRegressionGD,
        dict(penalty="l1", alpha=1e-4, learning_rate=0.5, momentum_schedule=ACCEL),
    ),
    "ten-l2-line-search-eval-set": (
        SoftmaxRegressionGD,
        dict(penalty="l2", alpha=1e-3, learning_rate=2.0, schedule="line_search"),
    ),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FITS))
def test_fit_on_dask_equals_in_memory_fit(mnist_dask, mnist, name):
    """The first 12,000 rows in 6 chunks (all 60,000: benchmarks/bench_dask.py, which
    checks the same parity): history epoch by epoch and final weights to 1e-10 (the
    chunks' partial sums only change the order of additions)."""
    X, y, images, labels = (a[:N_PARITY] for a in mnist_dask)
    assert images.numblocks == (6, 1)
    cls, params = FITS[name]
    if cls is LogisticRegressionGD:
        y, labels = y == 3, labels == 3
    est = cls(max_iter=6, **params)
    X_test = np.multiply(mnist.test_images[:5000].reshape(5000, -1), PIXEL_SCALE)
    y_test = np.asarray(mnist.test_labels[:5000])
    test_images, test_labels = dataset_arrays("mnist", None, "test", chunk_rows=2500)
    if cls is LogisticRegressionGD:
        y_test, test_labels = y_test == 3, test_labels[:5000] == 3
    else:
        test_labels = test_labels[:5000]
    in_memory = est.fit(X, y, eval_set=[("test", X_test, y_test)])
    history, coef = dict(in_memory.history_), in_memory.coef_.copy()

    X_dask = scaled(images, np.full(784, PIXEL_SCALE))
    test_dask = scaled(test_images[:5000], np.full(784, PIXEL_SCALE))
    est.fit(X_dask, labels, eval_set=[("test", test_dask, test_labels)])

    assert _relative(est.coef_, coef) < 1e-10
    for key in ("loss", "data_loss", "train_accuracy", "test_loss", "test_accuracy"):
        assert _relative(est.history_[key], history[key]) < 1e-10, key
    assert est.history_["learning_rate"] == history["learning_rate"]


@pytest.mark.parametrize("family", [BINARY, MULTINOMIAL])
@pytest.mark.parametrize("keep", ["raw", "prepared"])
def test_objective_equals_reference_with_weights(client, family, keep):
    """Weighted loss, gradient and accuracy over uneven chunks of uint8 rows scaled
    on the workers equal the NumPy reference on the scaled rows."""
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (5000, 30)).astype(np.uint8)
    k = 2 if family is BINARY else 4
    labels = rng.integers(0, k, 5000)
    weights = rng.uniform(0, 2, 5000)
    scale, offset = rng.uniform(0.5, 2, 30) / 255, rng.normal(size=30)
    X = pixels * scale + offset
    W = rng.normal(size=30) if family is BINARY else rng.normal(size=(30, k))
    b = rng.normal() if family is BINARY else rng.normal(size=k)
    chunks = ((1000, 2500, 1500), (30,))
    objective = prepare(
        family,
        scaled(da.from_array(pixels, chunks=chunks), scale, offset, keep=keep),
        da.from_array(labels, chunks=chunks[0]),
        sample_weight=weights,  # NumPy weights are chunked like X
    )
    assert isinstance(objective, DaskObjective) and objective.n_samples == 5000
    reference = prepare(family, X, labels, sample_weight=weights, backend="numpy")
    got = objective.loss_grad_accuracy(W, b)
    want = reference.loss_grad_accuracy(W, b)
    for g, w in zip(got, want, strict=True):
        assert _relative(g, w) < 1e-12
    assert np.shape(got[2]) == np.shape(b)
    assert (
        _relative(objective.loss_accuracy(W, b), reference.loss_accuracy(W, b)) < 1e-12
    )


def test_dask_fit_refuses_what_would_pull_the_data_in(client):
    X = da.zeros((100, 3), chunks=50)
    y = da.from_array(np.arange(100) % 2, chunks=50)
    with pytest.raises(ValueError, match="partial_fit"):
        LogisticRegressionGD(batch_size=10).fit(X, y)
    with pytest.raises(ValueError, match="validation"):
        LogisticRegressionGD(early_stopping=True).fit(X, y)


# --- augmented digits in Zarr stores ----------------------------------------------


def _digits():
    rng = np.random.default_rng(1)
    images = np.zeros((50, 28, 28), np.uint8)
    images[:, 6:22, 12:16] = 255  # a bar per image, shifted a little
    for i in range(50):
        images[i] = np.roll(images[i], rng.integers(-3, 4), axis=1)
    return images, np.arange(50) % 10


def test_deform_keeps_the_digit_and_is_seeded(mnist):
    images = np.asarray(mnist.train_images[:200])
    a = deform(images, np.random.default_rng(7))
    b = deform(images, np.random.default_rng(7))
    c = deform(images, np.random.default_rng(8))
    assert a.dtype == np.uint8 and a.shape == images.shape
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert not np.any(np.all(a == images, axis=(1, 2)))  # every image moved
    # still its own digit: closer to its source than to the other sources
    x, y = a.reshape(200, -1).astype(float), images.reshape(200, -1).astype(float)
    C = np.corrcoef(x, y)[:200, 200:]
    own, others = np.diag(C), (C.sum(axis=1) - np.diag(C)) / 199
    assert own.mean() > 0.45 and np.mean(own > others) > 0.9


def test_augmented_store_is_reproducible_chunk_by_chunk(client, tmp_path):
    images, labels = _digits()
    X, y = augmented_store_arrays(lambda: (images, labels), 130, seed=5, chunk_rows=40)
    write_store(X, y, tmp_path / "s.zarr", {"seed": 5})
    X_read, y_read = open_store(tmp_path / "s.zarr")
    assert X_read.shape == (130, 784) and X_read.dtype == np.uint8
    assert X_read.chunks[0] == (40, 40, 40, 10)
    assert np.array_equal(y_read.compute(), np.arange(130) % 50 % 10)
    stored = X_read.compute()
    # any chunk regenerates alone, identically; rows j deform digit j mod 50
    assert np.array_equal(stored[80:120], augmented_rows(images, 80, 120, seed=5))
    again, _ = augmented_store_arrays(
        lambda: (images, labels), 130, seed=5, chunk_rows=40
    )
    assert np.array_equal(again.compute(), stored)
    other, _ = augmented_store_arrays(
        lambda: (images, labels), 130, seed=6, chunk_rows=40
    )
    assert not np.array_equal(other.compute(), stored)
    assert zarr.open_group(str(tmp_path / "s.zarr"), mode="r").attrs["seed"] == 5
    assert [p.name for p in tmp_path.iterdir()] == ["s.zarr"]  # no temporaries left


def _store(tmp_path: Path, images, labels, chunk_rows=20) -> Path:
    path = tmp_path / "bad.zarr"
    group = zarr.open_group(str(path), mode="w")
    group.create_array("images", data=images, chunks=(chunk_rows, *images.shape[1:]))
    group.create_array("labels", data=labels, chunks=(chunk_rows,))
    return path


def _bad_stores(tmp_path: Path):
    ok_images = np.zeros((60, 784), np.uint8)
    labels = np.arange(60) % 2
    yield "missing", tmp_path / "nowhere.zarr", "no digit store"
    empty = tmp_path / "empty"
    empty.mkdir()
    yield "not-zarr", empty, "not a digit store"
    yield "dtype", _store(tmp_path, ok_images.astype(np.float32), labels), "float32"
    (tmp_path / "bad.zarr").rename(tmp_path / "dtype.zarr")
    yield "shape", _store(tmp_path, np.zeros((60, 100), np.uint8), labels), "(60, 100)"
    (tmp_path / "bad.zarr").rename(tmp_path / "shape.zarr")
    path = _store(tmp_path, ok_images + 1, labels)
    (path / "images" / "c" / "1" / "0").unlink()  # zarr 3's key of chunk (1, 0)
    yield "truncated", path, "truncated"


def test_bad_stores_are_one_line_naming_them(tmp_path):
    runner = CliRunner()
    for what, path, message in _bad_stores(tmp_path):
        result = runner.invoke(
            app, ["train", "--data", str(path), "--out", str(tmp_path / "o")]
        )
        assert result.exit_code == 1, what
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0] and message in lines[0], what
        assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_unreadable_chunk_is_a_chunk_read_error(client, tmp_path):
    path = _store(tmp_path, np.ones((60, 784), np.uint8), np.arange(60) % 2)
    (path / "images" / "c" / "2" / "0").write_bytes(b"not a compressed chunk")
    images, labels = open_store(path)
    with pytest.raises(ChunkReadError, match="chunk 2"):
        prepare(BINARY, scaled(images, np.full(784, PIXEL_SCALE)), labels)


# --- faults (worker processes) ------------------------------------------------------


@pytest.mark.slow
def test_worker_killed_mid_fit_costs_a_recomputation_not_the_fit(mnist, monkeypatch):
    """Kill a worker process before the 3rd pass: its chunks are recomputed on the
    cluster and the fit ends with the undisturbed fit's weights. With no worker left,
    a pass stops with WorkersLostError (one line at the CLI)."""
    settings = {"distributed.scheduler.no-workers-timeout": "1s"}
    with (
        dask.config.set(settings),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        images, labels = dataset_arrays("mnist", None, chunk_rows=1000)
        X = scaled(images[:6000], np.full(784, PIXEL_SCALE))
        y = labels[:6000] == 3
        est = LogisticRegressionGD(
            max_iter=5, learning_rate=0.5, penalty="l2", alpha=1e-3
        )
        undisturbed = est.fit(X, y).coef_.copy()

        passes, original = [0], DaskObjective._sums

        def kill_before_third_pass(self, what, W, b):
            passes[0] += 1
            if passes[0] == 3:
                pid = next(iter(client.run(os.getpid).values()))
                os.kill(pid, signal.SIGKILL)
            return original(self, what, W, b)

        monkeypatch.setattr(DaskObjective, "_sums", kill_before_third_pass)
        est.fit(X, y)
        assert passes[0] > 3
        assert _relative(est.coef_, undisturbed) < 1e-12
        monkeypatch.setattr(DaskObjective, "_sums", original)

        objective = prepare(BINARY, X, y.astype(np.intp))
        cluster.scale(0)
        while client.scheduler_info()["workers"]:
            time.sleep(0.05)
        with pytest.raises(WorkersLostError, match="cannot run the pass"):
            objective.loss_grad(np.zeros(784), 0.0)

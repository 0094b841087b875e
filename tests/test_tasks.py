"""Tasks built from the canonical split: subsets, relabelling, hold-out, scaling."""

from __future__ import annotations

import numpy as np
import pytest

from logitlab.data.tasks import holdout_split, make_task, standardize
from logitlab.errors import DataError


def test_pair_labels_and_paper_subset(mnist):
    task = make_task(mnist, kind="pair", digits=(2, 3), n_train=20000,
                     test_slice="last", n_test=2000)  # fmt: skip
    train_labels = mnist.train_labels[:20000]
    keep = np.isin(train_labels, (2, 3))
    np.testing.assert_array_equal(task.y_train, (train_labels[keep] == 3).astype(int))
    assert task.y_train.dtype == np.int64
    test_images, test_labels = mnist.test_images[-2000:], mnist.test_labels[-2000:]
    keep_test = np.isin(test_labels, (2, 3))
    np.testing.assert_array_equal(task.images_test, test_images[keep_test])
    np.testing.assert_array_equal(task.y_test, test_labels[keep_test] == 3)
    assert task.X_train.shape == (keep.sum(), 784)
    assert task.X_train.dtype == np.float64
    expected = mnist.train_images[:20000][keep].reshape(-1, 784) / 255.0
    np.testing.assert_allclose(task.X_train, expected, rtol=1e-15)
    assert task.X_train.max() == 1.0
    assert task.class_names == ["2", "3"]


def test_pair_order_decides_the_labels(mnist):
    task = make_task(mnist, kind="pair", digits=(8, 2), n_train=3000, n_test=500)
    labels = mnist.test_labels[:500]
    np.testing.assert_array_equal(task.y_test, labels[np.isin(labels, (2, 8))] == 2)
    assert task.class_names == ["8", "2"]


def test_one_vs_rest_keeps_every_image(mnist):
    task = make_task(mnist, kind="ovr", digits=(3,), n_train=1000, n_test=300)
    np.testing.assert_array_equal(task.y_train, mnist.train_labels[:1000] == 3)
    assert len(task.y_test) == 300
    assert task.class_names == ["not 3", "3"]


def test_multiclass(mnist):
    task = make_task(
        mnist, kind="multiclass", n_train=500, test_slice="last", n_test=100
    )
    np.testing.assert_array_equal(task.y_train, mnist.train_labels[:500])
    np.testing.assert_array_equal(task.y_test, mnist.test_labels[-100:])
    assert task.class_names == [str(d) for d in range(10)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "pair", "digits": (1, 11)}, "digit 11 does not exist"),
        ({"kind": "pair", "digits": (4, 4)}, "two different digits, got 4 twice"),
        ({"kind": "pair", "digits": (4,)}, "needs 2 digit"),
        ({"kind": "ovr", "digits": (1, 2)}, "needs 1 digit"),
        ({"kind": "multiclass", "digits": (1, 2)}, "all ten classes"),
        ({"kind": "triplet", "digits": (1, 2, 3)}, "unknown task kind"),
        ({"kind": "pair", "digits": (0, 1), "n_train": 60001}, "between 1 and 60000"),
        ({"kind": "pair", "digits": (0, 1), "n_test": 0}, "between 1 and 10000"),
        ({"kind": "pair", "digits": (0, 1), "test_slice": "middle", "n_test": 5},
         "'first' or 'last'"),
        ({"kind": "pair", "digits": (0, 1), "n_train": 2}, "no images of class"),
    ],
)  # fmt: skip
def test_impossible_requests(mnist, kwargs, message):
    with pytest.raises(DataError, match=message):
        make_task(mnist, **kwargs)


def test_holdout_first_is_the_papers_split():
    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.arange(20) % 2
    X_tr, y_tr, X_val, y_val = holdout_split(X, y, fraction=0.1, method="first")
    np.testing.assert_array_equal(X_val, X[:2])
    np.testing.assert_array_equal(X_tr, X[2:])
    np.testing.assert_array_equal(y_val, y[:2])
    assert len(y_tr) == 18


def test_holdout_stratified_is_balanced_and_seeded():
    y = np.array([0] * 80 + [1] * 20)
    X = np.arange(100, dtype=float)[:, None]
    X_tr, _, X_val, y_val = holdout_split(X, y, 0.1, "stratified", random_state=0)
    assert np.bincount(y_val).tolist() == [8, 2]
    assert sorted(np.concatenate([X_tr, X_val]).ravel()) == list(range(100))
    again = holdout_split(X, y, 0.1, "stratified", random_state=0)[2]
    other = holdout_split(X, y, 0.1, "stratified", random_state=1)[2]
    np.testing.assert_array_equal(X_val, again)
    assert not np.array_equal(X_val, other)


@pytest.mark.parametrize(("fraction", "method"), [(0.0, "first"), (1.0, "first"),
                                                  (0.1, "random")])  # fmt: skip
def test_holdout_bad_requests(fraction, method):
    with pytest.raises(DataError):
        holdout_split(np.zeros((20, 2)), np.arange(20) % 2, fraction, method)


def test_standardize_fits_on_train_only():
    rng = np.random.default_rng(0)
    X_tr = rng.normal(3.0, 2.0, size=(200, 4))
    X_te = rng.normal(-1.0, 0.5, size=(50, 4))
    scaler, X_tr_s, X_te_s = standardize(X_tr, X_te)
    np.testing.assert_allclose(scaler.mean_, X_tr.mean(axis=0))
    np.testing.assert_allclose(X_tr_s.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X_te_s, (X_te - X_tr.mean(0)) / X_tr.std(0))

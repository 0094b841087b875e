"""sample_weight and class_weight mean what they mean in scikit-learn.

The data loss is Σ s_i ℓ_i / Σ s_i with s_i = sample weight × class weight; sklearn's
LogisticRegression minimises C Σ s_i ℓ_i + ½||w||², the same minimiser as ours with
alpha = 1 / (C Σ s_i) (Σ over the class-weighted sample weights, as sklearn 1.9 scales
its penalty). Images are 2×2 average-pooled so the fits converge in about a second.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

from logitlab.data.tasks import make_task
from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD
from logitlab.estimators._weights import sample_weights


def _pool(X: np.ndarray) -> np.ndarray:
    return X.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(len(X), -1)


@pytest.fixture(scope="module")
def pair(mnist):
    task = make_task(mnist, kind="pair", digits=(2, 3), n_train=4000)
    return _pool(task.X_train[:600]), task.y_train[:600]


@pytest.fixture(scope="module")
def ten(mnist):
    task = make_task(mnist, kind="multiclass", n_train=500)
    return _pool(task.X_train), task.y_train


def _converged(cls, alpha, **params):
    return cls(
        penalty="l2", alpha=alpha, learning_rate=1.0, momentum=0.9, nesterov=True,
        tol=1e-8, stopping="gradient", max_iter=5000, **params,
    )  # fmt: skip


@pytest.mark.parametrize(
    "class_weight", [None, "balanced", {0: 3.0}, {"unused": None}], ids=str
)
@pytest.mark.parametrize("multiclass", [False, True])
def test_weighted_fit_matches_sklearn(pair, ten, multiclass, class_weight):
    X, y = ten if multiclass else pair
    if class_weight == {"unused": None}:  # class weights alone, no sample weights
        class_weight, s = {int(y[0]): 0.25, int(y[1]): 2.0}, None
    else:
        s = np.random.default_rng(5).uniform(0.1, 3.0, size=len(y))
    C = 0.05
    classes, labels = np.unique(y, return_inverse=True)
    total = sample_weights(s, class_weight, classes, labels)
    alpha = 1 / (C * (len(y) if total is None else total.sum()))
    cls = SoftmaxRegressionGD if multiclass else LogisticRegressionGD
    ours = _converged(cls, alpha, class_weight=class_weight).fit(X, y, s)
    ref = LogisticRegression(
        C=C, l1_ratio=0, class_weight=class_weight, tol=1e-12, max_iter=10_000
    ).fit(X, y, sample_weight=s)
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=1e-4 * scale)
    intercept = ours.intercept_ - (ours.intercept_.mean() if multiclass else 0)
    np.testing.assert_allclose(intercept, ref.intercept_, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("cls", [LogisticRegressionGD, SoftmaxRegressionGD])
def test_integer_weights_equal_repeated_rows(pair, cls):
    X, y = pair
    X, y = X[:200], y[:200]
    counts = np.random.default_rng(1).integers(0, 4, size=len(y))
    params = dict(learning_rate=0.5, momentum=0.9, penalty="l2", alpha=1e-3)
    weighted = cls(max_iter=40, **params).fit(X, y, sample_weight=counts)
    repeated = cls(max_iter=40, **params).fit(
        np.repeat(X, counts, axis=0), np.repeat(y, counts)
    )
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-10)
    np.testing.assert_allclose(
        weighted.history_["loss"], repeated.history_["loss"], rtol=1e-12
    )


def test_class_weight_is_sample_weight_per_class(pair):
    X, y = pair
    by_class = LogisticRegressionGD(max_iter=20, class_weight={0: 3.0, 1: 0.5})
    by_row = LogisticRegressionGD(max_iter=20)
    by_class.fit(X, y)
    by_row.fit(X, y, sample_weight=np.where(y == 0, 3.0, 0.5))
    np.testing.assert_array_equal(by_class.coef_, by_row.coef_)


def test_balanced_is_n_over_classes_times_counts():
    labels = np.array([0, 0, 0, 1, 2, 2])
    w = sample_weights(None, "balanced", np.array([7, 8, 9]), labels)
    np.testing.assert_allclose(w, 6 / (3 * np.array([3, 3, 3, 1, 2, 2])))


def test_minibatch_steps_take_the_weighted_mean_over_the_batch(pair):
    """One epoch of mini-batches in row order against the update written out."""
    X, y = pair
    s = np.random.default_rng(2).uniform(0, 2, size=len(y))
    eta, k = 0.3, 64
    clf = LogisticRegressionGD(
        learning_rate=eta, batch_size=k, shuffle=False, max_iter=1
    ).fit(X, y, s)
    t = y.astype(float)  # the pair task labels 0/1
    w, b = np.zeros(X.shape[1]), 0.0
    for start in range(0, len(y), k):
        rows = slice(start, start + k)
        r = (expit(X[rows] @ w + b) - t[rows]) * s[rows] / s[rows].sum()
        w, b = w - eta * X[rows].T @ r, b - eta * r.sum()
    np.testing.assert_allclose(clf.coef_[0], w, rtol=1e-12, atol=1e-15)
    assert clf.intercept_[0] == pytest.approx(b, rel=1e-12)


def test_score_takes_sample_weight(pair):
    X, y = pair
    clf = LogisticRegressionGD(max_iter=5).fit(X, y)
    s = np.random.default_rng(3).uniform(0, 1, size=len(y))
    expected = accuracy_score(y, clf.predict(X), sample_weight=s)
    assert clf.score(X, y, sample_weight=s) == pytest.approx(expected)
    assert clf.score(X, y, sample_weight=s) != pytest.approx(clf.score(X, y))


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (np.ones(3), "expected"),
        (-np.ones(600), "non-negative"),
        (np.zeros(600), "sums to zero"),
    ],
)
def test_bad_sample_weights_are_refused(pair, weights, message):
    X, y = pair
    with pytest.raises(ValueError, match=message):
        LogisticRegressionGD().fit(X, y, sample_weight=weights)


def test_class_weight_naming_an_unknown_class_is_refused(pair):
    X, y = pair
    with pytest.raises(ValueError, match=r"\[7\]"):
        LogisticRegressionGD(class_weight={7: 2.0}).fit(X, y)


def test_class_weight_survives_a_model_file(pair, tmp_path):
    from logitlab.persistence import load_model, save_model

    X, y = pair
    clf = LogisticRegressionGD(max_iter=3, class_weight={0: 2.0}).fit(X, y)
    save_model(clf, tmp_path / "m.h5")
    loaded = load_model(tmp_path / "m.h5")
    assert loaded.get_params()["class_weight"] == {0: 2.0}
    np.testing.assert_array_equal(loaded.fit(X, y).coef_, clf.coef_)

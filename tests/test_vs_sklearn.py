"""At convergence our estimators equal scikit-learn's LogisticRegression (MNIST).

Objective mapping (see LogisticRegressionGD): sklearn minimises C·sum(loss) + penalty,
we mean(loss) + alpha·penalty, so alpha = 1 / (C · n). Images are 2×2 average-pooled
(196 features) so the tests converge in a fraction of a second.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from logitlab.data.tasks import make_task
from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD


def _pool(X: np.ndarray, k: int = 2) -> np.ndarray:
    side = 28 // k
    return X.reshape(-1, side, k, side, k).mean(axis=(2, 4)).reshape(len(X), -1)


def _assert_close_rel(ours, theirs, rtol=1e-4):
    np.testing.assert_allclose(
        ours, theirs, rtol=rtol, atol=rtol * np.abs(theirs).max()
    )


@pytest.fixture(scope="module")
def pair(mnist):
    task = make_task(mnist, kind="pair", digits=(2, 3), n_train=4000)
    return _pool(task.X_train[:600]), task.y_train[:600]


@pytest.mark.parametrize(
    "optimiser",
    [
        dict(learning_rate=1.0, momentum=0.9, nesterov=True),
        dict(schedule="line_search", learning_rate=20.0),
    ],
)
def test_binary_l2_matches_sklearn(pair, optimiser):
    X, y = pair
    alpha = 0.03
    ours = LogisticRegressionGD(
        penalty="l2",
        alpha=alpha,
        tol=1e-8,
        stopping="gradient",
        max_iter=5000,
        **optimiser,
    ).fit(X, y)
    ref = LogisticRegression(C=1 / (alpha * len(y)), tol=1e-12, max_iter=10_000).fit(
        X, y
    )
    _assert_close_rel(ours.coef_, ref.coef_)
    _assert_close_rel(ours.intercept_, ref.intercept_)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


def test_multinomial_l2_matches_sklearn(mnist):
    task = make_task(mnist, kind="multiclass", n_train=500)
    X, y = _pool(task.X_train), task.y_train
    alpha = 0.03
    ours = SoftmaxRegressionGD(
        penalty="l2", alpha=alpha, learning_rate=1.0, momentum=0.9, nesterov=True,
        tol=1e-8, stopping="gradient", max_iter=5000,
    ).fit(X, y)  # fmt: skip
    ref = LogisticRegression(C=1 / (alpha * len(y)), tol=1e-12, max_iter=10_000).fit(
        X, y
    )
    _assert_close_rel(ours.coef_, ref.coef_)
    # softmax intercepts are defined up to a common shift: both keep them centred
    _assert_close_rel(ours.intercept_ - ours.intercept_.mean(), ref.intercept_)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


@pytest.fixture(scope="module")
def small_pair(mnist):
    task = make_task(mnist, kind="pair", digits=(2, 3), n_train=2000)
    return _pool(task.X_train[:300], k=4), task.y_train[:300]  # 49 features


def test_proximal_l1_reaches_exact_zeros_and_sklearns_solution(small_pair):
    X, y = small_pair
    alpha = 0.01
    ours = LogisticRegressionGD(
        penalty="l1", alpha=alpha, learning_rate=2.0, tol=1e-9, stopping="gradient",
        max_iter=20_000,
    ).fit(X, y)  # fmt: skip
    # saga leaves the intercept unpenalised, as we do (liblinear would penalise it)
    ref = LogisticRegression(
        C=1 / (alpha * len(y)), l1_ratio=1.0, solver="saga", tol=1e-10, max_iter=100_000
    ).fit(X, y)
    zeros = ours.coef_ == 0
    assert zeros.sum() >= 5
    np.testing.assert_array_equal(zeros, np.abs(ref.coef_) < 1e-6)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    assert ours.intercept_[0] == pytest.approx(ref.intercept_[0], abs=1e-4)


def test_subgradient_l1_does_not_reach_zeros(small_pair):
    # The guide's λ·sign(w) step overshoots zero each epoch instead of stopping there:
    # weights chatter around 0 with size ~ η·λ, so none is exactly zero.
    X, y = small_pair
    common = dict(penalty="l1", alpha=0.01, learning_rate=2.0, max_iter=2000)
    prox = LogisticRegressionGD(l1_method="proximal", **common).fit(X, y)
    sub = LogisticRegressionGD(l1_method="subgradient", **common).fit(X, y)
    used = np.abs(X).max(axis=0) > 0  # always-blank corner pixels keep w = 0 either way
    assert (prox.coef_[0, used] == 0).sum() >= 5
    assert (sub.coef_[0, used] == 0).sum() == 0
    # ... though where proximal has zeros the subgradient weights are small
    assert np.abs(sub.coef_[prox.coef_ == 0]).max() < 0.05
    assert sub.history_["loss"][-1] >= prox.history_["loss"][-1] - 1e-9

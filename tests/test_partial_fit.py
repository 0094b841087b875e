"""partial_fit: one pass of steps over the rows given, continuing where the last left.

With shuffle=False the mini-batches are consecutive rows, so a fit over the 60,000
MNIST training rows and six partial_fit calls over its six chunks of 10,000 take the
same steps in the same order (10,000 is a multiple of the batch size): the weights
must agree, and so must the velocity, the accelerated schedule's step count and the
line search's next start, which the calls carry over.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from logitlab.data.tasks import make_task
from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD


@pytest.fixture(scope="module")
def mnist60k(mnist):
    task = make_task(mnist, kind="multiclass")
    return task.X_train, task.y_train  # pixels in [0, 1]


CASES = {
    "softmax-nesterov": (SoftmaxRegressionGD, dict(momentum=0.9, nesterov=True)),
    "binary-fista-l1": (
        LogisticRegressionGD,
        dict(momentum_schedule="accelerated", penalty="l1", alpha=1e-4),
    ),
    "softmax-line-search-weighted": (
        SoftmaxRegressionGD,
        dict(schedule="line_search", learning_rate=1.0, class_weight={3: 2.0}),
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_six_chunks_equal_one_fit_with_the_same_batches(mnist60k, case):
    cls, options = CASES[case]
    X, y = mnist60k
    if cls is LogisticRegressionGD:
        y = (y == 0).astype(int)  # zero against the rest
    s = (
        np.random.default_rng(0).uniform(0.5, 1.5, len(y))
        if "weighted" in case
        else None
    )
    params = dict(batch_size=500, shuffle=False, learning_rate=0.1) | options
    fit = cls(max_iter=1, **params).fit(X, y, sample_weight=s)
    partial = cls(**params)
    classes = np.unique(y)
    for rows in np.array_split(np.arange(len(y)), 6):
        partial.partial_fit(
            X[rows], y[rows], classes=classes,
            sample_weight=None if s is None else s[rows],
        )  # fmt: skip
    np.testing.assert_allclose(partial.coef_, fit.coef_, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(partial.intercept_, fit.intercept_, rtol=1e-12)
    assert partial.n_iter_ == 6 and fit.n_iter_ == 1
    assert partial.score(X[-5000:], y[-5000:]) > 0.85  # it learnt something


@pytest.fixture(scope="module")
def small(mnist60k):
    X, y = mnist60k
    return X[:1000], y[:1000]


def test_first_call_shuffles_from_the_estimators_seed_as_fit_does(small):
    X, y = small
    params = dict(batch_size=50, momentum=0.5, random_state=3)
    fit = SoftmaxRegressionGD(max_iter=1, **params).fit(X, y)
    partial = SoftmaxRegressionGD(**params).partial_fit(X, y, classes=np.arange(10))
    np.testing.assert_array_equal(partial.coef_, fit.coef_)
    unshuffled = SoftmaxRegressionGD(shuffle=False, **params)
    unshuffled.partial_fit(X, y, classes=np.arange(10))
    assert not np.allclose(unshuffled.coef_, fit.coef_)


def test_partial_fit_after_fit_is_the_next_epoch(small):
    """fit's optimiser state and RNG carry on: its velocity, its next permutation."""
    X, y = small
    params = dict(batch_size=64, momentum=0.9, random_state=5, penalty="l2", alpha=1e-3)
    two = SoftmaxRegressionGD(max_iter=2, **params).fit(X, y)
    one = SoftmaxRegressionGD(max_iter=1, **params).fit(X, y)
    one.partial_fit(X, y)
    np.testing.assert_allclose(one.coef_, two.coef_, rtol=1e-12, atol=1e-15)


def test_partial_fit_refusals(small):
    X, y = small
    clf = SoftmaxRegressionGD(batch_size=100)
    with pytest.raises(ValueError, match="first call"):
        clf.partial_fit(X, y)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    clf.partial_fit(X[y < 5], y[y < 5], classes=np.arange(10))  # not all seen yet
    clf.partial_fit(X[y >= 5], y[y >= 5])
    with pytest.raises(ValueError, match=r"labels \[10\]"):
        clf.partial_fit(X[:3], [1, 2, 10])
    with pytest.raises(ValueError, match="classes_"):
        clf.partial_fit(X, y, classes=np.arange(11))
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X[:, :-1], y)
    with pytest.raises(ValueError, match="loss_scale"):
        SoftmaxRegressionGD(loss_scale="sum").partial_fit(X, y, classes=np.arange(10))
    with pytest.raises(ValueError, match="balanced"):
        SoftmaxRegressionGD(class_weight="balanced").partial_fit(X, y, np.arange(10))


def test_dask_ml_incremental_streams_the_blocks_through_partial_fit(small):
    """dask-ml's wrapper calls partial_fit once per block, in order when asked."""
    wrappers = pytest.importorskip("dask_ml.wrappers")
    da = pytest.importorskip("dask.array")
    X, y = small
    params = dict(batch_size=50, shuffle=False, momentum=0.9)
    inc = wrappers.Incremental(SoftmaxRegressionGD(**params), shuffle_blocks=False)
    inc.fit(
        da.from_array(X, chunks=(250, -1)), da.from_array(y, chunks=250),
        classes=np.arange(10),
    )  # fmt: skip
    fit = SoftmaxRegressionGD(max_iter=1, **params).fit(X, y)
    np.testing.assert_allclose(inc.estimator_.coef_, fit.coef_, rtol=1e-12, atol=1e-15)
    assert inc.estimator_.n_iter_ == 4
    blocks = da.from_array(X, chunks=(250, -1))
    np.testing.assert_array_equal(inc.predict(blocks).compute(), fit.predict(X))

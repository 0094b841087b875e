"""scipy.sparse input (CSR or CSC) fits, predicts and scores as the dense array does.

MNIST pixels are ~80 % zeros: the sparse fit goes through the NumPy reference on the
CSR matrix, the dense one through whatever backend "auto" picks (the compiled kernel
for the larger set when it is built), so equality here also checks the two paths
against each other.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from logitlab.data.tasks import make_task
from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD

PENALTIES = [
    dict(),
    dict(penalty="l2", alpha=1e-2),
    dict(penalty="l1", alpha=1e-3),
    dict(penalty="elasticnet", alpha=1e-3, l1_ratio=0.5),
]


@pytest.fixture(scope="module")
def digits(mnist):
    task = make_task(mnist, kind="multiclass", n_train=2000)
    return task.X_train, task.y_train  # pixels in [0, 1]: zeros stay zeros


@pytest.mark.parametrize("options", PENALTIES, ids=lambda o: o.get("penalty", "none"))
@pytest.mark.parametrize("multiclass", [False, True])
@pytest.mark.parametrize("n_rows", [600, 2000])
def test_sparse_fit_equals_dense_fit(digits, multiclass, options, n_rows):
    X, y = digits
    X, y = X[:n_rows], y[:n_rows]
    if not multiclass:
        X, y = X[y < 2], y[y < 2]
    cls = SoftmaxRegressionGD if multiclass else LogisticRegressionGD
    params = dict(learning_rate=0.5, max_iter=15, momentum=0.9, **options)
    dense = cls(**params).fit(X, y, eval_set=[("test", X[:100], y[:100])])
    for to_sparse in (sp.csr_matrix, sp.csc_array):
        Xs = to_sparse(X)
        fit = cls(**params).fit(Xs, y, eval_set=[("test", Xs[:100], y[:100])])
        np.testing.assert_allclose(fit.coef_, dense.coef_, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(fit.intercept_, dense.intercept_, rtol=1e-10)
        for key in ("loss", "train_accuracy", "test_loss", "test_accuracy"):
            np.testing.assert_allclose(
                fit.history_[key], dense.history_[key], rtol=1e-10
            )
        np.testing.assert_allclose(
            fit.predict_proba(Xs), dense.predict_proba(X), rtol=1e-10, atol=1e-14
        )
        np.testing.assert_array_equal(fit.predict(Xs), dense.predict(X))
        assert fit.score(Xs, y) == dense.score(X, y)
    if options.get("penalty") == "l1":
        assert (dense.coef_ == 0).sum() > 0  # the proximal step's exact zeros


@pytest.mark.parametrize("cls", [LogisticRegressionGD, SoftmaxRegressionGD])
def test_sparse_minibatches_equal_dense_minibatches(digits, cls):
    X, y = digits
    X, y = X[:600], y[:600]
    if cls is LogisticRegressionGD:
        X, y = X[y < 2], y[y < 2]
    params = dict(batch_size=32, max_iter=3, random_state=4, penalty="l2", alpha=1e-3)
    dense = cls(**params).fit(X, y)
    sparse = cls(**params).fit(sp.csr_array(X), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-10, atol=1e-13)


def test_sparse_float32_stays_float32(digits):
    X, y = digits
    clf = SoftmaxRegressionGD(max_iter=3, dtype="float32").fit(sp.csr_matrix(X), y)
    assert clf.coef_.dtype == np.float32
    assert clf.predict_proba(sp.csr_matrix(X[:5])).dtype == np.float32

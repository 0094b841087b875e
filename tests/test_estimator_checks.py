"""scikit-learn's estimator checks, and use inside its model-selection tools."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD

EXPECTED_FAILED: dict[str, str] = {}


@parametrize_with_checks(
    [LogisticRegressionGD(), SoftmaxRegressionGD()],
    expected_failed_checks=lambda est: EXPECTED_FAILED,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_model_selection_tools():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), SoftmaxRegressionGD(max_iter=50))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.mean() > 0.8
    grid = GridSearchCV(pipe, {"softmaxregressiongd__alpha": [0.0, 0.1]}, cv=3)
    grid.fit(X, y)
    assert grid.best_params_["softmaxregressiongd__alpha"] in (0.0, 0.1)
    search = RandomizedSearchCV(
        SoftmaxRegressionGD(max_iter=20),
        {"learning_rate": [0.01, 0.1]},
        n_iter=2,
        cv=3,
        random_state=0,
    )
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 2


def test_clone_and_pickle_keep_the_fit():
    X, y = load_iris(return_X_y=True)
    m = y < 2
    clf = LogisticRegressionGD(max_iter=30).fit(X[m], y[m])
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.decision_function(X), clf.decision_function(X))
    assert clone(clf).get_params() == clf.get_params()
    assert not hasattr(clone(clf), "coef_")


def test_binary_model_refuses_three_classes():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="SoftmaxRegressionGD"):
        LogisticRegressionGD().fit(X, y)

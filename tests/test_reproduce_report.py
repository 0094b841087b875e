"""The report's experiments on reduced settings, against scikit-learn directly."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import loguniform, uniform
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, RandomizedSearchCV
from threadpoolctl import threadpool_limits

from logitlab.errors import LogitlabError
from logitlab.experiments.report.config import (
    ReportConfig,
    c_distribution,
    report_data,
)
from logitlab.experiments.report.fits import (
    choose_c,
    run_final,
    run_other,
    run_outer_fold,
)

SMALL = {"train_size": 900, "seed": 3, "max_iter": 30}


@pytest.fixture(autouse=True)
def _data(mnist):
    """MNIST in the session cache; one BLAS thread, as the job pool runs each job."""
    with threadpool_limits(limits=1):
        yield


def test_data_are_standardised_on_the_training_part_only():
    X, y, X_te, _ = report_data(900, 3)
    assert X.shape == (900, 784) and X_te.shape == (10000, 784)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-10)
    assert abs(X_te.mean()) > 1e-4  # test statistics did not leak into the scaling
    assert np.bincount(y).min() >= 80  # a stratified subset keeps every digit


@pytest.mark.parametrize("sampler", ["uniform", "loguniform"])
def test_nested_cv_fold_equals_a_direct_randomized_search(sampler):
    settings = {
        **SMALL,
        "outer_folds": 3,
        "inner_folds": 2,
        "n_iter": 3,
        "sampler": sampler,
        "c_low": 0.01,
        "c_high": 10.0,
        "inner_train_size": None,
        "fold": 1,
    }
    fold = run_outer_fold(settings)
    X, y, *_ = report_data(900, 3)
    train, val = list(KFold(3, shuffle=True, random_state=3).split(X))[1]
    dist = uniform(0.01, 9.99) if sampler == "uniform" else loguniform(0.01, 10)
    search = RandomizedSearchCV(
        LogisticRegression(max_iter=30), {"C": dist}, n_iter=3, cv=2, random_state=3
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X[train], y[train])
        direct = LogisticRegression(C=search.best_params_["C"], max_iter=30)
        direct.fit(X[train], y[train])
    assert fold["best_C"] == pytest.approx(search.best_params_["C"])
    np.testing.assert_allclose(
        fold["candidates_C"], [float(c) for c in search.cv_results_["param_C"]]
    )
    assert fold["outer_score"] == pytest.approx(direct.score(X[val], y[val]))
    assert fold["n_outer_val"] == 300


def test_samplers_draw_from_the_stated_range():
    rng = np.random.default_rng(0)
    u = c_distribution("uniform", 0.01, 10).rvs(4000, random_state=rng)
    g = c_distribution("loguniform", 0.01, 10).rvs(4000, random_state=rng)
    assert u.min() >= 0.01 and u.max() <= 10 and g.min() >= 0.01 and g.max() <= 10
    # the report's bias: uniform puts ~90% of the draws above 1, log-uniform a third
    assert np.mean(u > 1) == pytest.approx(0.9, abs=0.03)
    assert np.mean(g > 1) == pytest.approx(1 / 3, abs=0.03)


def test_choose_c_takes_the_majority_then_the_better_score():
    folds = [
        {"best_C": 0.5, "outer_score": 0.8},
        {"best_C": 2.0, "outer_score": 0.9},
        {"best_C": 0.5, "outer_score": 0.7},
    ]
    assert choose_c(folds) == 0.5
    assert choose_c(folds[:2]) == 2.0


def test_final_metrics_agree_with_the_confusion_matrix():
    out = run_final({**SMALL, "C": 0.1})
    cm = np.asarray(out["confusion_matrix"])
    assert cm.sum() == 10000
    assert out["accuracy"] == pytest.approx(np.trace(cm) / cm.sum())
    recall = np.diag(cm) / cm.sum(axis=1)
    precision = np.diag(cm) / cm.sum(axis=0)
    assert out["recall_macro"] == pytest.approx(recall.mean())
    assert out["precision_weighted"] == pytest.approx(
        np.sum(precision * cm.sum(axis=1)) / cm.sum()
    )
    assert out["per_class"]["3"]["support"] == cm[3].sum()
    proba = out["proba"].astype(np.float64)
    y = out["y_true"]
    p_true = np.clip(proba[np.arange(len(y)), y], np.finfo(float).eps, 1)  # as sklearn
    expected_log_loss = -np.mean(np.log(p_true))
    assert out["log_loss"] == pytest.approx(expected_log_loss, rel=1e-4)
    assert 0.5 < out["roc_auc_ovr"] <= 1.0


def test_comparison_models_train_on_the_requested_sizes():
    svm = run_other({**SMALL, "model": "svm", "max_train": 200})
    knn = run_other({**SMALL, "model": "knn", "max_train": None})
    assert svm["n_train"] == 200 and knn["n_train"] == 900
    assert 0.5 < knn["accuracy"] < 1.0


def test_bad_settings_are_one_line_errors():
    with pytest.raises(LogitlabError, match="sampler"):
        ReportConfig(sampler="normal")
    with pytest.raises(LogitlabError, match="C range"):
        ReportConfig(c_low=5, c_high=1)

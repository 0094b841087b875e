"""The n_jobs hyperparameter reaches the data backend for every full pass."""

from __future__ import annotations

import numpy as np
import pytest

from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD
from logitlab.optim import descent


@pytest.mark.parametrize("n_jobs", [None, 1, -1])
@pytest.mark.parametrize("cls", [LogisticRegressionGD, SoftmaxRegressionGD])
def test_n_jobs_is_given_to_prepare(monkeypatch, cls, n_jobs):
    seen = []
    real = descent.prepare

    def spy(*args, **kwargs):
        seen.append(kwargs["n_jobs"])
        return real(*args, **kwargs)

    monkeypatch.setattr(descent, "prepare", spy)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    cls(max_iter=2, n_jobs=n_jobs).fit(X, y, eval_set=[("test", X[:10], y[:10])])
    assert seen == [n_jobs, n_jobs]  # the training set, the eval set

"""The estimators' numpydoc: every hyperparameter documented once, with its default,
and the Examples run as written."""

from __future__ import annotations

import doctest
import inspect

import numpy as np
import pytest

from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD, logistic
from logitlab.estimators import softmax as softmax_module

docscrape = pytest.importorskip("numpydoc.docscrape")

ESTIMATORS = [LogisticRegressionGD, SoftmaxRegressionGD]


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_every_parameter_documented_once_with_its_default(cls):
    doc = docscrape.ClassDoc(cls)
    documented = [p.name for p in doc["Parameters"]]
    signature = inspect.signature(cls.__init__).parameters
    params = [name for name in signature if name != "self"]
    assert documented == params  # same names, same order, each once
    for p in doc["Parameters"]:
        default = signature[p.name].default
        assert p.type.endswith(f"default={default!r}".replace("'", '"')), p.name
        assert p.desc, p.name


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_every_fitted_attribute_documented(cls):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    clf = cls(max_iter=2).fit(X, X[:, 0] > 0)
    fitted = {a for a in vars(clf) if a.endswith("_") and not a.startswith("_")}
    documented = {a.name for a in docscrape.ClassDoc(cls)["Attributes"]}
    assert fitted == documented


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize(
    "method", ["fit", "partial_fit", "predict", "predict_proba", "decision_function"]
)
def test_methods_have_numpydoc_sections(cls, method):
    doc = docscrape.FunctionDoc(getattr(cls, method))
    assert doc["Parameters"] and doc["Returns"]
    signature = inspect.signature(getattr(cls, method)).parameters
    assert [p.name for p in doc["Parameters"]] == [n for n in signature if n != "self"]


@pytest.mark.parametrize("module", [logistic, softmax_module])
def test_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 4 and result.failed == 0

"""Logistic and softmax regression from scratch, as scikit-learn estimators.

Both estimators take the same keyword-only parameters, described once in
`logitlab.hyperparameters` (the source of their docstrings' ``Parameters`` section, of
their scikit-learn constraints and of `logitlab train`'s options).
"""

from logitlab.estimators.logistic import LogisticRegressionGD
from logitlab.estimators.softmax import SoftmaxRegressionGD

__all__ = ["LogisticRegressionGD", "SoftmaxRegressionGD"]

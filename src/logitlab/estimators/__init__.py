"""Logistic and softmax regression from scratch, as scikit-learn estimators.

`LogisticRegressionGD` (two classes, one logit) and `SoftmaxRegressionGD` (two or more,
multinomial) take the same hyperparameters, documented once (numpydoc, in each
class's docstring: `help(LogisticRegressionGD)`): the optimiser (learning rate,
epochs, mini-batches, momentum, schedules, line search), the objective (mean or sum
loss, L2/L1/elastic-net penalty, sample and class weights), stopping (tolerance,
early stopping) and what is recorded. Both accept dense or scipy.sparse input, learn
from a stream with `partial_fit`, and pass scikit-learn's `check_estimator`.
"""

from logitlab.estimators.logistic import LogisticRegressionGD
from logitlab.estimators.softmax import SoftmaxRegressionGD

__all__ = ["LogisticRegressionGD", "SoftmaxRegressionGD"]

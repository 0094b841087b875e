"""SoftmaxRegressionGD: multinomial (softmax) regression trained by gradient descent."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from logitlab.estimators._base import GDClassifierBase
from logitlab.hyperparameters import document_parameters
from logitlab.models.functions import log_softmax, softmax
from logitlab.models.losses import MULTINOMIAL

Array = NDArray[Any]


@document_parameters
class SoftmaxRegressionGD(GDClassifierBase):
    """Multinomial logistic regression, P(y = k | x) = softmax(x W + b)_k, fitted by GD.

    Objective over W (n_features, n_classes) and the unpenalised intercept b:

        L(W, b) = s · mean_i [logsumexp(z_i) - z_{i, y_i}]
                  + alpha · [(1 - l1_ratio)/2 ||W||² + l1_ratio ||W||₁],   Z = X W + b

    with s = 1 (loss_scale="mean") or n (loss_scale="sum", the paper's softmax). Mapping
    to scikit-learn's LogisticRegression (multinomial): alpha = 1 / (C · n_samples) for
    the mean loss; the paper's λ||W||² (gradient 2λW) is alpha = 2λ. The paper's run is
    `SoftmaxRegressionGD(learning_rate=0.0015, schedule="invscaling", decay_steps=3,
    loss_scale="sum", init="normal", penalty="l2", alpha=2e-4, early_stopping=True)`.

    Parameters as `LogisticRegressionGD`. Attributes as there, with coef_
    (n_classes, n_features) and intercept_ (n_classes,). For two classes
    `decision_function` returns z_1 - z_0 (n_samples,), as scikit-learn's do.

    Examples
    --------
    >>> import numpy as np
    >>> from logitlab.estimators import SoftmaxRegressionGD
    >>> X = np.array([[0.0], [1.0], [2.0], [5.0], [6.0], [7.0]]); y = [0, 0, 1, 1, 2, 2]
    >>> clf = SoftmaxRegressionGD(learning_rate=0.5, max_iter=2000).fit(X, y)
    >>> clf.predict(X).tolist(), clf.coef_.shape
    ([0, 0, 1, 1, 2, 2], (3, 1))
    """

    _family = MULTINOMIAL

    def _targets(self, labels: NDArray[np.intp], dtype: Any) -> Array:
        one_hot = labels[:, None] == np.arange(len(self.classes_))  # (n, n_classes)
        return one_hot.astype(dtype)

    def _initial_weights(
        self, n_features: int, dtype: Any, rng: np.random.Generator
    ) -> tuple[Array, Any]:
        k = len(self.classes_)
        if self.init == "zeros":
            return np.zeros((n_features, k), dtype=dtype), np.zeros(k, dtype=dtype)
        W = rng.standard_normal((n_features, k)).astype(dtype)
        b = rng.standard_normal(k) if self.fit_intercept else np.zeros(k)
        return W, b.astype(dtype)

    def _to_coef(self, W: Array, b: Any) -> tuple[Array, Array]:
        return W.T.copy(), np.array(b, dtype=W.dtype)

    def _internal_weights(self) -> tuple[Array, Any]:
        return self.coef_.T, self.intercept_

    def decision_function(self, X: ArrayLike) -> Array:
        """Logits (n_samples, n_classes); for two classes z_1 - z_0 (n_samples,)."""
        Z = self._logits(X)
        return Z[:, 1] - Z[:, 0] if Z.shape[1] == 2 else Z

    def predict_proba(self, X: ArrayLike) -> Array:
        """Softmax of the logits, (n_samples, n_classes)."""
        return softmax(self._logits(X))

    def predict_log_proba(self, X: ArrayLike) -> Array:
        """Log-softmax of the logits, (n_samples, n_classes)."""
        return log_softmax(self._logits(X))

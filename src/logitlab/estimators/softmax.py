"""SoftmaxRegressionGD: multinomial (softmax) regression trained by gradient descent."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from logitlab.estimators._base import FloatArray, GDClassifierBase
from logitlab.estimators._docs import fill_doc
from logitlab.models.functions import log_softmax, softmax
from logitlab.models.losses import MULTINOMIAL

Array = NDArray[Any]


@fill_doc
class SoftmaxRegressionGD(GDClassifierBase):
    """Multinomial logistic regression, P(y = k | x) = softmax(x W + b)_k, fitted by GD.

    Objective over W (n_features, n_classes) and the unpenalised intercept b:

        L(W, b) = s · Σ_i s_i [logsumexp(z_i) - z_{i, y_i}] / Σ_i s_i
                  + alpha · [(1 - l1_ratio)/2 ||W||² + l1_ratio ||W||₁],   Z = X W + b

    with sample weights s_i (1 by default; times the class weights) and s = 1
    (loss_scale="mean") or Σ_i s_i (loss_scale="sum", the paper's softmax). As
    scikit-learn's multinomial LogisticRegression with alpha = 1 / (C · Σ_i s_i) for
    the mean loss; the paper's λ||W||² (gradient 2λW) is alpha = 2λ. The paper's run
    is `SoftmaxRegressionGD(learning_rate=0.0015, schedule="invscaling",
    decay_steps=3, loss_scale="sum", init="normal", penalty="l2", alpha=2e-4,
    early_stopping=True)`.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    coef_ : ndarray of shape (n_classes, n_features)
        The weights, one row per class (Wᵀ).
    intercept_ : ndarray of shape (n_classes,)
        The intercepts b (defined up to a common shift, as the softmax is).
    {attributes}

    See Also
    --------
    LogisticRegressionGD : the binary model, one logit.
    sklearn.linear_model.LogisticRegression : the reference it is tested against.

    Examples
    --------
    >>> import numpy as np
    >>> from logitlab.estimators import SoftmaxRegressionGD
    >>> X = np.array([[0.0], [1.0], [2.0], [5.0], [6.0], [7.0]]); y = [0, 0, 1, 1, 2, 2]
    >>> clf = SoftmaxRegressionGD(learning_rate=0.5, max_iter=2000).fit(X, y)
    >>> clf.predict(X).tolist(), clf.coef_.shape
    ([0, 0, 1, 1, 2, 2], (3, 1))
    >>> clf.predict_proba(X).sum(axis=1).round(6).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    """

    _family = MULTINOMIAL

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

    def decision_function(self, X: ArrayLike) -> FloatArray:
        """The logits Z = X W + b; for two classes z_1 - z_0, as scikit-learn's.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_classes), or (n_samples,) for two classes
            The class with the largest logit is the prediction.
        """
        Z = self._logits(X)
        return Z[:, 1] - Z[:, 0] if Z.shape[1] == 2 else Z

    def predict_proba(self, X: ArrayLike) -> FloatArray:
        """The softmax of the logits: P(y = classes_[k] | x) in column k.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to 1; in the fit's dtype.
        """
        return softmax(self._logits(X))

    def predict_log_proba(self, X: ArrayLike) -> FloatArray:
        """The log-softmax of the logits (finite even where p rounds to 0).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log of `predict_proba`.
        """
        return log_softmax(self._logits(X))

"""LogisticRegressionGD: binary logistic regression trained by gradient descent."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from logitlab.estimators._base import FloatArray, GDClassifierBase
from logitlab.estimators._docs import fill_doc
from logitlab.models.functions import log_sigmoid
from logitlab.models.losses import BINARY

Array = NDArray[Any]


@fill_doc
class LogisticRegressionGD(GDClassifierBase):
    """Binary logistic regression, P(y = classes_[1] | x) = σ(x·w + b), fitted by GD.

    Objective, minimised over w and the unpenalised intercept b:

        L(w, b) = s · Σ_i s_i [log(1 + e^{z_i}) - y_i z_i] / Σ_i s_i
                  + alpha · [(1 - l1_ratio)/2 ||w||² + l1_ratio ||w||₁],   z = X w + b

    with sample weights s_i (1 by default; times the class weights) and s = 1
    (loss_scale="mean") or Σ_i s_i (loss_scale="sum"). scikit-learn's
    LogisticRegression minimises C · Σ_i s_i ℓ_i + ½||w||², the same minimiser as
    alpha = 1 / (C · Σ_i s_i) here with the mean loss (alpha = 1 / C with the sum).
    The paper writes its L2 term as λ||w||² (gradient 2λw): its λ is alpha = 2λ; the
    guide's `lambda_reg * 0.5 * ||w||²` is alpha = lambda_reg.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
        The weights w.
    intercept_ : ndarray of shape (1,)
        The intercept b.
    {attributes}

    See Also
    --------
    SoftmaxRegressionGD : the same for two or more classes (multinomial).
    sklearn.linear_model.LogisticRegression : the reference it is tested against.

    Examples
    --------
    >>> import numpy as np
    >>> from logitlab.estimators import LogisticRegressionGD
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
    >>> clf = LogisticRegressionGD(learning_rate=1.0, max_iter=200).fit(X, y)
    >>> clf.predict(X).tolist(), clf.coef_.shape, len(clf.history_["loss"])
    ([0, 0, 1, 1], (1, 1), 200)
    >>> clf.score(X, y), clf.predict_proba(X).shape
    (1.0, (4, 2))
    """

    _family = BINARY

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def _check_n_classes(self, n_classes: int) -> None:
        if n_classes > 2:
            raise ValueError(
                f"Only binary classification is supported. y has {n_classes} classes; "
                "use SoftmaxRegressionGD (or a one-vs-rest task)"
            )

    def _initial_weights(
        self, n_features: int, dtype: Any, rng: np.random.Generator
    ) -> tuple[Array, Any]:
        if self.init == "zeros":
            return np.zeros(n_features, dtype=dtype), dtype.type(0)
        w = rng.standard_normal(n_features).astype(dtype)
        b = rng.standard_normal() if self.fit_intercept else 0.0
        return w, dtype.type(b)

    def _to_coef(self, W: Array, b: Any) -> tuple[Array, Array]:
        return W.reshape(1, -1).copy(), np.asarray(b, dtype=W.dtype).reshape(1)

    def _internal_weights(self) -> tuple[Array, Any]:
        return self.coef_[0], self.intercept_[0]

    def decision_function(self, X: ArrayLike) -> FloatArray:
        """The logit of the positive class classes_[1], z = X·w + b.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        z : ndarray of shape (n_samples,)
            Positive for rows predicted as classes_[1].
        """
        return self._logits(X)

    def predict_proba(self, X: ArrayLike) -> FloatArray:
        """Probabilities [P(classes_[0]), P(classes_[1])] = [σ(-z), σ(z)] per row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            Rows sum to 1; in the fit's dtype.
        """
        z = self._logits(X)
        return np.column_stack([expit(-z), expit(z)])

    def predict_log_proba(self, X: ArrayLike) -> FloatArray:
        """[log σ(-z), log σ(z)] per row, from the logits (finite even for p ≈ 0).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, 2)
            The log of `predict_proba`, without its rounding to 0.
        """
        z = self._logits(X)
        return np.column_stack([log_sigmoid(-z), log_sigmoid(z)])

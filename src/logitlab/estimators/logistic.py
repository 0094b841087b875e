"""LogisticRegressionGD: binary logistic regression trained by gradient descent."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from logitlab.estimators._base import GDClassifierBase
from logitlab.hyperparameters import document_parameters
from logitlab.models.functions import log_sigmoid
from logitlab.models.losses import BINARY

Array = NDArray[Any]


@document_parameters
class LogisticRegressionGD(GDClassifierBase):
    """Binary logistic regression, P(y = classes_[1] | x) = σ(x·w + b), fitted by GD.

    Objective, minimised over w and the unpenalised intercept b:

        L(w, b) = s · mean_i [log(1 + e^{z_i}) - y_i z_i]
                  + alpha · [(1 - l1_ratio)/2 ||w||² + l1_ratio ||w||₁],   z = X w + b

    with s = 1 (loss_scale="mean") or n (loss_scale="sum"); penalty="l2" is
    (alpha/2)||w||², penalty="l1" is alpha ||w||₁. scikit-learn's LogisticRegression
    minimises C · sum(loss) + ½||w||², so for the mean loss alpha = 1 / (C · n_samples)
    (for the sum loss alpha = 1 / C). The paper writes its L2 term as λ||w||² (gradient
    2λw), so the paper's λ is alpha = 2λ here; the guide's `lambda_reg * 0.5 * ||w||²`
    is alpha = lambda_reg.

    Parameters are documented in `logitlab.estimators` (shared by both estimators): the
    optimiser (learning_rate, max_iter, batch_size, momentum, nesterov, schedule,
    decay_steps, decay_rate), the objective (loss_scale, penalty, alpha, l1_ratio,
    l1_method, fit_intercept), stopping (tol, stopping, early_stopping,
    early_stopping_metric, patience, validation_fraction), snapshot_epochs,
    record_steps, warm_start, init, dtype, random_state, verbose.

    Attributes: classes_, coef_ (1, n_features), intercept_ (1,), n_iter_ (epochs run),
    history_ (per-epoch lists, measured at the end of each epoch), step_history_
    (per-step lists with record_steps, else {}), snapshots_ ({epoch: (coef,
    intercept)}), best_epoch_ (early stopping, else None), initial_loss_ (objective at
    the initial weights), n_features_in_.

    Examples
    --------
    >>> import numpy as np
    >>> from logitlab.estimators import LogisticRegressionGD
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
    >>> clf = LogisticRegressionGD(learning_rate=1.0, max_iter=200).fit(X, y)
    >>> clf.predict(X).tolist(), clf.coef_.shape, len(clf.history_["loss"])
    ([0, 0, 1, 1], (1, 1), 200)
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

    def _targets(self, labels: NDArray[np.intp], dtype: Any) -> Array:
        return labels.astype(dtype)  # (n_samples,) 0/1

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

    def decision_function(self, X: ArrayLike) -> Array:
        """Logit z = X·w + b of the positive class classes_[1], shape (n_samples,)."""
        return self._logits(X)

    def predict_proba(self, X: ArrayLike) -> Array:
        """[P(classes_[0]), P(classes_[1])] per row, (n_samples, 2)."""
        z = self._logits(X)
        return np.column_stack([expit(-z), expit(z)])

    def predict_log_proba(self, X: ArrayLike) -> Array:
        """[log σ(-z), log σ(z)] per row, from the logits."""
        z = self._logits(X)
        return np.column_stack([log_sigmoid(-z), log_sigmoid(z)])

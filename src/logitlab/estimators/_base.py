"""What both estimators share: parameters, their constraints, validation, `fit`.

The subclasses supply only the model family: how targets are encoded, the weight shapes,
how (W, b) map to scikit-learn's `coef_` / `intercept_`, and the probabilities.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from logitlab.estimators import _dask
from logitlab.models.losses import Family
from logitlab.models.penalties import make_penalty
from logitlab.optim.descent import DescentConfig, EvalSet, descend
from logitlab.optim.schedules import SCHEDULES

Array = NDArray[Any]


class GDClassifierBase(ClassifierMixin, BaseEstimator):
    """Linear classifier trained by gradient descent (see the subclasses)."""

    _family: Family
    _min_classes = 2
    classes_: NDArray[Any]  # fitted attributes (set by fit)

    _parameter_constraints: dict[str, list[Any]] = {  # noqa: RUF012
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterov": ["boolean"],
        "momentum_schedule": [StrOptions({"constant", "accelerated"})],
        "schedule": [StrOptions(set(SCHEDULES))],
        "decay_steps": [Interval(Real, 0, None, closed="neither")],
        "decay_rate": [Interval(Real, 0, 1, closed="neither")],
        "init": [StrOptions({"zeros", "normal"})],
        "loss_scale": [StrOptions({"mean", "sum"})],
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "l1_method": [StrOptions({"proximal", "subgradient"})],
        "tol": [Interval(Real, 0, None, closed="neither"), None],
        "stopping": [StrOptions({"loss", "gradient"})],
        "early_stopping": ["boolean"],
        "early_stopping_metric": [StrOptions({"error", "loss"})],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "snapshot_epochs": ["array-like"],
        "record_steps": ["boolean"],
        "warm_start": ["boolean"],
        "fit_intercept": ["boolean"],
        "dtype": [StrOptions({"float64", "float32"})],
        "random_state": ["random_state", np.random.Generator],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        learning_rate: float = 0.1,
        max_iter: int = 100,
        batch_size: int | None = None,
        momentum: float = 0.0,
        nesterov: bool = False,
        momentum_schedule: str = "constant",
        schedule: str = "constant",
        decay_steps: float = 3.0,
        decay_rate: float = 0.5,
        init: str = "zeros",
        loss_scale: str = "mean",
        penalty: str | None = None,
        alpha: float = 0.0,
        l1_ratio: float = 0.5,
        l1_method: str = "proximal",
        tol: float | None = None,
        stopping: str = "loss",
        early_stopping: bool = False,
        early_stopping_metric: str = "error",
        patience: int = 5,
        validation_fraction: float = 0.1,
        snapshot_epochs: tuple[int, ...] = (),
        record_steps: bool = False,
        warm_start: bool = False,
        fit_intercept: bool = True,
        dtype: str = "float64",
        random_state: int | np.random.Generator | None = None,
        verbose: int = 0,
    ) -> None:
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.momentum = momentum
        self.nesterov = nesterov
        self.momentum_schedule = momentum_schedule
        self.schedule = schedule
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.init = init
        self.loss_scale = loss_scale
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.l1_method = l1_method
        self.tol = tol
        self.stopping = stopping
        self.early_stopping = early_stopping
        self.early_stopping_metric = early_stopping_metric
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.snapshot_epochs = snapshot_epochs
        self.record_steps = record_steps
        self.warm_start = warm_start
        self.fit_intercept = fit_intercept
        self.dtype = dtype
        self.random_state = random_state
        self.verbose = verbose

    # --- the family-specific parts -------------------------------------------------

    def _targets(self, labels: NDArray[np.intp], dtype: Any) -> Array:
        """The loss's target for class indices: 0/1 floats or a one-hot matrix."""
        raise NotImplementedError

    def _initial_weights(
        self, n_features: int, dtype: Any, rng: np.random.Generator
    ) -> tuple[Array, Any]:
        raise NotImplementedError

    def _to_coef(self, W: Array, b: Any) -> tuple[Array, Array]:
        """Internal (W, b) as scikit-learn's (coef_, intercept_)."""
        raise NotImplementedError

    def _internal_weights(self) -> tuple[Array, Any]:
        raise NotImplementedError

    # --- fit ----------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        eval_set: list[tuple[str, ArrayLike, ArrayLike]] | None = None,
    ) -> GDClassifierBase:
        """Train; `eval_set` = [(name, X, y), ...] is scored after every epoch.

        With `early_stopping=True` the validation set is the eval set named
        "validation" if there is one, else a stratified `validation_fraction` of X held
        out (seeded by `random_state`) and scored as "validation".
        """
        dtype = np.dtype(self.dtype)
        previous = None
        if self._warm():  # before validate_data and np.unique replace what we need
            previous = (np.asarray(self.classes_), *self._internal_weights())
        if _dask.is_dask(X):  # stays on the cluster (estimators/_dask.py)
            _dask.check_options(self)
            X_fit, self.classes_, labels = _dask.fit_inputs(X, y)
            self.n_features_in_ = X_fit.shape[1]
        else:
            X_fit, y = validate_data(self, X, y, dtype=dtype, order="C")
            X_fit = np.asarray(X_fit)
            check_classification_targets(y)
            self.classes_, labels = np.unique(y, return_inverse=True)
        if len(self.classes_) < self._min_classes:
            raise ValueError(
                f"{type(self).__name__} needs {self._min_classes} or more classes; "
                f"y has 1 class: {self.classes_.tolist()}"
            )
        self._check_n_classes(len(self.classes_))
        rng = (
            self.random_state
            if isinstance(self.random_state, np.random.Generator)
            else np.random.default_rng(_seed(self.random_state))
        )
        eval_sets = [
            EvalSet(name, self._check_X(Xe), self._class_index(ye))
            for name, Xe, ye in (eval_set or [])
        ]
        validation = None
        if self.early_stopping:
            validation = next((s for s in eval_sets if s.name == "validation"), None)
            if validation is None and _dask.is_dask(X_fit):
                raise ValueError(
                    "early_stopping on dask arrays needs an eval_set named "
                    '"validation" (a held-out split would pull X into memory)'
                )
            if validation is None:
                X_fit, Xv, labels, lv = train_test_split(
                    X_fit,
                    labels,
                    test_size=self.validation_fraction,
                    stratify=labels,
                    random_state=int(rng.integers(2**31)),
                )
                validation = EvalSet("validation", Xv, lv)
        if previous is None:
            W, b = self._initial_weights(X_fit.shape[1], dtype, rng)
        else:
            W, b = self._continued(previous, X_fit.shape[1], dtype)
        result = descend(
            self._family,
            X_fit,
            labels,
            W,
            b,
            config=self._descent_config(),
            penalty=make_penalty(
                self.penalty, self.alpha, self.l1_ratio, self.l1_method
            ),
            rng=rng,
            eval_sets=eval_sets,
            validation=validation,
        )
        self.coef_, self.intercept_ = self._to_coef(result.W, result.b)
        self.n_iter_ = result.n_iter
        self.history_ = result.history
        self.initial_loss_ = result.initial_loss
        self.best_epoch_ = result.best_epoch
        self.snapshots_ = {e: self._to_coef(*wb) for e, wb in result.snapshots.items()}
        self.step_history_ = result.steps
        return self

    def _warm(self) -> bool:
        return bool(self.warm_start) and hasattr(self, "coef_")

    def _continued(
        self, previous: tuple[Any, Array, Any], n_features: int, dtype: Any
    ) -> tuple[Array, Any]:
        """warm_start: a copy of the last fit's weights, if they fit this data (if
        not, the estimator is left as the last fit left it)."""
        classes, W, b = previous
        problem = ""
        if not np.array_equal(classes, self.classes_):
            problem = (
                f"y has classes {self.classes_.tolist()}, the previous fit had "
                f"{classes.tolist()}"
            )
        elif W.shape[0] != n_features:
            problem = f"X has {n_features} features, the previous fit had {W.shape[0]}"
        if problem:
            self.classes_, self.n_features_in_ = classes, W.shape[0]
            raise ValueError(f"warm_start: {problem}")
        W = np.array(W, dtype=dtype, order="C", copy=True)
        return W, (np.array(b, dtype=dtype) if np.ndim(b) else dtype.type(b))

    def _descent_config(self) -> DescentConfig:
        return DescentConfig.from_params(self.get_params())

    def _check_n_classes(self, n_classes: int) -> None:
        """Hook for the binary model to refuse more than two classes."""

    def _check_X(self, X: Any) -> Array:
        if _dask.is_dask(X):
            if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has shape {X.shape}; {self.n_features_in_} features expected"
                )
            return X
        return validate_data(self, X, dtype=np.dtype(self.dtype), reset=False)

    def _class_index(self, y: ArrayLike) -> NDArray[np.intp]:
        """Class indices of labels `y` (which must all be among `classes_`)."""
        if _dask.is_dask(y):
            return _dask.class_index(self.classes_, y)
        y = np.asarray(y)
        index = np.searchsorted(self.classes_, y)
        index = np.clip(index, 0, len(self.classes_) - 1)
        if not np.array_equal(self.classes_[index], y):
            unknown = sorted(set(np.unique(y).tolist()) - set(self.classes_.tolist()))
            raise ValueError(
                f"eval_set labels {unknown} are not among the classes seen in y"
            )
        return index.astype(np.intp)

    # --- prediction ----------------------------------------------------------------

    def _logits(self, X: ArrayLike) -> Array:
        check_is_fitted(self)
        X = np.asarray(validate_data(self, X, dtype=self.coef_.dtype, reset=False))
        W, b = self._internal_weights()
        return self._family.logits(X, W, b)

    def predict(self, X: ArrayLike) -> Array:
        """Most probable class for each row of X."""
        check_is_fitted(self)
        return self.classes_[self._family.predict_index(self._logits(X))]

    def predict_proba(self, X: ArrayLike) -> Array:
        """Class probabilities (n_samples, n_classes), columns ordered as `classes_`."""
        raise NotImplementedError

    def predict_log_proba(self, X: ArrayLike) -> Array:
        """Log of `predict_proba`, computed from the logits (finite even for p ≈ 0)."""
        raise NotImplementedError


def _seed(random_state: Any) -> Any:
    """A `default_rng` seed from sklearn's random_state (None, int, RandomState)."""
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(2**31))
    return random_state

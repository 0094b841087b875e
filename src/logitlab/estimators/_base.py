"""What both estimators share: parameters, their constraints, validation, `fit`.

The subclasses supply only the model family: the weight shapes, how (W, b) map to
scikit-learn's `coef_` / `intercept_`, and the probabilities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from logitlab.estimators import _dask
from logitlab.estimators._weights import sample_weights
from logitlab.hyperparameters import sklearn_constraints
from logitlab.models.losses import Family
from logitlab.models.penalties import Penalty, make_penalty
from logitlab.optim import (
    DescentConfig,
    EvalSet,
    StepState,
    descend,
    descend_pass,
)

if TYPE_CHECKING:
    from typing_extensions import Self

Array = NDArray[Any]
FloatArray = NDArray[np.floating[Any]]  # float64, or float32 for dtype="float32"


class GDClassifierBase(ClassifierMixin, BaseEstimator):
    """Linear classifier trained by gradient descent (see the subclasses).

    The hyperparameters, their constraints and `__init__` are here, documented once in
    `logitlab.estimators._docs` and put into each subclass's docstring.
    """

    _family: Family
    _min_classes = 2
    classes_: NDArray[Any]  # fitted attributes (set by fit)

    # scikit-learn checks these at fit; they come from the one table of parameters
    _parameter_constraints: dict[str, list[Any]] = sklearn_constraints()

    def __init__(
        self,
        *,
        learning_rate: float = 0.1,
        max_iter: int = 100,
        batch_size: int | None = None,
        shuffle: bool = True,
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
        class_weight: dict[Any, float] | str | None = None,
        tol: float | None = None,
        stopping: str = "loss",
        early_stopping: bool = False,
        early_stopping_metric: str = "error",
        early_stopping_rule: str = "no_improvement",
        patience: int = 5,
        validation_fraction: float = 0.1,
        snapshot_epochs: tuple[int, ...] = (),
        record_steps: bool = False,
        warm_start: bool = False,
        fit_intercept: bool = True,
        dtype: str = "float64",
        random_state: int | np.random.Generator | None = None,
        n_jobs: int | None = None,
        verbose: int = 0,
    ) -> None:
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.shuffle = shuffle
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
        self.class_weight = class_weight
        self.tol = tol
        self.stopping = stopping
        self.early_stopping = early_stopping
        self.early_stopping_metric = early_stopping_metric
        self.early_stopping_rule = early_stopping_rule
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.snapshot_epochs = snapshot_epochs
        self.record_steps = record_steps
        self.warm_start = warm_start
        self.fit_intercept = fit_intercept
        self.dtype = dtype
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # scipy.sparse CSR/CSC, through the same engine
        return tags

    # --- the family-specific parts -------------------------------------------------

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
        sample_weight: ArrayLike | None = None,
        *,
        eval_set: list[tuple[str, ArrayLike, ArrayLike]] | None = None,
    ) -> Self:
        """Train by gradient descent from the initial weights (warm_start: the last).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows; scipy.sparse CSR or CSC gives the fit of the same dense
            array.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight s_i of each row: the data loss is Σ s_i ℓ_i / Σ s_i
            (times Σ s_i with loss_scale="sum"); None weighs every row 1.
        eval_set : list of (str, array-like, array-like), default=None
            Data sets [(name, X, y), ...] scored after every epoch into `history_`;
            the one named "validation" is early stopping's.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        previous = None
        if self._warm():  # before validate_data and np.unique replace what we need
            previous = (np.asarray(self.classes_), *self._internal_weights())
        X_fit, labels = self._training_inputs(X, y)
        weights = sample_weights(
            sample_weight, self.class_weight, self.classes_, labels
        )
        rng = self._new_rng()
        eval_sets = [
            EvalSet(name, self._check_X(Xe), self._class_index(ye, "eval_set"))
            for name, Xe, ye in (eval_set or [])
        ]
        training, validation = self._hold_out((X_fit, labels, weights), eval_sets, rng)
        if previous is None:
            W, b = self._initial_weights(X_fit.shape[1], np.dtype(self.dtype), rng)
        else:
            W, b = self._continued(previous, X_fit.shape[1], np.dtype(self.dtype))
        result = descend(
            self._family, training[0], training[1], W, b,
            config=self._descent_config(), penalty=self._penalty(), rng=rng,
            eval_sets=eval_sets, validation=validation, sample_weight=training[2],
        )  # fmt: skip
        self.coef_, self.intercept_ = self._to_coef(result.W, result.b)
        self.n_iter_ = result.n_iter
        self.history_ = result.history
        self.initial_loss_ = result.initial_loss
        self.best_epoch_ = result.best_epoch
        self.snapshots_ = {e: self._to_coef(*wb) for e, wb in result.snapshots.items()}
        self.step_history_ = result.steps
        assert result.state is not None
        result.state.W, result.state.b = result.W, result.b  # partial_fit goes on here
        self._step_state, self._rng = result.state, rng
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        classes: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> Self:
        """One pass of steps over the rows given, continuing from the last call.

        Mini-batches of `batch_size` (shuffled from the estimator's random state
        unless shuffle=False), or one full-batch step. The momentum velocity, the
        accelerated schedule's step count and the line search's next start carry over
        from call to call (and from `fit`), as in scikit-learn's
        SGDClassifier.partial_fit; each call is one epoch of the learning-rate
        `schedule`. Nothing is measured: `history_` stays as `fit` left it. The mean
        loss only (loss_scale="sum" would need the size of the whole data set) and
        class weights as a dict ("balanced" would need its class counts).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            This call's rows.
        y : array-like of shape (n_samples,)
            Their class labels, all among `classes`.
        classes : array-like of shape (n_classes,), default=None
            Every class label of the whole stream; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row; a mini-batch takes its weighted mean loss.

        Returns
        -------
        self : object
            The estimator, one pass further.
        """
        first = not hasattr(self, "classes_")
        self._check_partial(first, classes)
        dtype = np.dtype(self.dtype)
        X_part, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=dtype, order="C", reset=first
        )
        if first:
            self._set_classes(np.asarray(classes))
        labels = self._class_index(y, "y")
        weights = sample_weights(
            sample_weight, self.class_weight, self.classes_, labels
        )
        state = self._partial_state(X_part.shape[1], dtype)
        self.n_iter_ = getattr(self, "n_iter_", 0) + 1
        descend_pass(
            self._family, X_part, labels, state,
            config=self._descent_config(), penalty=self._penalty(), rng=self._rng,
            epoch=self.n_iter_, sample_weight=weights,
        )  # fmt: skip
        self.coef_, self.intercept_ = self._to_coef(state.W, state.b)
        return self

    def _check_partial(self, first: bool, classes: ArrayLike | None) -> None:
        """What partial_fit cannot do, and the classes of its first call."""
        if self.loss_scale == "sum":
            raise ValueError(
                "partial_fit minimises the mean loss: loss_scale='sum' needs the size "
                "of the whole data set (scale learning_rate and alpha instead)"
            )
        if isinstance(self.class_weight, str):  # "balanced"
            raise ValueError(
                "class_weight='balanced' needs the class counts of the whole data "
                "set; give partial_fit a dict of class weights instead"
            )
        if first and classes is None:
            raise ValueError(
                "classes must be given on the first call to partial_fit: every class "
                "label, as later calls may not see them all"
            )
        if not first and classes is not None:
            if not np.array_equal(np.unique(classes), self.classes_):
                raise ValueError(
                    f"classes={np.unique(classes).tolist()} is not classes_="
                    f"{self.classes_.tolist()} of the earlier calls"
                )

    def _partial_state(self, n_features: int, dtype: Any) -> StepState:
        """The optimiser's state to continue from: the last fit's or partial_fit's,
        else (first call, or a loaded model) fresh at coef_ or the initial weights."""
        if not hasattr(self, "_rng"):
            self._rng = self._new_rng()
        state: StepState | None = getattr(self, "_step_state", None)
        if state is None:
            if hasattr(self, "coef_"):
                W, b = self._continued(
                    (self.classes_, *self._internal_weights()), n_features, dtype
                )
            else:
                W, b = self._initial_weights(n_features, dtype, self._rng)
            state = self._step_state = StepState.start(W, b)
        return state

    def _training_inputs(
        self, X: ArrayLike, y: ArrayLike
    ) -> tuple[Any, NDArray[np.intp]]:
        """fit's X (dense C-ordered or CSR, in `dtype`) and y as class indices; sets
        `classes_` and `n_features_in_`. A dask X stays on its cluster
        (estimators/_dask.py)."""
        if _dask.is_dask(X):
            _dask.check_options(self)
            X_fit, classes, labels = _dask.fit_inputs(X, y)
            self.n_features_in_ = X_fit.shape[1]
            self._set_classes(classes)  # the checks; indices come from the cluster
            return X_fit, labels
        X_fit, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=np.dtype(self.dtype), order="C"
        )
        return X_fit, self._set_classes(y)

    def _set_classes(self, y: ArrayLike) -> NDArray[np.intp]:
        """`classes_` from the training labels; their class indices."""
        check_classification_targets(y)
        self.classes_, labels = np.unique(y, return_inverse=True)
        if len(self.classes_) < self._min_classes:
            raise ValueError(
                f"{type(self).__name__} needs {self._min_classes} or more classes; "
                f"y has 1 class: {self.classes_.tolist()}"
            )
        self._check_n_classes(len(self.classes_))
        return labels.astype(np.intp)

    def _new_rng(self) -> np.random.Generator:
        if isinstance(self.random_state, np.random.Generator):
            return self.random_state
        return np.random.default_rng(_seed(self.random_state))

    def _hold_out(
        self,
        training: tuple[Any, NDArray[np.intp], Array | None],
        eval_sets: list[EvalSet],
        rng: np.random.Generator,
    ) -> tuple[tuple[Any, NDArray[np.intp], Array | None], EvalSet | None]:
        """With early_stopping: the training rows left and the validation set (the
        eval set named "validation", else a stratified validation_fraction)."""
        if not self.early_stopping:
            return training, None
        validation = next((s for s in eval_sets if s.name == "validation"), None)
        if validation is not None:
            return training, validation
        X, labels, weights = training
        if _dask.is_dask(X):
            raise ValueError(
                "early_stopping on dask arrays needs an eval_set named "
                '"validation" (a held-out split would pull X into memory)'
            )
        arrays = (X, labels) if weights is None else (X, labels, weights)
        parts = train_test_split(
            *arrays,
            test_size=self.validation_fraction,
            stratify=labels,
            random_state=int(rng.integers(2**31)),
        )
        kept = (parts[0], parts[2], None if weights is None else parts[4])
        return kept, EvalSet("validation", parts[1], parts[3])

    def _penalty(self) -> Penalty:
        return make_penalty(self.penalty, self.alpha, self.l1_ratio, self.l1_method)

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

    def _check_X(self, X: Any) -> Any:
        if _dask.is_dask(X):
            if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has shape {X.shape}; {self.n_features_in_} features expected"
                )
            return X
        return validate_data(
            self, X, accept_sparse="csr", dtype=np.dtype(self.dtype), reset=False
        )

    def _class_index(self, y: ArrayLike, what: str) -> NDArray[np.intp]:
        """Class indices of labels `y` (which must all be among `classes_`)."""
        if _dask.is_dask(y):
            return _dask.class_index(self.classes_, y)
        y = np.asarray(y)
        index = np.searchsorted(self.classes_, y)
        index = np.clip(index, 0, len(self.classes_) - 1)
        if not np.array_equal(self.classes_[index], y):
            unknown = sorted(set(np.unique(y).tolist()) - set(self.classes_.tolist()))
            raise ValueError(
                f"{what} labels {unknown} are not among the classes {self.classes_}"
            )
        return index.astype(np.intp)

    # --- prediction ----------------------------------------------------------------

    def _logits(self, X: ArrayLike) -> FloatArray:
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse="csr", dtype=self.coef_.dtype, reset=False
        )
        W, b = self._internal_weights()
        return self._family.logits(X, W, b)

    def predict(self, X: ArrayLike) -> Array:
        """The most probable class of each row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to classify.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from `classes_`.
        """
        check_is_fitted(self)
        return self.classes_[self._family.predict_index(self._logits(X))]


def _seed(random_state: Any) -> Any:
    """A `default_rng` seed from sklearn's random_state (None, int, RandomState)."""
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(2**31))
    return random_state

"""The one gradient-descent engine behind both estimators: the epoch loop.

An epoch is one pass over the training rows: one step for full batch, ⌈n/k⌉ steps for
mini-batches of k (SGD: k = 1). A step on batch B (the families in `steps`):

    g  = s · ∇ mean-loss_B(W, b) + ∇ smooth-penalty(W)      s = 1 (mean) or Σ weights
    W <- prox(W - η d, η);  b <- b - η d_b       d from g by the optimiser family

The mean loss is weighted, Σ s_i ℓ_i / Σ s_i over the batch, with sample weights s_i
(1 when none are given). With loss_scale="sum" the objective is the (weighted) SUM of
the per-sample losses over all rows plus the penalty (the paper's softmax); a
mini-batch estimates it as Σ s_i times its mean, so mini-batch and full batch minimise
the same objective.

Every full pass over a data set (gradient, end-of-epoch measure, the line search's
trial points, each eval set) goes through an `Objective` prepared once per data set
and fit (`prepare`). Mini-batch fits use the NumPy reference throughout (preparing a
fast form does not pay for one measure per epoch) with BLAS on one thread: on products
this small its threads cost more than they gain (0.75 s against 8.04 s for the same
fit, measured on 2 cores). Full batch and not accelerated, the next step's gradient is
taken at the weights the end-of-epoch measure saw, so the measure computes it in the
same pass: one pass per epoch.

What is recorded (history at the end of each epoch, "time", step records) is in
`recording`; when to stop (tol, gradient, early stopping) in `stopping`.

Divergence: a non-finite batch loss, or an epoch loss above DIVERGENCE_FACTOR times the
initial loss, raises DivergenceError naming the learning rate, before any non-finite
number can reach the weights. (The from-logits losses stay finite for huge logits, so a
too-large learning rate shows up as an exploding, not a NaN, loss.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from logitlab.backends import Objective, prepare
from logitlab.backends.reference import single_threaded_blas
from logitlab.errors import DivergenceError
from logitlab.models.losses import Family
from logitlab.models.penalties import Penalty
from logitlab.optim.batches import iter_batches
from logitlab.optim.recording import Recorder, Stopwatch
from logitlab.optim.schedules import learning_rate_at
from logitlab.optim.steps import Stepper, StepState
from logitlab.optim.stopping import Stopping, gradient_max

Array = NDArray[Any]
DIVERGENCE_FACTOR = 1e4  # an epoch loss this many times the initial loss has diverged


@dataclass(frozen=True)
class DescentConfig:
    """The optimiser settings (the estimators' hyperparameters, minus model ones)."""

    learning_rate: float = 0.1
    max_iter: int = 100
    batch_size: int | None = None
    shuffle: bool = True
    momentum: float = 0.0
    nesterov: bool = False
    momentum_schedule: str = "constant"  # "constant" (μ = momentum) | "accelerated"
    schedule: str = "constant"
    decay_steps: float = 3.0
    decay_rate: float = 0.5
    loss_scale: str = "mean"
    tol: float | None = None
    stopping: str = "loss"
    patience: int = 5
    early_stopping_metric: str = "error"  # "error" (1 - accuracy) | "loss"
    early_stopping_rule: str = "no_improvement"  # | "rises" (see EarlyStopping)
    snapshot_epochs: tuple[int, ...] = ()
    record_steps: bool = False
    fit_intercept: bool = True
    verbose: int = 0
    n_jobs: int | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> DescentConfig:
        """The settings among an estimator's `get_params()` (the others ignored)."""
        names = {f.name for f in fields(cls)}
        given = {k: v for k, v in params.items() if k in names}
        given["snapshot_epochs"] = tuple(int(e) for e in given["snapshot_epochs"])
        return cls(**given)


@dataclass(frozen=True)
class EvalSet:
    """A named data set scored after every epoch: rows X and class indices."""

    name: str
    X: Any  # array or scipy.sparse matrix
    labels: NDArray[np.intp]

    def prepare(self, family: Family, backend: str, n_jobs: int | None) -> Objective:
        return prepare(family, self.X, self.labels, backend=backend, n_jobs=n_jobs)


@dataclass
class DescentResult:
    W: Array
    b: Any
    n_iter: int
    history: dict[str, list[float]]
    snapshots: dict[int, tuple[Array, Any]]
    initial_loss: float
    best_epoch: int | None = None
    converged: bool = False
    steps: dict[str, list[float]] = field(default_factory=dict)
    state: StepState | None = None  # the optimiser's state, for partial_fit


@dataclass(frozen=True)
class TrainingSet:
    """The training rows as the steps see them: all at once or in mini-batches."""

    family: Family
    X: Any  # array or scipy.sparse CSR matrix
    labels: NDArray[np.intp]
    sample_weight: Array | None = None

    @property
    def total_weight(self) -> float:
        if self.sample_weight is None:
            return float(self.X.shape[0])
        return float(np.sum(self.sample_weight))

    def prepare(self, backend: str, n_jobs: int | None) -> Objective:
        return prepare(
            self.family, self.X, self.labels,
            sample_weight=self.sample_weight, backend=backend, n_jobs=n_jobs,
        )  # fmt: skip

    def batches(
        self, full: Objective, c: DescentConfig, rng: np.random.Generator
    ) -> Iterator[Objective]:
        """One epoch's batches: `full` itself, or mini-batches on the reference."""
        w = self.sample_weight
        for idx in iter_batches(self.X.shape[0], c.batch_size, rng, shuffle=c.shuffle):
            if idx is None:
                yield full
            else:
                yield prepare(
                    self.family, self.X[idx], self.labels[idx],
                    sample_weight=None if w is None else w[idx], backend="numpy",
                )  # fmt: skip


class _ReusedGradient:
    """The training set's full passes, each gradient kept for the step that needs it.

    With `reuse`, the end-of-epoch measure (`loss_accuracy`) also computes the gradient
    in the same pass; the next step (or the gradient stopping test) at the same
    weights takes it from here instead of passing over the data again.
    """

    def __init__(self, objective: Objective, reuse: bool) -> None:
        self.objective, self.reuse = objective, reuse
        self.n_samples = objective.n_samples
        self._kept: tuple[Array, tuple[float, Array, Any]] | None = None

    def loss_grad(self, W: Array, b: Any) -> tuple[float, Array, Any]:
        if self._kept is None or self._kept[0] is not W:
            self._kept = (W, self.objective.loss_grad(W, b))
        return self._kept[1]

    def loss_accuracy(self, W: Array, b: Any) -> tuple[float, float]:
        if not self.reuse:
            return self.objective.loss_accuracy(W, b)
        loss, gW, gb, accuracy = self.objective.loss_grad_accuracy(W, b)
        self._kept = (W, (loss, gW, gb))
        return loss, accuracy

    def loss_grad_accuracy(self, W: Array, b: Any) -> tuple[float, Array, Any, float]:
        return self.objective.loss_grad_accuracy(W, b)


def make_stepper(c: DescentConfig, penalty: Penalty, scale: float) -> Stepper:
    return Stepper(
        penalty, scale, c.learning_rate,
        momentum=c.momentum, nesterov=c.nesterov,
        accelerated=c.momentum_schedule == "accelerated",
        line_search=c.schedule == "line_search", shrink=c.decay_rate,
        fit_intercept=c.fit_intercept,
    )  # fmt: skip


def run_steps(
    stepper: Stepper,
    state: StepState,
    batches: Iterator[Objective],
    eta: float,
    *,
    epoch: int,
    on_step: Callable[[int, float, Array, Any], None] | None = None,
) -> float:
    """Steps over the batches in order; return the last η taken. `on_step` sees
    each step's number, batch loss and the weights it starts from."""
    for batch in batches:
        batch_loss, gW, gb = stepper.gradient(state, batch)
        if not math.isfinite(batch_loss):
            raise _diverged(epoch, eta, batch_loss)
        if on_step is not None:
            on_step(state.step, batch_loss, state.W, state.b)
        eta = stepper.update(state, batch, batch_loss, (gW, gb), eta)
    return eta


def epoch_rate(c: DescentConfig, epoch: int) -> float:
    """The schedule's learning rate for epoch `epoch` (1-based)."""
    return learning_rate_at(
        c.schedule, c.learning_rate, epoch - 1,
        decay_steps=c.decay_steps, decay_rate=c.decay_rate,
    )  # fmt: skip


def blas_for(c: DescentConfig) -> AbstractContextManager[Any]:
    """Mini-batch products are too small for BLAS threads to pay (module docstring)."""
    return single_threaded_blas() if c.batch_size is not None else nullcontext()


def descend(
    family: Family,
    X: Any,
    labels: NDArray[np.intp],
    W: Array,
    b: Any,
    *,
    config: DescentConfig,
    penalty: Penalty,
    rng: np.random.Generator,
    eval_sets: Sequence[EvalSet] = (),
    validation: EvalSet | None = None,
    sample_weight: Array | None = None,
) -> DescentResult:
    """Minimise s·mean-loss(W, b) + penalty(W) from (W, b) over rows X with class
    indices `labels`.

    `eval_sets` are scored each epoch into history as f"{name}_loss" /
    f"{name}_accuracy"; `validation`, if given, drives early stopping (and is scored
    under its own name).
    """
    c = config
    scored = list(eval_sets)
    if validation is not None and all(s.name != validation.name for s in scored):
        scored.append(validation)
    backend = "auto" if c.batch_size is None else "numpy"
    data = TrainingSet(family, X, labels, sample_weight)
    clock = Stopwatch()
    reuse = c.batch_size is None and c.momentum_schedule != "accelerated"
    training = _ReusedGradient(data.prepare(backend, c.n_jobs), reuse)
    with clock.paused():  # eval sets are not the training's time
        scorers = [
            (s.name, s.prepare(family, backend, c.n_jobs).loss_accuracy) for s in scored
        ]
    recorder = Recorder(
        scorers, clock, max_iter=c.max_iter, record_steps=c.record_steps,
        snapshot_epochs=c.snapshot_epochs, verbose=c.verbose,
    )  # fmt: skip
    if 0 in c.snapshot_epochs:  # the initial weights, as "after epoch 0"
        recorder.snapshots[0] = (W.copy(), np.copy(b))
    stopping = Stopping(
        tol=c.tol, rule=c.stopping, patience=c.patience,
        metric=c.early_stopping_metric, early_rule=c.early_stopping_rule,
        validation=None if validation is None else validation.name,
    )  # fmt: skip
    scale = 1.0 if c.loss_scale == "mean" else data.total_weight
    try:
        return _epochs(
            data, training, StepState.start(W, b), make_stepper(c, penalty, scale),
            c, rng, recorder, stopping,
        )  # fmt: skip
    finally:
        recorder.close()


def descend_pass(
    family: Family,
    X: Any,
    labels: NDArray[np.intp],
    state: StepState,
    *,
    config: DescentConfig,
    penalty: Penalty,
    rng: np.random.Generator,
    epoch: int,
    sample_weight: Array | None = None,
) -> float:
    """One pass of steps over rows X from `state`, which it updates (`partial_fit`):
    the mean loss, the schedule's rate for `epoch`; nothing measured or recorded.
    Returns the last η taken. The NumPy reference throughout: preparing a faster
    form of X does not pay for the one full-batch step a call takes at most."""
    c = config
    data = TrainingSet(family, X, labels, sample_weight)
    full = data.prepare("numpy", c.n_jobs)
    with blas_for(c):
        return run_steps(
            make_stepper(c, penalty, 1.0), state, data.batches(full, c, rng),
            epoch_rate(c, epoch), epoch=epoch,
        )  # fmt: skip


def _epochs(
    data: TrainingSet,
    training: _ReusedGradient,
    state: StepState,
    stepper: Stepper,
    c: DescentConfig,
    rng: np.random.Generator,
    recorder: Recorder,
    stopping: Stopping,
) -> DescentResult:
    """The epoch loop: steps, the end-of-epoch measure, recording, stopping."""
    penalty, scale = stepper.penalty, stepper.scale

    def measure() -> dict[str, float]:
        mean_loss, accuracy = training.loss_accuracy(state.W, state.b)
        data_loss = scale * mean_loss
        loss = data_loss + penalty.value(state.W)
        return {"loss": loss, "data_loss": data_loss, "train_accuracy": accuracy}

    def gradient_at(W: Array, b: Any, eta: float) -> float:
        loss_grad = training.loss_grad(W, b)
        return gradient_max(loss_grad, W, scale, penalty, eta, stepper.fit_intercept)

    initial_loss = prev_loss = measure()["loss"]
    if not math.isfinite(initial_loss):
        raise DivergenceError(
            f"the loss at the initial weights is {initial_loss}; check the input values"
        )
    epoch = 0
    for epoch in range(1, c.max_iter + 1):
        with blas_for(c):
            eta = run_steps(
                stepper, state, data.batches(training, c, rng), epoch_rate(c, epoch),
                epoch=epoch, on_step=recorder.step,
            )  # fmt: skip
        measured = measure()
        if not measured["loss"] <= DIVERGENCE_FACTOR * max(initial_loss, 1e-12):
            raise _diverged(epoch, eta, measured["loss"])  # also catches NaN
        recorder.epoch(epoch, {**measured, "learning_rate": eta}, state.W, state.b)
        if stopping.done(
            epoch, prev_loss - measured["loss"], state.W, state.b, eta,
            history=recorder.history, gradient_max=gradient_at,
        ):  # fmt: skip
            break
        prev_loss = measured["loss"]
    return _result(state, epoch, initial_loss, recorder, stopping, c)


def _result(
    state: StepState,
    epoch: int,
    initial_loss: float,
    recorder: Recorder,
    stopping: Stopping,
    c: DescentConfig,
) -> DescentResult:
    """The returned weights: the best epoch's under early stopping, else the last."""
    W, b, best_epoch = state.W, state.b, None
    if stopping.early is not None:
        W, b = stopping.early.best_weights
        best_epoch = stopping.early.best_epoch
    else:
        stopping.warn_if_unconverged(c.max_iter)
    return DescentResult(
        W, b, epoch, recorder.history, recorder.snapshots, initial_loss,
        best_epoch, stopping.converged, recorder.steps, state,
    )  # fmt: skip


def _diverged(epoch: int, eta: float, loss: float) -> DivergenceError:
    return DivergenceError(
        f"training diverged in epoch {epoch} (loss {loss:.3g}) with "
        f"learning_rate={eta:.3g}; try a smaller learning rate such as {eta / 10:.3g}"
    )

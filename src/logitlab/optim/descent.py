"""The one gradient-descent engine behind both estimators.

An epoch is one pass over the training rows: one step for full batch, ⌈n/k⌉ steps for
mini-batches of k (SGD: k = 1). A step on batch B:

    g  = s · ∇ mean-loss_B(W, b) + ∇ smooth-penalty(W)      s = 1 (mean) or n (sum)
    v  = μ v + g;  d = g + μ v (Nesterov) or v (momentum) or g (plain)
    W <- prox(W - η d, η);  b <- b - η d_b                  prox: L1 soft-threshold

momentum_schedule="accelerated" replaces the constant μ by Nesterov's accelerated
schedule μ_k = (k-1)/(k+2) at step k (counted over the whole fit): the gradient is
taken at the extrapolated point Y = W_k + μ_k (W_k - W_{k-1}), then
W_{k+1} = prox(Y - η g(Y), η); with the L1 prox this is FISTA (Beck & Teboulle 2009).
`momentum` and `nesterov` are then unused.

With loss_scale="sum" the objective is the SUM of the per-sample losses over all n rows
plus the penalty (the paper's softmax); a mini-batch estimates it as n × its mean loss,
so mini-batch and full batch minimise the same objective.

History convention: every entry of `history` for epoch e (1-based) is measured on the
weights at the END of epoch e, after its e-th pass. The guide's naive loop appends the
loss BEFORE each update, so its `losses[i]` is the loss after i updates: for full batch,
`losses[i] == history["loss"][i - 1]` for i >= 1, and `losses[0]` is `initial_loss`
(the loss at the initial weights, also kept). We chose end-of-epoch because then the
last entry describes the returned weights, and snapshots, early stopping and eval-set
scores all refer to the same weights. The loss-change test matches the guide too:
stop after epoch e when |loss_e - loss_{e-1}| < tol, with loss_0 = initial_loss, which
returns the same weights as the guide's loop with the same tol.

"time" is the cumulative wall time of the optimisation steps only (plus preparing the
training set's kernel, counted in epoch 1); the end-of-epoch measurements for the
history (training loss and accuracy, eval sets) are excluded, so it compares across
settings that record different eval sets — except the training set's measure when it
also yields the next epoch's gradient (full batch, not accelerated): that pass is the
next step's work, so it is counted.

record_steps=True also records every step (the paper's Fig. 2 plots mini-batch GD per
mini-batch): `steps["step"]`, the batch's data loss at the weights the step starts
from (`steps["loss"]`) and each eval set's loss and accuracy at those same weights —
so the first step of epoch e+1 shows what `history` shows for the end of epoch e.

Full batch: every full pass over a data set (gradient, end-of-epoch measure, the line
search's trial points, each eval set) goes through one `FullBatchKernel` prepared per
data set and fit, when `_kernels.worth_preparing` says the set is big enough; otherwise,
and for mini-batches, through the reference functions of `models.losses`. Mini-batch
steps run with BLAS on one thread: on products this small its threads cost more than
they gain (0.75 s against 8.04 s for the same fit, measured on 2 cores).

Divergence: a non-finite batch loss, or an epoch loss above DIVERGENCE_FACTOR times the
initial loss, raises DivergenceError naming the learning rate, before any non-finite
number can reach the weights. (The from-logits losses stay finite for huge logits, so a
too-large learning rate shows up as an exploding, not a NaN, loss.)
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.exceptions import ConvergenceWarning

from logitlab import _console
from logitlab.backends.kernels import (
    FullBatchKernel,
    single_threaded_blas,
    worth_preparing,
)
from logitlab.errors import DivergenceError
from logitlab.models.losses import Family
from logitlab.models.penalties import Penalty
from logitlab.optim.batches import iter_batches
from logitlab.optim.early_stopping import EarlyStopping
from logitlab.optim.line_search import backtracking_step
from logitlab.optim.schedules import learning_rate_at

Array = NDArray[Any]

_Forward = Callable[[Array, Any], tuple[float, float]]  # (W, b) -> (loss, accuracy)
DIVERGENCE_FACTOR = 1e4  # an epoch loss this many times the initial loss has diverged


@dataclass(frozen=True)
class DescentConfig:
    """The optimiser settings (the estimators' hyperparameters, minus model ones)."""

    learning_rate: float = 0.1
    max_iter: int = 100
    batch_size: int | None = None
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
    snapshot_epochs: tuple[int, ...] = ()
    record_steps: bool = False
    fit_intercept: bool = True
    verbose: int = 0


@dataclass(frozen=True)
class EvalSet:
    """A named data set scored after every epoch: rows X and class indices."""

    name: str
    X: Array
    labels: NDArray[np.intp]


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


def _copy(W: Array, b: Any) -> tuple[Array, Any]:
    return W.copy(), np.copy(b)


def descend(
    family: Family,
    X: Array,
    Y: Array,
    W: Array,
    b: Any,
    *,
    config: DescentConfig,
    penalty: Penalty,
    rng: np.random.Generator,
    eval_sets: Sequence[EvalSet] = (),
    validation: EvalSet | None = None,
) -> DescentResult:
    """Minimise s·mean-loss(W, b) + penalty(W) from (W, b); Y is the loss's target.

    `eval_sets` (rows and class indices) are scored each epoch into history as
    f"{name}_loss" / f"{name}_accuracy"; `validation`, if given, drives early stopping
    (and is scored under its own name).
    """
    c = config
    n = X.shape[0]
    scale = 1.0 if c.loss_scale == "mean" else float(n)
    scored = list(eval_sets)
    if validation is not None and all(s.name != validation.name for s in scored):
        scored.append(validation)
    start = time.perf_counter()
    n_classes = Y.shape[1] if Y.ndim == 2 else 2
    kernel = _kernel_for(family, X, Y, n_classes, c)
    prepare_time = time.perf_counter() - start
    full_loss_grad, full_loss_accuracy = (
        (kernel.loss_grad, kernel.loss_accuracy)
        if kernel is not None
        else _reference(family, X, Y)
    )

    scorers = [(s.name, _scorer(family, s, n_classes, c)) for s in scored]
    accelerated = c.momentum_schedule == "accelerated"
    # Full batch, next gradient taken at the iterate itself (not at the accelerated
    # schedule's look-ahead point): the end-of-epoch measure computes that gradient
    # in the same pass and the next epoch starts from it, one pass saved per epoch.
    grad_at_measure = kernel.loss_grad_accuracy if kernel and not accelerated else None
    cached: tuple[Array, tuple[float, Array, Any]] | None = None  # (W, loss_grad(W))

    def measure(W: Array, b: Any) -> tuple[float, float, float]:
        """(objective, data loss, accuracy) on the whole training set."""
        nonlocal cached
        if grad_at_measure is not None:
            mean_loss, gW, gb, accuracy = grad_at_measure(W, b)
            cached = (W, (mean_loss, gW, gb))
        else:
            mean_loss, accuracy = full_loss_accuracy(W, b)
        data_loss = scale * mean_loss
        return data_loss + penalty.value(W), data_loss, accuracy

    def diverged(epoch: int, eta: float, loss: float) -> DivergenceError:
        return DivergenceError(
            f"training diverged in epoch {epoch} (loss {loss:.3g}) with "
            f"learning_rate={eta:.3g}; try a smaller learning rate "
            f"such as {eta / 10:.3g}"
        )

    initial_loss = measure(W, b)[0]
    if not math.isfinite(initial_loss):
        raise DivergenceError(
            f"the loss at the initial weights is {initial_loss}; check the input values"
        )
    loss_limit = DIVERGENCE_FACTOR * max(initial_loss, 1e-12)
    keys = ["epoch", "loss", "data_loss", "learning_rate", "time", "train_accuracy"]
    keys += [f"{s.name}_{m}" for s in scored for m in ("loss", "accuracy")]
    history: dict[str, list[float]] = {k: [] for k in keys}
    eval_keys = keys[len(keys) - 2 * len(scored) :]
    steps: dict[str, list[float]] = (
        {k: [] for k in ("step", "loss", *eval_keys)} if c.record_steps else {}
    )
    snapshots: dict[int, tuple[Array, Any]] = {}
    if 0 in c.snapshot_epochs:  # the initial weights
        snapshots[0] = _copy(W, b)
    stopper = EarlyStopping(c.patience) if validation is not None else None
    vW, vb = np.zeros_like(W), np.zeros_like(b)
    line_search = c.schedule == "line_search"
    eta_search = c.learning_rate
    W_prev, b_prev, step = W, b, 0  # the previous iterate, for the accelerated schedule
    prev_loss, elapsed, converged, epoch = initial_loss, prepare_time, False, 0
    # mini-batch products are too small for BLAS threads to pay (see the docstring)
    blas = single_threaded_blas if c.batch_size is not None else nullcontext
    bar = _console.progress_bar(c.max_iter, desc="epochs")
    try:
        for epoch in range(1, c.max_iter + 1):
            start = time.perf_counter()
            eta = learning_rate_at(
                c.schedule,
                c.learning_rate,
                epoch - 1,
                decay_steps=c.decay_steps,
                decay_rate=c.decay_rate,
            )
            with blas():
                for idx in iter_batches(n, c.batch_size, rng):
                    step += 1
                    if accelerated:  # gradient at Y = W_k + μ_k (W_k - W_{k-1})
                        mu = (step - 1) / (step + 2)
                        W, b, W_prev, b_prev = (
                            W + mu * (W - W_prev),
                            b + mu * (b - b_prev),
                            W,
                            b,
                        )
                    if idx is None:
                        loss_grad, forward = full_loss_grad, full_loss_accuracy
                    else:
                        loss_grad, forward = _reference(family, X[idx], Y[idx])
                    if cached is not None and cached[0] is W:
                        batch_loss, gW, gb = cached[1]  # from measure or the stop test
                    else:
                        batch_loss, gW, gb = loss_grad(W, b)
                    if not math.isfinite(batch_loss):
                        raise diverged(epoch, eta, batch_loss)
                    if steps:  # a measurement: its time is not the optimiser's
                        recording = time.perf_counter()
                        steps["step"].append(step)
                        steps["loss"].append(batch_loss)
                        for name, evaluate in scorers:
                            loss_acc = evaluate(W, b)
                            steps[f"{name}_loss"].append(loss_acc[0])
                            steps[f"{name}_accuracy"].append(loss_acc[1])
                        start += time.perf_counter() - recording
                    gW = scale * gW + penalty.step_gradient(W)
                    gb = scale * gb if c.fit_intercept else np.zeros_like(gb)
                    if line_search:

                        def objective(W1: Array, b1: Any, f: Any = forward) -> float:
                            return scale * f(W1, b1)[0] + penalty.smooth_value(W1)

                        f0 = scale * batch_loss + penalty.smooth_value(W)
                        eta = backtracking_step(
                            objective, W, b, gW, gb, f0, eta_search,
                            prox=penalty.prox, shrink=c.decay_rate,
                        )  # fmt: skip
                        # next search starts one notch up, never above learning_rate
                        eta_search = min(eta / c.decay_rate, c.learning_rate)
                    if c.momentum and not accelerated:
                        vW, vb = c.momentum * vW + gW, c.momentum * vb + gb
                        gW, gb = (
                            (gW + c.momentum * vW, gb + c.momentum * vb)
                            if c.nesterov
                            else (vW, vb)
                        )
                    W = penalty.prox(W - eta * gW, eta)
                    b = b - eta * gb
            if grad_at_measure is None:  # else the measure computes a gradient: timed
                elapsed += time.perf_counter() - start
            loss, data_loss, accuracy = measure(W, b)
            if grad_at_measure is not None:
                elapsed += time.perf_counter() - start
            if not loss <= loss_limit:  # also catches NaN
                raise diverged(epoch, eta, loss)
            row = {
                "epoch": epoch,
                "loss": loss,
                "data_loss": data_loss,
                "learning_rate": eta,
                "time": elapsed,
                "train_accuracy": accuracy,
            }
            for name, evaluate in scorers:
                row[f"{name}_loss"], row[f"{name}_accuracy"] = evaluate(W, b)
            for k in keys:
                history[k].append(row[k])
            if epoch in c.snapshot_epochs:
                snapshots[epoch] = _copy(W, b)
            if c.verbose and epoch % c.verbose == 0:  # the homework's "Epoch 10, Loss"
                line = f"Epoch {epoch}, Loss: {loss:.4f}"
                line += "".join(
                    f", {s.name} loss: {row[f'{s.name}_loss']:.4f}" for s in scored
                )
                _console.info(line)
            bar.update(1)

            if c.tol is not None:
                if c.stopping == "loss":
                    converged = abs(prev_loss - loss) < c.tol
                else:
                    if cached is None or cached[0] is not W:
                        cached = (W, full_loss_grad(W, b))
                    gmax = _gradient_max(
                        cached[1], W, scale, penalty, eta, c.fit_intercept
                    )
                    converged = gmax <= c.tol
                if converged:
                    break
            prev_loss = loss
            if stopper is not None and validation is not None:
                score = (
                    row[f"{validation.name}_loss"]
                    if c.early_stopping_metric == "loss"
                    else 1 - row[f"{validation.name}_accuracy"]
                )
                if stopper.update(epoch, score, lambda W=W, b=b: _copy(W, b)):
                    break
    finally:
        bar.close()

    best_epoch = None
    if stopper is not None:
        W, b = stopper.best_weights
        best_epoch = stopper.best_epoch
    elif c.tol is not None and not converged:
        warnings.warn(
            f"gradient descent reached max_iter={c.max_iter} epochs before the "
            f"{c.stopping} tolerance tol={c.tol:g}; increase max_iter or the "
            "learning rate",
            ConvergenceWarning,
            stacklevel=3,
        )
    return DescentResult(
        W, b, epoch, history, snapshots, initial_loss, best_epoch, converged, steps
    )


def _kernel_for(
    family: Family, X: Array, targets: Array, n_classes: int, c: DescentConfig
) -> FullBatchKernel | None:
    """The prepared full-batch kernel for a data set, or None for the reference."""
    if c.batch_size is not None or not worth_preparing(X):
        return None
    binary = family.name == "binary"
    return FullBatchKernel(X, targets, None if binary else n_classes, binary=binary)


def _scorer(family: Family, s: EvalSet, n_classes: int, c: DescentConfig) -> _Forward:
    """(mean cross-entropy, accuracy) of an eval set at (W, b): one forward pass."""
    kernel = _kernel_for(family, s.X, s.labels, n_classes, c)
    if kernel is not None:
        return kernel.loss_accuracy

    def score(W: Array, b: Any) -> tuple[float, float]:
        Z = family.logits(s.X, W, b)
        accuracy = float(np.mean(family.predict_index(Z) == s.labels))
        return family.loss_from_logits(s.labels, Z), accuracy

    return score


def _reference(
    family: Family, Xb: Array, Yb: Array
) -> tuple[Callable[[Array, Any], tuple[float, Array, Any]], _Forward]:
    """(loss_grad(W, b), loss_accuracy(W, b)) on rows Xb by the reference functions."""

    def loss_grad(W: Array, b: Any) -> tuple[float, Array, Any]:
        return family.loss_grad(Xb, Yb, W, b)

    def loss_accuracy(W: Array, b: Any) -> tuple[float, float]:
        return family.loss_accuracy(Xb, Yb, W, b)

    return loss_grad, loss_accuracy


def _gradient_max(
    loss_grad_at_W: tuple[float, Array, Any],
    W: Array,
    scale: float,
    penalty: Penalty,
    eta: float,
    fit_intercept: bool,
) -> float:
    """max |G| of the full objective's (proximal) gradient mapping at (W, b).

    Without an L1 prox G is the gradient; with it, G = (W - prox(W - η g, η)) / η, which
    is zero exactly at a minimiser of the non-smooth objective.
    """
    _, gW, gb = loss_grad_at_W
    gW = scale * gW + penalty.step_gradient(W)
    if penalty.proximal:
        gW = (W - penalty.prox(W - eta * gW, eta)) / eta
    gmax = float(np.max(np.abs(gW)))
    if fit_intercept:
        gmax = max(gmax, float(np.max(np.abs(scale * np.asarray(gb)))))
    return gmax

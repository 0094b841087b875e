"""The estimators' shared docstring parts, written once (scikit-learn's habit too).

Both estimators take the same hyperparameters; their numpydoc `Parameters` section is
this one text, put into each class docstring where it says {parameters} (and the
shared attributes where it says {attributes}). The CLI reads its options' help from
the same section, so keep it standard numpydoc: `name : type, default=value`, then
the description indented.
"""

from __future__ import annotations

import textwrap
from typing import TypeVar

T = TypeVar("T")

PARAMETERS = """\
learning_rate : float, default=0.1
    The step size η0: the first epoch's, changed per epoch by `schedule`; with
    schedule="line_search" the largest step tried.
max_iter : int, default=100
    Epochs (passes over the training rows) at most.
batch_size : int or None, default=None
    Rows per step: None for full-batch gradient descent (one step per epoch), k for
    mini-batches of k rows (SGD: 1), ⌈n/k⌉ steps per epoch.
shuffle : bool, default=True
    Take each epoch's mini-batches in a new random order (drawn from
    `random_state`); False takes them in row order, so that `partial_fit` over
    consecutive chunks takes exactly the steps `fit` takes.
momentum : float, default=0.0
    μ in [0, 1): the velocity v <- μ v + g replaces the gradient g in the step.
nesterov : bool, default=False
    Nesterov's momentum: step along g + μ v instead of v.
momentum_schedule : {"constant", "accelerated"}, default="constant"
    "constant" uses `momentum`; "accelerated" is Nesterov's accelerated gradient,
    μ_k = (k-1)/(k+2) at step k (FISTA with the proximal L1 step), which converges
    as 1/k² on the full batch; `momentum` and `nesterov` are then unused.
schedule : {"constant", "invscaling", "step", "exponential", "line_search"}, \
default="constant"
    The learning rate of epoch t = 0, 1, ...: η0; η0 / (1 + t/T) (the paper's
    softmax); η0 · decay_rate^⌊t/T⌋; η0 · decay_rate^t; or a backtracking (Armijo)
    search at every step, from one notch above the last accepted step.
decay_steps : float, default=3.0
    T of "invscaling" and "step", in epochs.
decay_rate : float, default=0.5
    The factor of "step" and "exponential"; the line search's shrink factor.
init : {"zeros", "normal"}, default="zeros"
    Initial weights: zeros, or standard normal draws from `random_state` (the
    paper's softmax).
loss_scale : {"mean", "sum"}, default="mean"
    The data term: the (weighted) mean of the per-row losses, or their sum (the
    paper's softmax, whose learning rate is n times smaller for the same steps).
penalty : {"l2", "l1", "elasticnet"} or None, default=None
    Penalty on the weights, never the intercept:
    alpha · [(1 - l1_ratio)/2 ||W||² + l1_ratio ||W||₁], l1_ratio being 0 for "l2"
    and 1 for "l1".
alpha : float, default=0.0
    Strength of the penalty (0: none). scikit-learn's C is alpha = 1 / (C · n) for
    the mean loss (n: the sum of the sample weights), 1 / C for the sum loss.
l1_ratio : float, default=0.5
    The L1 share of "elasticnet", in [0, 1].
l1_method : {"proximal", "subgradient"}, default="proximal"
    How the L1 part acts: a soft-threshold after each step, which gives exact zeros,
    or alpha · l1_ratio · sign(W) added to the gradient (the guide's and the paper's
    way; the weights then hover around zero).
class_weight : dict, "balanced" or None, default=None
    Weights per class, multiplying the sample weights: {label: weight} (1 for the
    classes not named), or "balanced", n_samples / (n_classes · bincount(y))
    (counts weighted by `sample_weight` when given), as in scikit-learn.
tol : float or None, default=None
    Stop as soon as the `stopping` test passes; None runs max_iter epochs.
stopping : {"loss", "gradient"}, default="loss"
    The test with `tol`: the objective changed by less than tol in the last epoch
    (the guide's), or no entry of the (proximal) gradient exceeds tol.
early_stopping : bool, default=False
    Watch a validation set (the eval set named "validation", else a stratified
    `validation_fraction` of the rows, held out); stop after `patience` epochs
    without improvement and return the best epoch's weights (the paper's rule).
early_stopping_metric : {"error", "loss"}, default="error"
    What early stopping watches on the validation set: 1 - accuracy, or the loss.
patience : int, default=5
    Epochs without improvement before early stopping stops.
validation_fraction : float, default=0.1
    Share of the rows held out for early stopping when no "validation" eval set is
    given.
snapshot_epochs : tuple of int, default=()
    Epochs after which a copy of (coef_, intercept_) is kept in `snapshots_`.
record_steps : bool, default=False
    Also record every step (the batch's loss and each eval set's loss and accuracy
    at the weights the step starts from) in `step_history_`.
warm_start : bool, default=False
    Start `fit` from the last fit's weights (same classes and features); the
    schedule, momentum and history start afresh.
fit_intercept : bool, default=True
    Fit the intercept b; False keeps it at 0.
dtype : {"float64", "float32"}, default="float64"
    Precision of the data and weights in the fit: float32 halves the memory and
    runs faster, float64 is what equals scikit-learn to 1e-4.
random_state : int, numpy.random.Generator or None, default=None
    Seeds the mini-batch order, init="normal" and the early-stopping split; an int
    makes a fit reproducible.
n_jobs : int or None, default=None
    Threads of the compiled full-batch kernel: None as many as OpenMP allows
    (threadpoolctl, OMP_NUM_THREADS), -1 all cores, n > 0 exactly n.
verbose : int, default=0
    k > 0 draws a progress bar over the epochs (in a terminal or a notebook) and
    prints "Epoch e, Loss: ..." every k epochs, as the homework's loop does; 0 is
    silent."""

ATTRIBUTES = """\
classes_ : ndarray of shape (n_classes,)
    The class labels, sorted; column j of `predict_proba` is classes_[j].
n_features_in_ : int
    Number of features seen in `fit`.
n_iter_ : int
    Epochs `fit` ran (then one more per `partial_fit` call).
history_ : dict of str to list of float
    Per epoch, measured on the weights at the END of each epoch: "epoch", "loss"
    (the objective), "data_loss", "learning_rate", "time" (seconds since the fit
    started, less the time spent scoring eval sets), "train_accuracy", and
    f"{name}_loss" / f"{name}_accuracy" for each eval set.
step_history_ : dict of str to list of float
    With `record_steps`, per step: "step", "loss" (the batch's) and each eval set's
    loss and accuracy at the weights the step starts from; else {}.
snapshots_ : dict of int to (ndarray, ndarray)
    (coef_, intercept_) after each epoch of `snapshot_epochs`.
best_epoch_ : int or None
    With early stopping, the epoch whose weights were returned; else None.
initial_loss_ : float
    The objective at the initial weights (the guide's losses[0])."""


def _indented(text: str, indent: str) -> str:
    return textwrap.indent(text, indent).lstrip()


def fill_doc(obj: T) -> T:
    """Put the shared parts into `obj`'s docstring where it says {parameters} and
    {attributes} (each marker alone on its line, indented as the text should be)."""
    doc = obj.__doc__ or ""
    for marker, text in {
        "{parameters}": PARAMETERS,
        "{attributes}": ATTRIBUTES,
    }.items():
        for line in doc.splitlines():
            if line.strip() == marker:
                indent = line[: len(line) - len(line.lstrip())]
                doc = doc.replace(line, indent + _indented(text, indent))
    obj.__doc__ = doc
    return obj

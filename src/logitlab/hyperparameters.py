"""The estimators' hyperparameters, described once: defaults, allowed values, meaning.

Three things are made from `HYPERPARAMETERS` and nothing restates it:

- the ``Parameters`` section of both estimators' numpydoc docstrings
  (`numpydoc_parameters`, put in by `logitlab.estimators._docs.fill_doc`);
- the estimators' `_parameter_constraints`, which scikit-learn checks at `fit`
  (`sklearn_constraints`);
- the model and optimiser options of `logitlab train`, with their help and defaults
  (`logitlab.cli.options`).

This module imports nothing heavy (no NumPy, no scikit-learn at import time) so that
`logitlab train --help` and shell completion stay fast.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any, Literal

Closed = Literal["neither", "left", "right", "both"]


@dataclass(frozen=True)
class Hyperparameter:
    """One keyword argument of the estimators.

    `kind` is float, int, bool or str (None: a value scikit-learn validates by name,
    `special`). `choices` lists a str option's values (None among them allows None).
    A number lies between `low` and `high`, the ends included as `closed` says.
    `nullable` numbers also accept None, which means `none_means`. The first sentence
    of `doc` is the command line's help; the whole of it the docstring's.
    """

    name: str
    default: Any
    doc: str
    kind: type | None = None
    choices: tuple[str | None, ...] = ()
    low: float | None = None
    high: float | None = None
    closed: Closed = "left"
    nullable: bool = False
    none_means: str = ""
    special: tuple[str, ...] = ()  # scikit-learn constraint names ("random_state")
    type_text: str = ""  # numpydoc type, when the kind does not say it

    @property
    def summary(self) -> str:
        """The doc's first sentence (up to the first '. ' or the end)."""
        return re.split(r"(?<=\.)\s", " ".join(self.doc.split()), maxsplit=1)[0]

    def numpydoc_type(self) -> str:
        """The docstring's type line: ``{"l2", "l1"} or None, default=None``."""
        if self.type_text:
            text = self.type_text
        elif self.choices:
            names = ", ".join(f'"{c}"' for c in self.choices if c is not None)
            text = "{" + names + "}" + (" or None" if None in self.choices else "")
        else:
            text = getattr(self.kind, "__name__", "object")
            if self.nullable:
                text += " or None"
        default = f'"{self.default}"' if isinstance(self.default, str) else self.default
        return f"{text}, default={default}"


def _real(low: float | None, high: float | None = None, closed: Closed = "left") -> Any:
    return {"kind": float, "low": low, "high": high, "closed": closed}


HYPERPARAMETERS: tuple[Hyperparameter, ...] = (
    Hyperparameter(
        "learning_rate",
        0.1,
        "The step size η0: the first epoch's, changed per epoch by `schedule`; with "
        'schedule="line_search" the largest step tried.',
        **_real(0, None, "neither"),
    ),
    Hyperparameter(
        "max_iter",
        100,
        "Epochs (passes over the training rows) at most.",
        kind=int,
        low=1,
    ),
    Hyperparameter(
        "batch_size",
        None,
        "Rows per step: None for full-batch gradient descent (one step per epoch), k "
        "for mini-batches of k rows (SGD: 1), ⌈n/k⌉ steps per epoch.",
        kind=int,
        low=1,
        nullable=True,
        none_means="full batch",
    ),
    Hyperparameter(
        "shuffle",
        True,
        "Take each epoch's mini-batches in a new random order (drawn from "
        "`random_state`); False takes them in row order, so that `partial_fit` over "
        "consecutive chunks takes exactly the steps `fit` takes.",
        kind=bool,
    ),
    Hyperparameter(
        "momentum",
        0.0,
        "μ in [0, 1): the velocity v <- μ v + g replaces the gradient g in the step.",
        **_real(0, 1, "left"),
    ),
    Hyperparameter(
        "nesterov",
        False,
        "Nesterov's momentum: step along g + μ v instead of v.",
        kind=bool,
    ),
    Hyperparameter(
        "momentum_schedule",
        "constant",
        '"constant" uses `momentum`; "accelerated" is Nesterov\'s accelerated '
        "gradient, μ_k = (k-1)/(k+2) at step k (FISTA with the proximal L1 step), "
        "which converges as 1/k² on the full batch; `momentum` and `nesterov` are "
        "then unused.",
        kind=str,
        choices=("constant", "accelerated"),
    ),
    Hyperparameter(
        "schedule",
        "constant",
        "The learning rate of epoch t = 0, 1, ...: η0; η0 / (1 + t/T) (the paper's "
        "softmax); η0 · decay_rate^⌊t/T⌋; η0 · decay_rate^t; or a backtracking "
        "(Armijo) search at every step, from one notch above the last accepted step.",
        kind=str,
        choices=("constant", "invscaling", "step", "exponential", "line_search"),
    ),
    Hyperparameter(
        "decay_steps",
        3.0,
        'T of "invscaling" and "step", in epochs.',
        **_real(0, None, "neither"),
    ),
    Hyperparameter(
        "decay_rate",
        0.5,
        'The factor of "step" and "exponential"; the line search\'s shrink factor.',
        **_real(0, 1, "neither"),
    ),
    Hyperparameter(
        "init",
        "zeros",
        "Initial weights: zeros, or standard normal draws from `random_state` (the "
        "paper's softmax).",
        kind=str,
        choices=("zeros", "normal"),
    ),
    Hyperparameter(
        "loss_scale",
        "mean",
        "The data term: the (weighted) mean of the per-row losses, or their sum (the "
        "paper's softmax, whose learning rate is n times smaller for the same steps).",
        kind=str,
        choices=("mean", "sum"),
    ),
    Hyperparameter(
        "penalty",
        None,
        "Penalty on the weights, never the intercept: `alpha` · [(1 - `l1_ratio`)/2 "
        '||W||² + `l1_ratio` ||W||₁], `l1_ratio` being 0 for "l2" and 1 for "l1".',
        kind=str,
        choices=("l2", "l1", "elasticnet", None),
    ),
    Hyperparameter(
        "alpha",
        0.0,
        "Strength of the penalty (0: none). scikit-learn's C is alpha = 1 / (C · n) "
        "for the mean loss (n: the sum of the sample weights), 1 / C for the sum loss.",
        **_real(0, None, "left"),
    ),
    Hyperparameter(
        "l1_ratio",
        0.5,
        'The L1 share of "elasticnet", in [0, 1].',
        **_real(0, 1, "both"),
    ),
    Hyperparameter(
        "l1_method",
        "proximal",
        "How the L1 part acts: a soft-threshold after each step, which gives exact "
        "zeros, or alpha · l1_ratio · sign(W) added to the gradient (the guide's and "
        "the paper's way; the weights then hover around zero).",
        kind=str,
        choices=("proximal", "subgradient"),
    ),
    Hyperparameter(
        "class_weight",
        None,
        "Weights per class, multiplying the sample weights: {label: weight} (1 for "
        'the classes not named), or "balanced", n_samples / (n_classes · '
        "bincount(y)) (counts weighted by `sample_weight` when given), as in "
        "scikit-learn.",
        kind=str,
        choices=("balanced", None),
        special=("dict",),
        type_text='dict, "balanced" or None',
    ),
    Hyperparameter(
        "tol",
        None,
        "Stop as soon as the `stopping` test passes; None runs `max_iter` epochs.",
        **_real(0, None, "neither"),
        nullable=True,
        none_means="off",
    ),
    Hyperparameter(
        "stopping",
        "loss",
        "The test with `tol`: the objective changed by less than tol in the last "
        "epoch (the guide's), or no entry of the (proximal) gradient exceeds tol.",
        kind=str,
        choices=("loss", "gradient"),
    ),
    Hyperparameter(
        "early_stopping",
        False,
        'Watch a validation set (the eval set named "validation", else a stratified '
        "`validation_fraction` of the rows, held out); stop as `early_stopping_rule` "
        "says and return the best epoch's weights.",
        kind=bool,
    ),
    Hyperparameter(
        "early_stopping_metric",
        "error",
        "What early stopping watches on the validation set: 1 - accuracy, or the loss.",
        kind=str,
        choices=("error", "loss"),
    ),
    Hyperparameter(
        "early_stopping_rule",
        "no_improvement",
        "When early stopping stops: after `patience` epochs without a new best score "
        "(scikit-learn's n_iter_no_change), or after `patience` epochs in a row whose "
        "score rose (the paper's: 'if the error on the hold-out set increases for 5 "
        "epochs, we stop'), which runs longer on a plateau.",
        kind=str,
        choices=("no_improvement", "rises"),
    ),
    Hyperparameter(
        "patience",
        5,
        "Epochs without improvement (or rises in a row) before early stopping stops.",
        kind=int,
        low=1,
    ),
    Hyperparameter(
        "validation_fraction",
        0.1,
        'Share of the rows held out for early stopping when no "validation" eval '
        "set is given.",
        **_real(0, 1, "neither"),
    ),
    Hyperparameter(
        "snapshot_epochs",
        (),
        "Epochs after which a copy of (coef_, intercept_) is kept in `snapshots_` "
        "(0: the initial weights).",
        special=("array-like",),
        type_text="tuple of int",
    ),
    Hyperparameter(
        "record_steps",
        False,
        "Also record every step (the batch's loss and each eval set's loss and "
        "accuracy at the weights the step starts from) in `step_history_`.",
        kind=bool,
    ),
    Hyperparameter(
        "warm_start",
        False,
        "Start `fit` from the last fit's weights (same classes and features); the "
        "schedule, momentum and history start afresh.",
        kind=bool,
    ),
    Hyperparameter(
        "fit_intercept",
        True,
        "Fit the intercept b; False keeps it at 0.",
        kind=bool,
    ),
    Hyperparameter(
        "dtype",
        "float64",
        "Precision of the data and weights in the fit: float32 halves the memory and "
        "runs faster, float64 is what equals scikit-learn to 1e-4.",
        kind=str,
        choices=("float64", "float32"),
    ),
    Hyperparameter(
        "random_state",
        None,
        'Seeds the mini-batch order, init="normal" and the early-stopping split; an '
        "int makes a fit reproducible.",
        special=("random_state", "generator"),
        type_text="int, numpy.random.Generator or None",
    ),
    Hyperparameter(
        "n_jobs",
        None,
        "Threads of the compiled full-batch kernel: None as many as OpenMP allows "
        "(threadpoolctl, OMP_NUM_THREADS), -1 all cores, n > 0 exactly n.",
        kind=int,
        nullable=True,
        none_means="as OpenMP allows",
        closed="neither",
    ),
    Hyperparameter(
        "verbose",
        0,
        "k > 0 draws a progress bar over the epochs (in a terminal or a notebook) and "
        'prints "Epoch e, Loss: ..." every k epochs, as the homework\'s loop does; 0 '
        "is silent.",
        special=("verbose",),
        type_text="int",
    ),
)

BY_NAME: dict[str, Hyperparameter] = {h.name: h for h in HYPERPARAMETERS}


def numpydoc_parameters(indent: str = "") -> str:
    """The entries of a numpydoc ``Parameters`` section (`name : type` lines, each
    description indented 4 more), at `indent`."""
    lines = []
    for h in HYPERPARAMETERS:
        lines.append(f"{indent}{h.name} : {h.numpydoc_type()}")
        lines += textwrap.wrap(
            " ".join(h.doc.split()),
            84,  # 88 once put into a class docstring, 4 deeper
            initial_indent=indent + "    ",
            subsequent_indent=indent + "    ",
        )
    return "\n".join(lines)


def sklearn_constraints() -> dict[str, list[Any]]:
    """`_parameter_constraints` for scikit-learn's validation at `fit`.

    scikit-learn's `Interval` and `StrOptions` live in a private module; this is the one
    place logitlab uses it. Its range is tested: CI runs the suite on the newest
    scikit-learn and on the oldest `pyproject.toml` allows (`.ci/oldest`).
    """
    from numbers import Integral, Real

    import numpy as np
    from sklearn.utils._param_validation import Interval, StrOptions

    named: dict[str, Any] = {"generator": np.random.Generator, "dict": dict}
    constraints: dict[str, list[Any]] = {}
    for h in HYPERPARAMETERS:
        allowed: list[Any] = [named.get(s, s) for s in h.special]
        if h.choices:
            allowed.append(StrOptions({c for c in h.choices if c is not None}))
            allowed += [None] if None in h.choices else []
        elif h.kind is bool:
            allowed.append("boolean")
        elif h.kind in (int, float):
            number = Integral if h.kind is int else Real
            allowed.append(Interval(number, h.low, h.high, closed=h.closed))
        allowed += [None] if h.nullable else []
        constraints[h.name] = allowed
    return constraints


def defaults() -> dict[str, Any]:
    """Every hyperparameter's default, by name."""
    return {h.name: h.default for h in HYPERPARAMETERS}

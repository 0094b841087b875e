"""The estimators' hyperparameters, described once: defaults, allowed values, meaning.

Three things are made from `HYPERPARAMETERS` and nothing restates it:

- the ``Parameters`` section of both estimators' numpydoc docstrings
  (`numpydoc_parameters`, inserted by `document_parameters`);
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
from typing import Any, Literal, TypeVar

Closed = Literal["neither", "left", "right", "both"]
T = TypeVar("T")


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
        if self.choices:
            names = ", ".join(f'"{c}"' for c in self.choices if c is not None)
            text = "{" + names + "}" + (" or None" if None in self.choices else "")
        else:
            text = self.type_text or getattr(self.kind, "__name__", "object")
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
        "Initial learning rate η0 (the step size of the first epoch). Too large a "
        "step makes the loss grow; `fit` then raises DivergenceError suggesting a "
        "smaller one.",
        **_real(0, None, "neither"),
    ),
    Hyperparameter(
        "max_iter",
        100,
        "Number of epochs (passes over the training set), at most. Fewer are run "
        "when `tol` or `early_stopping` stops training.",
        kind=int,
        low=1,
    ),
    Hyperparameter(
        "batch_size",
        None,
        "Rows per gradient step; 1 is stochastic gradient descent. The rows are "
        "reshuffled every epoch; None uses the whole training set in every step.",
        kind=int,
        low=1,
        nullable=True,
        none_means="full batch",
    ),
    Hyperparameter(
        "momentum",
        0.0,
        "Heavy-ball momentum μ: each step adds μ times the previous one. 0 is plain "
        "gradient descent.",
        **_real(0, 1, "left"),
    ),
    Hyperparameter(
        "nesterov",
        False,
        "Nesterov momentum: the gradient is taken at the look-ahead point.",
        kind=bool,
    ),
    Hyperparameter(
        "momentum_schedule",
        "constant",
        "How momentum varies over the steps. "
        '"constant" keeps μ = `momentum`; "accelerated" uses Nesterov\'s '
        "μ_k = (k-1)/(k+2) at step k, which with the proximal L1 step is FISTA "
        "(`momentum` and `nesterov` are then unused).",
        kind=str,
        choices=("constant", "accelerated"),
    ),
    Hyperparameter(
        "schedule",
        "constant",
        "How the learning rate changes from epoch to epoch. "
        '"constant" keeps η0; "invscaling" is η0 / (1 + t/T) with T = `decay_steps`; '
        '"step" multiplies by `decay_rate` every `decay_steps` epochs; "exponential" '
        'by `decay_rate` every epoch; "line_search" backtracks from η0 (Armijo).',
        kind=str,
        choices=("constant", "invscaling", "step", "exponential", "line_search"),
    ),
    Hyperparameter(
        "decay_steps",
        3.0,
        "T of the invscaling schedule, or the epochs between two steps of the step "
        "schedule.",
        **_real(0, None, "neither"),
    ),
    Hyperparameter(
        "decay_rate",
        0.5,
        "Factor of the step and exponential schedules; the line search's shrink "
        "factor.",
        **_real(0, 1, "neither"),
    ),
    Hyperparameter(
        "init",
        "zeros",
        'Initial weights: "zeros", or "normal" draws from N(0, 1) with `random_state`.',
        kind=str,
        choices=("zeros", "normal"),
    ),
    Hyperparameter(
        "loss_scale",
        "mean",
        "Whether the data loss is the mean or the sum of the per-example "
        'cross-entropies. With "sum" the gradient, and so the right learning rate, '
        "scales with the number of rows.",
        kind=str,
        choices=("mean", "sum"),
    ),
    Hyperparameter(
        "penalty",
        None,
        "Regularisation of the weights (never of the intercept). "
        '"l2" adds (`alpha`/2)||w||², "l1" adds `alpha` ||w||₁, "elasticnet" adds '
        "alpha [(1 - l1_ratio)/2 ||w||² + l1_ratio ||w||₁].",
        kind=str,
        choices=("l2", "l1", "elasticnet", None),
    ),
    Hyperparameter(
        "alpha",
        0.0,
        "Penalty strength λ. For the mean loss, scikit-learn's C corresponds to "
        "alpha = 1/(C·n_samples).",
        **_real(0, None, "left"),
    ),
    Hyperparameter(
        "l1_ratio",
        0.5,
        'Share of L1 in the "elasticnet" penalty (0 is L2, 1 is L1).',
        **_real(0, 1, "both"),
    ),
    Hyperparameter(
        "l1_method",
        "proximal",
        "How the L1 term is minimised. "
        '"proximal" soft-thresholds after each gradient step (exact zeros); '
        '"subgradient" adds alpha·sign(w) to the gradient.',
        kind=str,
        choices=("proximal", "subgradient"),
    ),
    Hyperparameter(
        "tol",
        None,
        "Tolerance that stops training early (see `stopping`). "
        "None runs all `max_iter` epochs.",
        **_real(0, None, "neither"),
        nullable=True,
        none_means="off",
    ),
    Hyperparameter(
        "stopping",
        "loss",
        "What `tol` is compared with. "
        '"loss": the change of the objective over an epoch; "gradient": the largest '
        "gradient component.",
        kind=str,
        choices=("loss", "gradient"),
    ),
    Hyperparameter(
        "early_stopping",
        False,
        "Stop when the validation score has not improved for `patience` epochs, and "
        "keep the best epoch's weights. The validation set is the eval set named "
        '"validation", else a stratified `validation_fraction` of the training rows.',
        kind=bool,
    ),
    Hyperparameter(
        "early_stopping_metric",
        "error",
        'Validation score that early stopping watches: "error" (1 - accuracy) or '
        '"loss" (cross-entropy).',
        kind=str,
        choices=("error", "loss"),
    ),
    Hyperparameter(
        "patience",
        5,
        "Epochs without improvement of the validation score before early stopping.",
        kind=int,
        low=1,
    ),
    Hyperparameter(
        "validation_fraction",
        0.1,
        "Share of the training rows held out for early stopping when no validation "
        "set is given.",
        **_real(0, 1, "neither"),
    ),
    Hyperparameter(
        "snapshot_epochs",
        (),
        "Epochs after which to keep a copy of the weights, in `snapshots_`.",
        special=("array-like",),
        type_text="sequence of int",
    ),
    Hyperparameter(
        "record_steps",
        False,
        "Also record every step (the batch's loss and each eval set's) in "
        "`step_history_`. Costs one evaluation per step.",
        kind=bool,
    ),
    Hyperparameter(
        "warm_start",
        False,
        "Start from the last fit's weights. The schedule, momentum and history "
        "start afresh.",
        kind=bool,
    ),
    Hyperparameter(
        "fit_intercept",
        True,
        "Learn an intercept (bias) b; if False, b stays 0.",
        kind=bool,
    ),
    Hyperparameter(
        "dtype",
        "float64",
        'Floating-point precision of the weights and the arithmetic. "float32" '
        "halves memory and is faster, with losses good to about 1e-6.",
        kind=str,
        choices=("float64", "float32"),
    ),
    Hyperparameter(
        "random_state",
        None,
        "Seed of the shuffling, the validation split and the normal init. An int "
        "gives the same fit every time.",
        special=("random_state", "generator"),
        type_text="int, RandomState instance, Generator or None",
    ),
    Hyperparameter(
        "verbose",
        0,
        'Print "Epoch e, Loss: ..." every `verbose` epochs (0: silent), as the '
        "homework's loop does.",
        special=("verbose",),
        type_text="int",
    ),
)

BY_NAME: dict[str, Hyperparameter] = {h.name: h for h in HYPERPARAMETERS}


def numpydoc_parameters(indent: str = "    ") -> str:
    """The ``Parameters`` section of a numpydoc docstring, at `indent`."""
    lines = [f"{indent}Parameters", f"{indent}----------"]
    for h in HYPERPARAMETERS:
        lines.append(f"{indent}{h.name} : {h.numpydoc_type()}")
        lines += [*_wrap(h.doc, indent + "    "), ""]
    return "\n".join(lines[:-1])


def _wrap(text: str, indent: str, width: int = 88) -> list[str]:
    words = " ".join(text.split())
    return textwrap.wrap(words, width, initial_indent=indent, subsequent_indent=indent)


_SECTIONS = "Attributes|Examples|See Also|Notes|References"
_SECTION = re.compile(rf"^( *)({_SECTIONS})\n\1-+$", re.MULTILINE)


def document_parameters(cls: type[T]) -> type[T]:
    """Class decorator: insert the ``Parameters`` section into `cls`'s docstring,
    before its first Attributes/Examples/See Also/Notes/References section (or at
    the end)."""
    doc = cls.__doc__ or ""
    match = _SECTION.search(doc)
    indent = match.group(1) if match else "    "
    section = numpydoc_parameters(indent) + "\n"
    if match:
        cls.__doc__ = doc[: match.start()] + section + "\n" + doc[match.start() :]
    else:
        cls.__doc__ = doc.rstrip() + "\n\n" + section
    return cls


def sklearn_constraints() -> dict[str, list[Any]]:
    """`_parameter_constraints` for scikit-learn's validation at `fit`.

    scikit-learn's `Interval` and `StrOptions` live in a private module; this is the one
    place logitlab uses it. Its range is tested: CI runs the suite on the newest
    scikit-learn and on the oldest `pyproject.toml` allows (`.ci/oldest`).
    """
    from numbers import Integral, Real

    import numpy as np
    from sklearn.utils._param_validation import Interval, StrOptions

    named: dict[str, Any] = {"generator": np.random.Generator}
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

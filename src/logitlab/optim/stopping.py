"""When to stop: the tolerance tests (loss change or gradient), early stopping.

The loss-change test matches the guide: stop after epoch e when
|loss_e - loss_{e-1}| < tol, with loss_0 the loss at the initial weights, which returns
the same weights as the guide's loop with the same tol. The gradient test stops when
max |G| <= tol, G the full objective's (proximal) gradient mapping. Early stopping
watches a validation set (see `early_stopping`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.exceptions import ConvergenceWarning

from logitlab.models.penalties import Penalty
from logitlab.optim.early_stopping import EarlyStopping

Array = NDArray[Any]
LossGrad = tuple[float, Array, Any]


class Stopping:
    """The fit's stopping rules, asked once per epoch (`done`)."""

    def __init__(
        self,
        *,
        tol: float | None,
        rule: str,
        patience: int,
        metric: str,
        validation: str | None,
        early_rule: str = "no_improvement",
    ) -> None:
        self.tol, self.rule, self.metric = tol, rule, metric
        self.validation = validation  # the name of the early-stopping eval set
        self.early = (
            None if validation is None else EarlyStopping(patience, rule=early_rule)
        )
        self.converged = False

    def done(
        self,
        epoch: int,
        loss_change: float,
        W: Array,
        b: Any,
        eta: float,
        *,
        history: dict[str, list[float]],
        gradient_max: Callable[[Array, Any, float], float],
    ) -> bool:
        """True when training should stop after this epoch at weights (W, b), the
        last step's size η; `history` holds the validation scores."""
        if self.tol is not None:
            if self.rule == "loss":
                self.converged = abs(loss_change) < self.tol
            else:
                self.converged = gradient_max(W, b, eta) <= self.tol
            if self.converged:
                return True
        if self.early is None:
            return False
        name = self.validation
        score = (
            history[f"{name}_loss"][-1]
            if self.metric == "loss"
            else 1 - history[f"{name}_accuracy"][-1]
        )
        return self.early.update(epoch, score, lambda: (W.copy(), np.copy(b)))

    def warn_if_unconverged(self, max_iter: int) -> None:
        """ConvergenceWarning when a tolerance was set, not met, and no early stop."""
        if self.early is None and self.tol is not None and not self.converged:
            warnings.warn(
                f"gradient descent reached max_iter={max_iter} epochs before the "
                f"{self.rule} tolerance tol={self.tol:g}; increase max_iter or the "
                "learning rate",
                ConvergenceWarning,
                stacklevel=4,
            )


def gradient_max(
    loss_grad_at_W: LossGrad,
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

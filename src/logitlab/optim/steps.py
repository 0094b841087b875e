"""One descent step per optimiser family, and the state kept between steps.

A step on a batch, with g the batch's gradient at the point the step starts from:

    plain:         W <- prox(W - η g, η)
    momentum:      v <- μ v + g;  W <- prox(W - η v, η)
    Nesterov:      v <- μ v + g;  W <- prox(W - η (g + μ v), η)
    accelerated:   Y = W_k + μ_k (W_k - W_{k-1}), μ_k = (k-1)/(k+2), g taken at Y;
                   W_{k+1} = prox(Y - η g, η)   (FISTA with the L1 prox)

With schedule="line_search" η is searched on the batch before the update (see
`line_search`). The intercept takes the same step without the prox. `StepState` is
what a step needs from the steps before it (velocity, previous iterate, step count,
where the next line search starts), so a later call (`partial_fit`) continues where
the last one stopped; `Stepper` is the rule, built from the settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from logitlab.backends import Objective
from logitlab.models.penalties import Penalty
from logitlab.optim.line_search import backtracking_step

Array = NDArray[Any]


@dataclass
class StepState:
    """The iterate (W, b) and the optimiser's memory of the steps so far."""

    W: Array
    b: Any
    vW: Array  # momentum velocity
    vb: Any
    W_prev: Array  # the previous iterate (accelerated schedule)
    b_prev: Any
    step: int = 0  # steps taken (the accelerated schedule's k)
    eta_search: float = math.inf  # where the next line search starts (capped)

    @classmethod
    def start(cls, W: Array, b: Any) -> StepState:
        return cls(W, b, np.zeros_like(W), np.zeros_like(b), W, b)


@dataclass(frozen=True)
class Stepper:
    """How a step is taken (the optimiser family and the objective's parts)."""

    penalty: Penalty
    scale: float  # 1 for the mean loss, the total sample weight for the sum loss
    learning_rate: float  # the line search never starts above it
    momentum: float = 0.0
    nesterov: bool = False
    accelerated: bool = False
    line_search: bool = False
    shrink: float = 0.5  # the line search's factor
    fit_intercept: bool = True

    def gradient(self, s: StepState, batch: Objective) -> tuple[float, Array, Any]:
        """Start a step: the batch's mean loss and gradient where the step starts
        (for the accelerated schedule the look-ahead point, which W moves to)."""
        s.step += 1
        if self.accelerated:  # gradient at Y = W_k + μ_k (W_k - W_{k-1})
            mu = (s.step - 1) / (s.step + 2)
            s.W, s.b, s.W_prev, s.b_prev = (
                s.W + mu * (s.W - s.W_prev),
                s.b + mu * (s.b - s.b_prev),
                s.W,
                s.b,
            )
        return batch.loss_grad(s.W, s.b)

    def update(
        self,
        s: StepState,
        batch: Objective,
        batch_loss: float,
        grads: tuple[Array, Any],
        eta: float,
    ) -> float:
        """Finish the step from the batch's gradient; return the η taken."""
        gW = self.scale * grads[0] + self.penalty.step_gradient(s.W)
        gb = self.scale * grads[1] if self.fit_intercept else np.zeros_like(grads[1])
        if self.line_search:
            eta = self._search(s, batch, batch_loss, gW, gb)
        if self.momentum and not self.accelerated:
            gW, gb = self._momentum(s, gW, gb)
        s.W = self.penalty.prox(s.W - eta * gW, eta)
        s.b = s.b - eta * gb
        return eta

    def _momentum(self, s: StepState, gW: Array, gb: Any) -> tuple[Array, Any]:
        """Heavy-ball (v) or Nesterov (g + μ v) direction from the velocity."""
        mu = self.momentum
        s.vW, s.vb = mu * s.vW + gW, mu * s.vb + gb
        if self.nesterov:
            return gW + mu * s.vW, gb + mu * s.vb
        return s.vW, s.vb

    def _search(
        self, s: StepState, batch: Objective, batch_loss: float, gW: Array, gb: Any
    ) -> float:
        """Backtracking on the batch's smooth objective from one notch above the last
        accepted step, never above the learning rate."""
        penalty, scale = self.penalty, self.scale

        def objective(W1: Array, b1: Any) -> float:
            return scale * batch.loss_accuracy(W1, b1)[0] + penalty.smooth_value(W1)

        f0 = scale * batch_loss + penalty.smooth_value(s.W)
        eta = backtracking_step(
            objective, s.W, s.b, gW, gb, f0, min(s.eta_search, self.learning_rate),
            prox=penalty.prox, shrink=self.shrink,
        )  # fmt: skip
        s.eta_search = eta / self.shrink
        return eta

"""L2, L1 and elastic-net penalties on the weights (never the intercept).

Penalty(W) = alpha * [(1 - l1_ratio)/2 ||W||² + l1_ratio ||W||₁]; penalty="l2" is
(alpha/2)||W||², penalty="l1" is alpha ||W||₁. The L1 part is handled one of two ways:

- "subgradient": add alpha·sign(W) to the gradient, as the guide and the paper do. The
  weights then oscillate around zero and almost never become exactly zero.
- "proximal": take the gradient step on the smooth part, then soft-threshold,
  W <- sign(W) max(|W| - η·alpha·l1_ratio, 0) (ISTA). This is what gives exact zeros.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]


@dataclass(frozen=True)
class Penalty:
    """l2 * ||W||²/2 + l1 * ||W||₁, with the L1 part by subgradient or proximal step."""

    l2: float = 0.0
    l1: float = 0.0
    l1_method: str = "proximal"

    @property
    def proximal(self) -> bool:
        """True when the L1 part is applied by soft-thresholding after each step."""
        return self.l1 > 0 and self.l1_method == "proximal"

    def value(self, W: Array) -> float:
        value = 0.0
        if self.l2:
            value += 0.5 * self.l2 * float(np.vdot(W, W))
        if self.l1:
            value += self.l1 * float(np.abs(W).sum())
        return value

    def gradient(self, W: Array) -> Array:
        """Derivative of `value` where it exists (the L1 part as l1·sign(W))."""
        return self.l2 * W + self.l1 * np.sign(W)

    def step_gradient(self, W: Array) -> Array | float:
        """The part of the gradient a descent step uses (L1 excluded when proximal)."""
        grad: Array | float = self.l2 * W if self.l2 else 0.0
        if self.l1 and not self.proximal:
            grad = grad + self.l1 * np.sign(W)
        return grad

    def prox(self, W: Array, step: float) -> Array:
        """Soft-threshold after a step of size `step` (identity unless proximal)."""
        if not self.proximal:
            return W
        return np.sign(W) * np.maximum(np.abs(W) - step * self.l1, 0)

    def smooth_value(self, W: Array) -> float:
        """The part of `value` a line search sees (L1 excluded when proximal)."""
        return self.value(W) - (
            self.l1 * float(np.abs(W).sum()) if self.proximal else 0
        )


def make_penalty(
    penalty: str | None,
    alpha: float,
    l1_ratio: float = 0.5,
    l1_method: str = "proximal",
) -> Penalty:
    """The Penalty for sklearn-style arguments; `penalty=None` or alpha=0 gives none."""
    if penalty is None or alpha == 0:
        return Penalty()
    ratio = {"l2": 0.0, "l1": 1.0, "elasticnet": l1_ratio}[penalty]
    return Penalty(l2=alpha * (1 - ratio), l1=alpha * ratio, l1_method=l1_method)

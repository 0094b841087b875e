"""Backtracking (Armijo) step size for a (proximal) gradient step.

The test is the proximal-gradient sufficient-decrease condition (Beck & Teboulle 2009):
with p = prox(x - η g), accept η when f(p) <= f(x) + <g, p - x> + ||p - x||² / (2η),
f the smooth part of the objective. Without an L1 prox it is Armijo's condition
f(x - η g) <= f(x) - (η/2)||g||². η shrinks by `shrink` until the test passes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from logitlab.errors import DivergenceError

Array = NDArray[Any]


def backtracking_step(
    objective: Callable[[Array, Any], float],
    W: Array,
    b: Any,
    gW: Array,
    gb: Any,
    f0: float,
    eta: float,
    *,
    prox: Callable[[Array, float], Array],
    shrink: float = 0.5,
    max_trials: int = 60,
) -> float:
    """Return the first η = eta·shrink^j that passes the sufficient-decrease test."""
    slack = 10 * float(np.finfo(W.dtype).eps) * abs(f0)  # rounding noise near optimum
    for _ in range(max_trials):
        W1 = prox(W - eta * gW, eta)
        b1 = b - eta * gb
        dW, db = W1 - W, np.asarray(b1 - b)
        f1 = objective(W1, b1)
        bound = (
            f0
            + float(np.vdot(gW, dW) + np.vdot(np.asarray(gb), db))
            + float(np.vdot(dW, dW) + np.vdot(db, db)) / (2 * eta)
        )
        if np.isfinite(f1) and f1 <= bound + slack:
            return eta
        eta *= shrink
    raise DivergenceError(
        f"line search found no decreasing step after {max_trials} trials "
        f"(last learning_rate={eta:.3g}); the loss may be non-finite at the start"
    )

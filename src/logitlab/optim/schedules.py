"""Learning rate per epoch: constant, inverse-time, step and exponential decay.

`t` is the 0-based epoch index, as in the paper's loop `for i in range(epoch):
weights -= (η0 / (1 + i/T)) * grads`: epoch 1 uses η0. The rate changes per epoch, not
per mini-batch step. "line_search" searches each step from one notch above the last
accepted step, never above η0, so η0 is the largest step it will take (see line_search).
"""

from __future__ import annotations

import math

SCHEDULES = ("constant", "invscaling", "step", "exponential", "line_search")


def learning_rate_at(
    schedule: str,
    eta0: float,
    t: int,
    *,
    decay_steps: float = 3.0,
    decay_rate: float = 0.5,
) -> float:
    """η(t) for epoch index t = 0, 1, 2, ...

    - constant, line_search: η0
    - invscaling: η0 / (1 + t/T), T = decay_steps (paper's softmax: η0 = 0.0015, T = 3)
    - step: η0 · decay_rate^floor(t / decay_steps)
    - exponential: η0 · decay_rate^t
    """
    if schedule in ("constant", "line_search"):
        return eta0
    if schedule == "invscaling":
        return eta0 / (1 + t / decay_steps)
    if schedule == "step":
        return eta0 * decay_rate ** math.floor(t / decay_steps)
    if schedule == "exponential":
        return eta0 * decay_rate**t
    raise ValueError(f"unknown schedule {schedule!r}; expected one of {SCHEDULES}")

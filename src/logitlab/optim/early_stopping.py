"""Stop when the validation score has not improved for `patience` epochs; keep the best.

The paper stops "if the error on the hold-out set increases for 5 epochs" and keeps the
weights with the best hold-out accuracy. We count epochs WITHOUT IMPROVEMENT on the best
score so far (a plateau counts too, as in scikit-learn's `n_iter_no_change`), which
never runs longer than the paper's rule on a rising error and cannot loop on a flat
one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class EarlyStopping:
    """Track the best (lowest) validation score and the weights that produced it."""

    patience: int = 5
    best_score: float = math.inf
    best_epoch: int = 0
    best_weights: Any = None
    epochs_without_improvement: int = field(default=0)

    def update(self, epoch: int, score: float, weights: Any) -> bool:
        """Record epoch's score (lower is better); True when training should stop.

        `weights` is copied by the caller only if needed: pass a callable returning the
        copy, so epochs that do not improve cost nothing.
        """
        if score < self.best_score:
            self.best_score, self.best_epoch = score, epoch
            self.best_weights = weights()
            self.epochs_without_improvement = 0
            return False
        self.epochs_without_improvement += 1
        return self.epochs_without_improvement >= self.patience

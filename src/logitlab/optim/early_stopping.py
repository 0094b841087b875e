"""Early stopping on a validation score; keep the best epoch's weights.

Two ways to count `patience` (`rule`):

- "no_improvement": epochs WITHOUT IMPROVEMENT on the best score so far (a plateau
  counts too, as in scikit-learn's `n_iter_no_change`), which never runs longer than
  the other rule on a rising error and cannot loop on a flat one;
- "rises": epochs IN A ROW whose score rose above the previous epoch's, the paper's
  rule ("if the error on the hold-out set increases for 5 epochs, we stop"; its code
  resets the count whenever the error does not rise). It runs on through plateaus and
  slow drifts, as the paper's runs did.

Either way the weights kept are those of the first epoch with the best score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass
class EarlyStopping:
    """Track the best (lowest) validation score and the weights that produced it."""

    patience: int = 5
    rule: str = "no_improvement"
    best_score: float = math.inf
    best_epoch: int = 0
    best_weights: Any = None
    count: int = 0  # epochs without improvement, or rises in a row
    last_score: float = math.inf

    def update(self, epoch: int, score: float, weights: Any) -> bool:
        """Record epoch's score (lower is better); True when training should stop.

        `weights` is copied by the caller only if needed: pass a callable returning the
        copy, so epochs that do not improve cost nothing.
        """
        improved = score < self.best_score
        if improved:
            self.best_score, self.best_epoch = score, epoch
            self.best_weights = weights()
        if self.rule == "rises":
            self.count = self.count + 1 if score > self.last_score else 0
            self.last_score = score
        else:
            self.count = 0 if improved else self.count + 1
        return self.count >= self.patience

"""The paper's softmax-regression experiments (§3, Figs. 11–12).

Ten classes on the same protocol; seeded standard-normal start (weights and bias, as
the code's `np.random.randn(785, classes)` with its bias row); η(t) = η0 / (1 + t/T) per
epoch, t = 0, 1, ...; the summed cross-entropy gradient; L1 by the code's subgradient
`λ sign(W)` and L2 by its `λ W` (alpha = l2_alpha_factor · λ); early stopping when the
hold-out error has risen `patience` epochs in a row, keeping the weights with the best
hold-out accuracy (`paper.paper_stopping`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logitlab.experiments.paper import fit_paper_stopping, history_lists, split_for
from logitlab.models import SoftmaxRegressionGD

_HISTORY = (
    "epoch",
    "data_loss",
    "train_accuracy",
    "validation_loss",
    "validation_accuracy",
    "test_loss",
    "test_accuracy",
    "learning_rate",
)


def run_softmax(settings: dict[str, Any]) -> dict[str, Any]:
    """One (penalty, λ) of the search, or the final run; see the module docstring."""
    X_tr, y_tr, X_val, y_val, X_te, y_te = split_for(settings)
    lam, penalty = settings["lambda"], settings["penalty"]
    alpha = lam * settings["l2_alpha_factor"] if penalty == "l2" else lam
    clf = SoftmaxRegressionGD(
        learning_rate=settings["eta0"],
        max_iter=settings["epochs"],
        schedule="invscaling",
        decay_steps=settings["decay_T"],
        init="normal",
        loss_scale="sum",
        penalty=penalty,
        alpha=alpha,
        l1_method="subgradient",
        random_state=settings["seed"],
    )
    patience = settings["patience"] if settings["early_stopping"] else None
    stop, best = fit_paper_stopping(
        clf, patience, X_tr, y_tr, [("validation", X_val, y_val), ("test", X_te, y_te)]
    )
    history = history_lists(clf.history_, _HISTORY)
    # data_loss is the SUM over the training rows (loss_scale="sum"); the figures show
    # the average per image, as the paper's plots do ("Average Loss").
    n = len(y_tr)
    history["history.train_loss"] = [v / n for v in history["history.data_loss"]]
    return {
        "coef": clf.coef_.copy(),  # (10, 784)
        "intercept": clf.intercept_.copy(),
        "alpha": alpha,
        "n_iter": int(stop),
        "best_epoch": int(best),
        "n_train": len(y_tr),
        "n_holdout": len(y_val),
        "n_test": len(y_te),
        "train_accuracy": float(clf.score(X_tr, y_tr)),
        "holdout_accuracy": float(clf.score(X_val, y_val)),
        "test_accuracy": float(clf.score(X_te, y_te)),
        **history,
    }


def class_means(settings: dict[str, Any]) -> np.ndarray:
    """Average training image of each class (10, 784), the second row of Fig. 12."""
    X_tr, y_tr, *_ = split_for(settings)
    return np.stack([X_tr[y_tr == k].mean(axis=0) for k in range(10)])

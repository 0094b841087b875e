"""The paper's logistic-regression experiments (§2.4–2.5, Figs. 1–10).

`run_pair` trains one pair with batch or mini-batch gradient descent and records loss
and accuracy per epoch on the training, hold-out and test sets (and, with
`record_steps`, the costs per mini-batch, as the paper's Fig. 2); `run_sweep` trains one
(penalty, λ) of the regularisation study with early stopping on the hold-out set;
`difference_classifier` turns the 2-vs-3 and 2-vs-8 weights into a 3-vs-8 rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logitlab.estimators import LogisticRegressionGD
from logitlab.experiments.paper.config import (
    HISTORY,
    accuracy,
    fit_paper_stopping,
    history_lists,
    paper_split,
    split_for,
)


def _fit(
    settings: dict[str, Any], patience: int | None = None, **params: Any
) -> tuple[Any, dict[str, Any]]:
    X_tr, y_tr, X_val, y_val, X_te, y_te = split_for(settings)
    clf = LogisticRegressionGD(
        learning_rate=settings["learning_rate"],
        max_iter=settings["epochs"],
        loss_scale="mean",  # the code's cost = -(1/m) * sum(...)
        init="zeros",  # the code's initialize_with_zeros
        random_state=settings.get("seed"),
        **params,
    )
    stop, best = fit_paper_stopping(
        clf, patience, X_tr, y_tr, [("validation", X_val, y_val), ("test", X_te, y_te)]
    )
    w, b = clf.coef_.ravel().copy(), float(clf.intercept_[0])
    result: dict[str, Any] = {
        "coef": w,
        "intercept": b,
        "n_iter": int(stop),
        "best_epoch": int(best),
        "n_train": len(y_tr),
        "n_holdout": len(y_val),
        "n_test": len(y_te),
        "train_accuracy": accuracy(w, b, X_tr, y_tr),
        "holdout_accuracy": accuracy(w, b, X_val, y_val),
        "test_accuracy": accuracy(w, b, X_te, y_te),
        **history_lists(clf.history_, HISTORY),
        **{  # per step: the batch's cost, the hold-out and test costs (paper's code)
            f"steps.{k}": [float(v) for v in clf.step_history_[k]]
            for k in ("loss", "validation_loss", "test_loss")
            if k in clf.step_history_
        },
    }
    return clf, result


def run_pair(settings: dict[str, Any]) -> dict[str, Any]:
    """Figs. 1–4: one pair, batch (`batch_fraction` None) or mini-batch descent."""
    fraction = settings["batch_fraction"]
    n_train = len(split_for(settings)[1])
    batch_size = None if fraction is None else max(1, round(fraction * n_train))
    record = bool(settings.get("record_steps"))
    _, result = _fit(settings, batch_size=batch_size, record_steps=record)
    result["batch_size"] = batch_size or n_train
    return result


def run_sweep(settings: dict[str, Any]) -> dict[str, Any]:
    """Figs. 5–10: one penalty and λ, early stopping on the hold-out set.

    Stopping follows the paper's rule (`fit_paper_stopping`): `patience` rises in a
    row of the hold-out error, keeping the epoch with the best hold-out accuracy.

    `alpha = l2_alpha_factor * λ` for L2 (see `config` on the text's λ||w||² against the
    code's gradient λw); `alpha = λ` for L1, by subgradient (the paper's `λ sign(w)`) or
    by the proximal soft-threshold step.
    """
    lam, penalty = settings["lambda"], settings["penalty"]
    alpha = lam * settings["l2_alpha_factor"] if penalty == "l2" else lam
    _, result = _fit(
        settings,
        settings["patience"],
        penalty=penalty,
        alpha=alpha,
        l1_method=settings.get("l1_method", "proximal"),
    )
    w = result["coef"]
    result.update(
        alpha=alpha,
        l2_norm=float(np.linalg.norm(w)),
        l1_norm=float(np.abs(w).sum()),
        zero_share=float(np.mean(w == 0.0)),
    )
    return result


def difference_classifier(
    pair_23: dict[str, Any], pair_28: dict[str, Any], settings: dict[str, Any]
) -> dict[str, Any]:
    """w(2v3) − w(2v8) as a 3-vs-8 classifier (§2.4, the paper's "Fig. 8" sic).

    Label 1 of 2-vs-3 is a 3 and label 1 of 2-vs-8 is an 8, so the difference scores
    "3 rather than 8": positive -> 3. Evaluated on the 3s and 8s of the same protocol.
    """
    w = pair_23["coef"] - pair_28["coef"]
    b = pair_23["intercept"] - pair_28["intercept"]
    X_tr, y_tr, X_val, y_val, X_te, y_te = paper_split(
        (8, 3),  # label 1 = a 3, so `X @ w + b > 0` predicts label 1
        settings["n_train"],
        settings["n_test"],
        settings["holdout_fraction"],
    )
    out: dict[str, Any] = {"coef": w, "intercept": float(b)}
    for name, X, y in (
        ("train", X_tr, y_tr),
        ("holdout", X_val, y_val),
        ("test", X_te, y_te),
    ):
        out[f"{name}_accuracy"] = accuracy(w, b, X, y)
        out[f"n_{name}"] = len(y)
        for label, digit in ((1, 3), (0, 8)):
            mask = y == label
            out[f"{name}_accuracy_{digit}s"] = accuracy(w, b, X[mask], y[mask])
    return out

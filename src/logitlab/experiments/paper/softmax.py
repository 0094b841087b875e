"""The paper's softmax-regression experiments (§3, Figs. 11–12).

Ten classes on the same protocol; seeded standard-normal start (weights and bias, as
the code's `np.random.randn(785, classes)` with its bias row); η(t) = η0 / (1 + t/T) per
epoch, t = 0, 1, ...; the summed cross-entropy gradient; L1 by the code's subgradient
`λ sign(W)` and L2 by its `λ W` (alpha = l2_alpha_factor · λ); early stopping when the
hold-out error has risen `patience` epochs in a row, keeping the weights with the best
hold-out accuracy (`config.fit_paper_stopping`). `run_softmax_chain` is the search as
the paper's listed code ran it: one start, every λ run warm-started from the last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from logitlab.estimators import SoftmaxRegressionGD
from logitlab.experiments.paper.config import (
    HISTORY,
    fit_paper_stopping,
    history_lists,
    split_for,
)

_HISTORY = (*HISTORY, "learning_rate")


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
        dtype=settings.get("dtype", "float64"),
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


def _accuracy(W: np.ndarray, X: Any, y: np.ndarray) -> float:
    return float(np.mean(np.argmax(X @ W, axis=1) == y))


def _with_bias(X: np.ndarray) -> sp.csr_matrix:
    """The listing's rows: a 1 prepended BEFORE the division by 255, so 1/255.

    Stored sparse: four fifths of MNIST's pixels are 0, so the two products of an
    epoch cost a fifth of the dense ones, with the same sums up to rounding.
    """
    return sp.csr_matrix(np.hstack([np.full((len(X), 1), 1.0 / 255.0), X]))


@dataclass
class _Chain:
    """The chained search's state: the running weights and each penalty's best."""

    X: sp.csr_matrix
    XT: sp.csr_matrix  # Xᵀ kept in row form: the gradient product reads it by rows
    Y: np.ndarray
    Xv: sp.csr_matrix
    y_val: np.ndarray
    W: np.ndarray
    best: tuple[float, np.ndarray, float] = (0.0, np.empty(0), 0.0)


def _run_one(
    c: _Chain, penalty: str, lam: float, s: dict[str, Any]
) -> tuple[int, float]:
    """One (penalty, λ) run from the chain's current weights; (epochs, best hold-out).

    Stops when the hold-out accuracy has been below `last` (the last epoch's that did
    not fall) `patience` epochs in a row, as the listing's `cnt` counts; never with
    `patience` None (every λ runs all its epochs).
    """
    eta0, T, patience = s["eta0"], s["decay_T"], s["patience"]
    last, cnt, run_best, t = 0.0, 0, 0.0, 0
    for t in range(s["epochs"]):
        A = c.X @ c.W
        P = np.exp(A - A.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        reg = lam * c.W if penalty == "l2" else lam * np.sign(c.W)
        c.W = c.W - eta0 / (1 + t / T) * (-(c.XT @ (c.Y - P)) + reg)
        acc = _accuracy(c.W, c.Xv, c.y_val)
        run_best = max(run_best, acc)
        if acc > c.best[0]:
            c.best = (acc, c.W, lam)
        if acc < last:
            cnt += 1
            if patience is not None and cnt >= patience:
                break
        else:
            cnt, last = 0, acc
    return t + 1, run_best


def run_softmax_chain(settings: dict[str, Any]) -> dict[str, Any]:
    """The λ search as the paper's code ran it (`hyper_parameters_tuning`, §6.2).

    Read from the listing (its indentation is garbled; this is the reading under which
    its `break` and counters make sense):
    - ONE standard-normal start for the whole search: `weights` is never re-initialised,
      so each (penalty, λ) run continues from the previous run's final weights, with
      the epoch counter, hence the rate η0/(1+t/T), restarting at t = 0 (the penalties
      in `settings["penalties"]` order, the code's `["L1", "L2"]`);
    - the bias input is prepended as 1 BEFORE the division by 255, so it is 1/255;
    - summed gradient `-X'(T - P)`, plus `λW` (L2) or `λ sign(W)` (L1);
    - after every epoch: a new best hold-out accuracy over ALL runs of a penalty keeps
      those weights; the run stops when the accuracy has been below `last` (the last
      epoch's that did not fall) `patience` epochs in a row.
    The test accuracy reported is that of each penalty's best-hold-out weights. The
    engine cannot restart a schedule from given weights, hence this direct loop; the
    test suite checks it against `SoftmaxRegressionGD` started from the same weights.
    """
    X_tr, y_tr, X_val, y_val, X_te, y_te = split_for(settings)
    X = _with_bias(X_tr)
    rng = np.random.default_rng(settings["seed"])
    W = rng.standard_normal((X.shape[1], 10)).astype(np.float32).astype(np.float64)
    c = _Chain(X, X.T.tocsr(), np.eye(10)[y_tr], _with_bias(X_val), y_val, W)
    runs: dict[str, list[Any]] = {
        k: [] for k in ("penalty", "lambda", "n_iter", "best_holdout")
    }
    out: dict[str, Any] = {}
    for penalty in settings["penalties"]:
        c.best = (0.0, c.W, 0.0)
        for lam in settings["lambdas"]:
            n_iter, run_best = _run_one(c, penalty, lam, settings)
            for key, value in zip(runs, (penalty, lam, n_iter, run_best), strict=True):
                runs[key].append(value)
        acc, W_best, lam_best = c.best
        out[f"{penalty}.lambda"] = lam_best
        out[f"{penalty}.holdout_accuracy"] = acc
        out[f"{penalty}.test_accuracy"] = _accuracy(W_best, _with_bias(X_te), y_te)
        out[f"{penalty}.coef"] = W_best.T.copy()  # (10, 785), bias column first
    return {
        **out,
        **{f"runs.{k}": v for k, v in runs.items()},
        "n_train": len(y_tr),
        "n_holdout": len(y_val),
        "n_test": len(y_te),
    }

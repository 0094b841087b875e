"""The report's experiments, each a pure function of a settings dict (cached by `run`):
one outer fold of the nested cross-validation, the final model, the other models of
its comparison, and the from-scratch softmax regression.
"""

from __future__ import annotations

import time
import warnings
from collections import Counter
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    log_loss,
    precision_recall_fscore_support,
    roc_auc_score,
)
from sklearn.model_selection import KFold, RandomizedSearchCV, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from logitlab.estimators import SoftmaxRegressionGD
from logitlab.experiments.report.config import c_distribution, data_for


def logistic(C: float, max_iter: int) -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=max_iter)


def _quiet_fit(estimator: Any, X: Any, y: Any) -> bool:
    """Fit, silencing lbfgs's warning at max_iter; True if it converged."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        estimator.fit(X, y)
    return not any(issubclass(w.category, ConvergenceWarning) for w in caught)


def inner_search(settings: dict[str, Any], X: Any, y: Any) -> RandomizedSearchCV:
    """The inner randomised search of C on (a stratified subset of) one outer fold."""
    size = settings["inner_train_size"]
    if size is not None and size < len(y):
        X, _, y, _ = train_test_split(
            X, y, train_size=size, stratify=y, random_state=settings["seed"]
        )
    search = RandomizedSearchCV(
        logistic(1.0, settings["max_iter"]),
        {
            "C": c_distribution(
                settings["sampler"], settings["c_low"], settings["c_high"]
            )
        },
        n_iter=settings["n_iter"],
        cv=settings["inner_folds"],
        random_state=settings["seed"],
        n_jobs=1,
        refit=False,  # the outer fold refits the best C on all its rows itself
    )
    _quiet_fit(search, X, y)
    return search


def outer_splits(settings: dict[str, Any], n: int) -> list[tuple[Any, Any]]:
    kfold = KFold(settings["outer_folds"], shuffle=True, random_state=settings["seed"])
    return list(kfold.split(np.zeros(n)))


def run_outer_fold(settings: dict[str, Any]) -> dict[str, Any]:
    """One outer fold: inner search, refit of the best C, score on the held-out fold."""
    X, y, _, _ = data_for(settings)
    train, val = outer_splits(settings, len(y))[settings["fold"]]
    search = inner_search(settings, X[train], y[train])
    best_c = float(search.best_params_["C"])
    model = logistic(best_c, settings["max_iter"])
    start = time.perf_counter()
    converged = _quiet_fit(model, X[train], y[train])
    return {
        "best_C": best_c,
        "inner_best_score": float(search.best_score_),
        "candidates_C": np.array([float(c) for c in search.cv_results_["param_C"]]),
        "candidates_score": np.asarray(search.cv_results_["mean_test_score"], float),
        "outer_score": float(model.score(X[val], y[val])),
        "n_outer_train": len(train),
        "n_outer_val": len(val),
        "refit_seconds": time.perf_counter() - start,
        "converged": converged,
    }


def run_final(settings: dict[str, Any]) -> dict[str, Any]:
    """The chosen C on all training images: every metric of Table 1 and §3.3."""
    X, y, X_te, y_te = data_for(settings)
    model = logistic(settings["C"], settings["max_iter"])
    start = time.perf_counter()
    converged = _quiet_fit(model, X, y)
    fit_s = time.perf_counter() - start
    proba = model.predict_proba(X_te)  # (10000, 10)
    pred = model.classes_[np.argmax(proba, axis=1)]
    return {**metrics(y_te, pred, proba), "fit_seconds": fit_s, "converged": converged}


def metrics(y: Any, pred: Any, proba: Any) -> dict[str, Any]:
    """Table 1, the confusion matrix and the per-class report, by scikit-learn."""
    out: dict[str, Any] = {"accuracy": float(accuracy_score(y, pred))}
    for avg in ("macro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(y, pred, average=avg)
        out.update({f"precision_{avg}": p, f"recall_{avg}": r, f"f1_{avg}": f})
    out["roc_auc_ovr"] = float(roc_auc_score(y, proba, multi_class="ovr"))
    out["log_loss"] = float(log_loss(y, proba, labels=np.arange(10)))
    out["confusion_matrix"] = confusion_matrix(y, pred, labels=np.arange(10))
    out["per_class"] = classification_report(y, pred, output_dict=True)
    out["proba"] = np.asarray(proba, dtype=np.float64)
    out["y_true"] = np.asarray(y)
    return {k: (float(v) if isinstance(v, np.floating) else v) for k, v in out.items()}


def run_other(settings: dict[str, Any]) -> dict[str, Any]:
    """One model of the report's comparison: accuracy and fit time on the same split."""
    X, y, X_te, y_te = data_for(settings)
    size = settings.get("max_train")
    if size is not None and size < len(y):
        X, _, y, _ = train_test_split(
            X, y, train_size=size, stratify=y, random_state=settings["seed"]
        )
    model = {
        "svm": lambda: SVC(),
        "knn": lambda: KNeighborsClassifier(),
        "tree": lambda: DecisionTreeClassifier(random_state=settings["seed"]),
    }[settings["model"]]()
    start = time.perf_counter()
    model.fit(X, y)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    accuracy = float(model.score(X_te, y_te))
    return {
        "accuracy": accuracy,
        "fit_seconds": fit_s,
        "predict_seconds": time.perf_counter() - start,
        "n_train": len(y),
    }


def run_scratch(settings: dict[str, Any]) -> dict[str, Any]:
    """SoftmaxRegressionGD on scikit-learn's objective: mean loss + ||W||²/(2Cn)."""
    X, y, X_te, y_te = data_for(settings)
    clf = SoftmaxRegressionGD(
        learning_rate=settings["learning_rate"],
        max_iter=settings["epochs"],
        batch_size=settings["batch_size"],
        momentum=0.9,
        penalty="l2",
        alpha=1.0 / (settings["C"] * len(y)),
        random_state=settings["seed"],
    )
    start = time.perf_counter()
    clf.fit(X, y)
    fit_s = time.perf_counter() - start
    proba = clf.predict_proba(X_te)
    return {
        "accuracy": float(clf.score(X_te, y_te)),
        "log_loss": float(log_loss(y_te, proba, labels=np.arange(10))),
        "fit_seconds": fit_s,
        "pred": np.asarray(clf.predict(X_te)),
        "n_iter": int(clf.n_iter_),
    }


def choose_c(folds: list[dict[str, Any]]) -> float:
    """The C most folds chose; ties go to the higher mean outer score."""
    counts = Counter(f["best_C"] for f in folds)

    def key(c: float) -> tuple[int, float]:
        scores = [f["outer_score"] for f in folds if f["best_C"] == c]
        return counts[c], float(np.mean(scores))

    return max(counts, key=key)

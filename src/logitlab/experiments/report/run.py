"""Run the report's experiments (cached, in parallel); its measured numbers and the
plain results for results.json."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from logitlab.experiments.cache import Job, ResultCache, run_jobs
from logitlab.experiments.report.config import REPORT_C, ReportConfig
from logitlab.experiments.report.fits import (
    choose_c,
    run_final,
    run_other,
    run_outer_fold,
    run_scratch,
)

DIGITS = [str(d) for d in range(10)]
FINAL_METRICS = (
    "accuracy",
    "precision_weighted",
    "recall_weighted",
    "f1_weighted",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "roc_auc_ovr",
    "log_loss",
)


def _base(cfg: ReportConfig) -> dict[str, Any]:
    return {"train_size": cfg.train_size, "seed": cfg.seed, "max_iter": cfg.max_iter}


def run_report(
    cfg: ReportConfig, cache: ResultCache, *, n_jobs: int = 1
) -> dict[str, Any]:
    """Nested CV, then the final model, the comparison and the from-scratch model."""
    base = _base(cfg)
    search = {
        k: getattr(cfg, k)
        for k in (
            "outer_folds",
            "inner_folds",
            "n_iter",
            "sampler",
            "c_low",
            "c_high",
            "inner_train_size",
        )
    }
    others = {
        "svm": {**base, "model": "svm", "max_train": cfg.svm_train_size},
        "knn": {**base, "model": "knn", "max_train": None},
        "tree": {**base, "model": "tree", "max_train": None},
    }
    jobs = [
        Job("outer_fold", run_outer_fold, {**base, **search, "fold": i})
        for i in range(cfg.outer_folds)
    ]
    jobs += [Job(f"compare_{name}", run_other, s) for name, s in others.items()]
    first = run_jobs(cache, jobs, n_jobs=n_jobs, desc="report: nested CV, comparison")
    folds, compare = first[: cfg.outer_folds], first[cfg.outer_folds :]
    C = choose_c(folds)
    final, scratch, final_doc = run_jobs(
        cache,
        [
            Job("final", run_final, {**base, "C": C}),
            Job(
                "scratch",
                run_scratch,
                {
                    **base,
                    "C": C,
                    "learning_rate": cfg.scratch_learning_rate,
                    "epochs": cfg.scratch_epochs,
                    "batch_size": cfg.scratch_batch_size,
                },
            ),
            Job("final", run_final, {**base, "C": REPORT_C}),
        ],
        n_jobs=n_jobs,
        desc="report: final models",
    )
    return {
        "folds": folds,
        "C": C,
        "final": final,
        "final_report_C": final_doc,
        "compare": dict(zip(others, compare, strict=True)),
        "scratch": scratch,
    }


def measured_numbers(res: dict[str, Any]) -> tuple[dict[str, float], dict[str, int]]:
    final = res["final"]
    n_test = len(final["y_true"])
    measured: dict[str, float] = {"report.nested_cv.best_C": res["C"]}
    for key in FINAL_METRICS:
        measured[f"report.final.{key}"] = final[key]
    measured["report.compare.logistic.accuracy"] = final["accuracy"]
    for name, r in res["compare"].items():
        measured[f"report.compare.{name}.accuracy"] = r["accuracy"]
    per_class = final["per_class"]
    for d in DIGITS:
        for stat, name in (
            ("precision", "precision"),
            ("recall", "recall"),
            ("f1-score", "f1"),
            ("support", "support"),
        ):
            measured[f"report.class_{d}.{name}"] = float(per_class[d][stat])
    n_eval = {k: n_test for k in measured}
    # per-class numbers rest on that class's support, not on all 10,000 images
    for d in DIGITS:
        for name in ("precision", "recall", "f1"):
            n_eval[f"report.class_{d}.{name}"] = int(per_class[d]["support"])
    return measured, n_eval


def summary(cfg: ReportConfig, res: dict[str, Any]) -> dict[str, Any]:
    """Plain numbers for results.json."""

    def plain(d: dict[str, Any]) -> dict[str, Any]:
        return {
            k: (v.tolist() if isinstance(v, np.ndarray) and v.size <= 100 else v)
            for k, v in d.items()
            if not (isinstance(v, np.ndarray) and v.size > 100)
        }

    return {
        "settings": dataclasses.asdict(cfg),
        "nested_cv": [plain(f) for f in res["folds"]],
        "chosen_C": res["C"],
        "final": plain(res["final"]),
        "final_report_C": plain(res["final_report_C"]),
        "compare": res["compare"],
        "scratch": plain(res["scratch"]),
    }

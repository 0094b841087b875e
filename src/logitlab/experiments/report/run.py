"""Run the report's experiments (cached, in parallel); its measured numbers and the
plain results for results.json."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from logitlab.experiments.cache import Job, JobPool
from logitlab.experiments.report.config import REPORT_C, ReportConfig, c_distribution
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


# Compute seconds of each job for the full 60,000 images (scaled by the images used)
# while another job runs on the second core, measured in one `reproduce all` on a quiet
# 2-core machine: the weights of the run's progress bar and the workers' order.
_COST_60K = {"outer_fold": 32.0, "final": 16.0, "scratch": 12.0, "knn": 16.0,
             "tree": 14.0}  # fmt: skip
# The RBF SVM on 10,000 images: its fit grows with the square of the images, its
# prediction of the 10,000 test images with its support vectors (~ images^0.66).
_SVM_FIT_10K, _SVM_PREDICT_10K = 9.4, 13.0


def _cost(name: str, settings: dict[str, Any]) -> float:
    n = (settings["train_size"] or 60000) / 60000
    if name == "compare_svm":
        r = min(settings["max_train"] or 60000, 60000 * n) / 10000
        return _SVM_FIT_10K * r**2 + _SVM_PREDICT_10K * r**0.66
    return _COST_60K[name.removeprefix("compare_")] * n


def first_jobs(cfg: ReportConfig) -> tuple[list[Job], list[str]]:
    """The jobs that need no choice of C: the nested CV's outer folds, the
    comparison models, and the final model at the report's own C."""
    base = _base(cfg)
    search = {
        k: getattr(cfg, k)
        for k in ("outer_folds", "inner_folds", "n_iter", "sampler", "c_low",
                  "c_high", "inner_train_size")
    }  # fmt: skip
    others = {
        "svm": {**base, "model": "svm", "max_train": cfg.svm_train_size}
        | ({} if cfg.svm_pixels == "standardised" else {"pixels": cfg.svm_pixels}),
        "knn": {**base, "model": "knn", "max_train": None},
        "tree": {**base, "model": "tree", "max_train": None},
    }
    settings = [{**base, **search, "fold": i} for i in range(cfg.outer_folds)]
    jobs = [
        Job("outer_fold", run_outer_fold, s, _cost("outer_fold", s)) for s in settings
    ]
    jobs += [
        Job(f"compare_{name}", run_other, s, _cost(f"compare_{name}", s))
        for name, s in others.items()
    ]
    jobs.append(Job("final", run_final, {**base, "C": REPORT_C}, _cost("final", base)))
    return jobs, list(others)


def final_jobs(cfg: ReportConfig, C: float) -> list[Job]:
    """The final model at the chosen C and the from-scratch one at the same C."""
    base = _base(cfg)
    scratch = {
        **base,
        "C": C,
        "learning_rate": cfg.scratch_learning_rate,
        "epochs": cfg.scratch_epochs,
        "batch_size": cfg.scratch_batch_size,
    }
    return [
        Job("final", run_final, {**base, "C": C}, _cost("final", base)),
        Job("scratch", run_scratch, scratch, _cost("scratch", base)),
    ]


def planned_cost(cfg: ReportConfig) -> float:
    """The estimated compute seconds of the whole report (for a run's progress bar)."""
    return sum(j.cost for j in first_jobs(cfg)[0] + final_jobs(cfg, REPORT_C))


def run_report(cfg: ReportConfig, pool: JobPool) -> dict[str, Any]:
    """Nested CV, then the final model, the comparison and the from-scratch model.

    Everything that needs no C is queued at once, so the workers go on with it while
    the folds' choice of C waits for the last fold.
    """
    jobs, others = first_jobs(cfg)
    first = pool.submit(jobs)
    folds = pool.collect(first[: cfg.outer_folds])
    C = choose_c(folds)
    final, scratch = pool.run(final_jobs(cfg, C))
    *compare, final_doc = pool.collect(first[cfg.outer_folds :])
    return {
        "folds": folds,
        "C": C,
        "final": final,
        "final_report_C": final_doc,
        "compare": dict(zip(others, compare, strict=True)),
        "scratch": scratch,
    }


def measured_numbers(
    cfg: ReportConfig, res: dict[str, Any]
) -> tuple[dict[str, float], dict[str, int]]:
    """Our values under the target keys (and the facts their notes quote), and the
    size of each one's evaluation set."""
    final = res["final"]
    n_test = len(final["y_true"])
    measured: dict[str, float] = {"report.nested_cv.best_C": res["C"]}
    measured.update(_search_facts(cfg, res))
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


def _search_facts(cfg: ReportConfig, res: dict[str, Any]) -> dict[str, float]:
    """What the note on the chosen C quotes: the candidates the folds drew, how far
    apart their inner scores are, how often the smallest won, and how likely the
    sampler is to draw a C below the report's."""
    folds, key = res["folds"], "report.nested_cv"
    below = c_distribution(cfg.sampler, cfg.c_low, cfg.c_high).cdf(REPORT_C)
    return {
        f"{key}.n_folds": len(folds),
        f"{key}.n_candidates": cfg.n_iter,
        f"{key}.candidates_low": min(min(f["candidates_C"]) for f in folds),
        f"{key}.candidates_high": max(max(f["candidates_C"]) for f in folds),
        f"{key}.inner_spread": max(float(np.ptp(f["candidates_score"])) for f in folds),
        f"{key}.smallest_wins": sum(
            f["best_C"] == min(f["candidates_C"]) for f in folds
        ),
        f"{key}.none_below_report_C": float((1.0 - below) ** cfg.n_iter),
        f"{key}.loguniform_below_report_C": float(
            c_distribution("loguniform", cfg.c_low, cfg.c_high).cdf(REPORT_C)
        ),
    }


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

"""Run every experiment of the paper (cached, in parallel); its measured numbers and
the plain results for results.json.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from logitlab.experiments.cache import Job, ResultCache, run_jobs
from logitlab.experiments.paper.config import (
    SWEEPS,
    PaperConfig,
    pair_name,
    protocol,
)
from logitlab.experiments.paper.pairs import difference_classifier, run_pair, run_sweep
from logitlab.experiments.paper.softmax import (
    class_means,
    run_softmax,
    run_softmax_chain,
)


def _jobs(cfg: PaperConfig) -> dict[str, Job]:
    """Every independent run, keyed by a readable id; the slow softmax runs first."""
    base = protocol(cfg)
    jobs: dict[str, Job] = {}
    for penalty in ("l2", "l1"):
        for lam in sorted({lam for group in cfg.softmax_lambdas for lam in group}):
            settings = {
                **base,
                "digits": None,
                "penalty": penalty,
                "lambda": lam,
                "l2_alpha_factor": cfg.l2_alpha_factor,
                "eta0": cfg.softmax_eta0,
                "decay_T": cfg.softmax_decay_T,
                "epochs": cfg.softmax_epochs,
                "early_stopping": True,
                "patience": cfg.softmax_patience,
                "seed": cfg.seed,
            }
            jobs[f"softmax.{penalty}.{lam:g}"] = Job("softmax", run_softmax, settings)
    jobs["softmax.slow"] = Job(
        "softmax",
        run_softmax,
        {
            **jobs[f"softmax.l2.{min(cfg.softmax_lambdas[0]):g}"].settings,
            "eta0": cfg.softmax_slow_eta0,
            "epochs": cfg.softmax_slow_epochs,
            "early_stopping": False,
        },
    )
    for i, group in enumerate(cfg.softmax_lambdas, 1):
        # the search as the paper's code ran it: one start, each run warm-started
        jobs[f"softmax.chain.set{i}"] = Job(
            "softmax_chain",
            run_softmax_chain,
            {
                **base,
                "digits": None,
                "penalties": ["l1", "l2"],  # the code's regularization_types order
                "lambdas": list(group),
                "eta0": cfg.softmax_eta0,
                "decay_T": cfg.softmax_decay_T,
                "epochs": cfg.softmax_epochs,
                "patience": cfg.softmax_patience,
                "seed": cfg.seed,
            },
        )
    final = jobs[f"softmax.l2.{min(cfg.softmax_lambdas[0]):g}"].settings
    for seed in cfg.softmax_seeds:
        jobs[f"softmax.seed.{seed}"] = Job(
            "softmax",
            run_softmax,
            {
                **final,
                "seed": seed,
                "epochs": cfg.softmax_seed_epochs,
                "early_stopping": False,
            },
        )
    for digits in cfg.pairs:
        for kind, batch in (("batch", None), ("minibatch", cfg.minibatch_fraction)):
            settings = {
                **base,
                "digits": list(digits),
                "learning_rate": cfg.learning_rate,
                "epochs": cfg.batch_epochs if batch is None else cfg.minibatch_epochs,
                "batch_fraction": batch,
                "seed": cfg.seed,
                **({} if batch is None else {"record_steps": True}),  # Fig. 2
            }
            jobs[f"pair.{pair_name(digits)}.{kind}"] = Job("pair", run_pair, settings)
        # the same batch run on the data the paper's code used (see config.code_split)
        jobs[f"pair.{pair_name(digits)}.code"] = Job(
            "pair",
            run_pair,
            {**jobs[f"pair.{pair_name(digits)}.batch"].settings, "protocol": "code"},
        )
    for penalty, method in SWEEPS:
        for lam in (cfg.large_lambda, *cfg.lambdas):
            settings = {
                **base,
                "digits": list(cfg.sweep_pair),
                "learning_rate": cfg.learning_rate,
                "epochs": cfg.sweep_epochs,
                "patience": cfg.sweep_patience,
                "penalty": penalty,
                "lambda": lam,
                "l1_method": method,
                "l2_alpha_factor": cfg.l2_alpha_factor,
                "seed": cfg.seed,
            }
            jobs[f"sweep.{penalty}-{method}.{lam:g}"] = Job(
                "sweep", run_sweep, settings
            )
    return jobs


def run_paper(
    cfg: PaperConfig, cache: ResultCache, *, n_jobs: int = 1
) -> dict[str, dict[str, Any]]:
    """All results of the paper: keyed as `_jobs`, plus "diff_3v8", "class_means"."""
    jobs = _jobs(cfg)
    results = dict(
        zip(
            jobs,
            run_jobs(cache, list(jobs.values()), n_jobs=n_jobs, desc="paper"),
            strict=True,
        )
    )
    if (2, 3) in cfg.pairs and (2, 8) in cfg.pairs:
        results["diff_3v8"] = difference_classifier(
            results["pair.2v3.batch"], results["pair.2v8.batch"], protocol(cfg)
        )
    means_settings = {**protocol(cfg), "digits": None}
    results["class_means"] = {"means": class_means(means_settings)}
    return results


def best_by_holdout(results: dict[str, dict[str, Any]], keys: list[str]) -> str:
    """The run with the highest hold-out accuracy (ties: the first listed)."""
    return max(keys, key=lambda k: results[k]["holdout_accuracy"])


def measured_numbers(
    cfg: PaperConfig, results: dict[str, dict[str, Any]]
) -> tuple[dict[str, float], dict[str, int]]:
    """Our values under the target keys, and the size of each one's evaluation set."""
    measured: dict[str, float] = {}
    n_eval: dict[str, int] = {}
    for digits in cfg.pairs:
        r = results.get(f"pair.{pair_name(digits)}.batch")
        if r is not None:
            key = f"paper.pair_{pair_name(digits)}.test_accuracy"
            measured[key], n_eval[key] = r["test_accuracy"], r["n_test"]
    if "diff_3v8" in results:
        d = results["diff_3v8"]
        measured["paper.diff_3v8.accuracy"] = d["test_accuracy"]
        n_eval["paper.diff_3v8.accuracy"] = d["n_test"]
    for penalty in ("l1", "l2"):
        for lam, tag in ((1e-4, "1e-4"), (5e-4, "5e-4")):
            # the paper's numbers come from its code's warm-started search (the set
            # holding λ); the single fresh-start run is kept under ".single"
            stem = f"paper.softmax.{penalty.upper()}_{tag}"
            sets = [i for i, g in enumerate(cfg.softmax_lambdas, 1) if lam in g]
            chain = results.get(f"softmax.chain.set{sets[0]}") if sets else None
            if chain is not None:
                for what, n in (("holdout", "n_holdout"), ("test", "n_test")):
                    key = f"{stem}.{what}_accuracy"
                    measured[key] = chain[f"{penalty}.{what}_accuracy"]
                    n_eval[key] = chain[n]
                measured[f"{stem}.chain_lambda"] = chain[f"{penalty}.lambda"]
            r = results.get(f"softmax.{penalty}.{lam:g}")
            if r is not None:
                measured[f"{stem}.single.holdout_accuracy"] = r["holdout_accuracy"]
                measured[f"{stem}.single.test_accuracy"] = r["test_accuracy"]
    slow = results["softmax.slow"]
    measured["paper.softmax.lr_5e-4_300.test_accuracy"] = slow["test_accuracy"]
    n_eval["paper.softmax.lr_5e-4_300.test_accuracy"] = slow["n_test"]
    return measured, n_eval


def summary(cfg: PaperConfig, results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The plain numbers for results.json (no arrays, no per-epoch lists)."""
    out: dict[str, Any] = {"settings": dataclasses.asdict(cfg)}
    for key, r in results.items():
        out[key] = {
            k: v
            for k, v in r.items()
            if not isinstance(v, (np.ndarray, list)) and not k.startswith("history.")
        }
    softmax = [k for k in results if k.startswith("softmax.l")]
    if softmax:
        best = best_by_holdout(results, softmax)
        out["softmax_best_by_holdout"] = best
        for i, group in enumerate(cfg.softmax_lambdas, 1):
            for penalty in ("l1", "l2"):
                keys = [f"softmax.{penalty}.{lam:g}" for lam in group]
                out[f"softmax_best_{penalty}_set{i}"] = best_by_holdout(results, keys)
    return out

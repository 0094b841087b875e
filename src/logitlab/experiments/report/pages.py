"""The report's pages: nested CV, Table 1, the figures, the model comparison and the
from-scratch model beside scikit-learn."""

from __future__ import annotations

from typing import Any

import numpy as np

from logitlab.experiments.report.config import REPORT_C, ReportConfig
from logitlab.experiments.report.figures import figures
from logitlab.experiments.report.run import FINAL_METRICS
from logitlab.experiments.report.targets import REPORT_CLASS, REPORT_TARGETS
from logitlab.pdf import CaptionedFigure, Table


def _fmt(v: float, digits: int = 4) -> str:
    return f"{v:.{digits}f}"


def _n_train(cfg: ReportConfig) -> int:
    return 60000 if cfg.train_size is None else cfg.train_size


def pages(cfg: ReportConfig, res: dict[str, Any]) -> list[CaptionedFigure | Table]:
    """Tables and figures of the report in its order, captioned with its numbering."""
    return [
        _nested_cv_table(cfg, res),
        _table1(res),
        class_report_table(res),
        *figures(res),
        _comparison_table(cfg, res),
        _scratch_table(cfg, res),
    ]


def class_report_table(res: dict[str, Any]) -> Table:
    """Report §3.3's classification report as a table: ours beside the report's."""
    per_class = res["final"]["per_class"]  # scikit-learn's output_dict
    stats = ("precision", "recall", "f1-score")
    rows = []
    for digit, *published, _support in REPORT_CLASS:
        ours = per_class[str(digit)]
        rows.append(
            [str(digit), *(f"{ours[k]:.2f}" for k in stats), f"{ours['support']:.0f}",
             " / ".join(f"{v:.2f}" for v in published)]
        )  # fmt: skip
    n = sum(row[-1] for row in REPORT_CLASS)
    rows.append(["accuracy", "", "", f"{per_class['accuracy']:.2f}", f"{n}", "0.92"])
    for avg in ("macro avg", "weighted avg"):
        ours = per_class[avg]
        rows.append(
            [avg, *(f"{ours[k]:.2f}" for k in stats), f"{ours['support']:.0f}",
             "0.92 / 0.92 / 0.92"]
        )  # fmt: skip
    return Table(
        "Report §3.3: classification report of the final model (test images)",
        ["class", "precision", "recall", "f1-score", "support",
         "report: precision / recall / f1"],
        rows,
        note=(
            "scikit-learn's classification_report of the final logistic regression "
            f"(C = {res['C']:.4g}) on the 10,000 test images, laid out as the "
            "report's; its numbers in the last column."
        ),
        col_widths=[0.16, 0.13, 0.13, 0.13, 0.13, 0.32],
    )  # fmt: skip


def _nested_cv_table(cfg: ReportConfig, res: dict[str, Any]) -> Table:
    """Report §3.1: each outer fold's chosen C and scores."""
    folds = res["folds"]
    inner = (
        "all of each outer training fold"
        if cfg.inner_train_size is None
        else f"a stratified subset of {cfg.inner_train_size:,} images of each outer "
        "training fold"
    )
    n_train = _n_train(cfg)
    return Table(
        "Report §3.1: nested cross-validation of C",
        [
            "outer fold",
            "best C",
            "inner CV accuracy",
            "outer accuracy",
            "outer train / val",
            "lbfgs converged",
        ],
        [
            [
                str(i + 1),
                f"{f['best_C']:.4g}",
                _fmt(f["inner_best_score"]),
                _fmt(f["outer_score"]),
                f"{f['n_outer_train']} / {f['n_outer_val']}",
                "yes" if f["converged"] else f"no ({cfg.max_iter} it.)",
            ]
            for i, f in enumerate(folds)
        ],
        note=(
            f"{cfg.outer_folds} outer folds of {n_train:,} standardised training "
            f"images; inner RandomizedSearchCV with {cfg.n_iter} candidates of C "
            f"drawn {cfg.sampler} on [{cfg.c_low}, {cfg.c_high}], "
            f"{cfg.inner_folds}-fold, on {inner} (to keep the run to minutes), "
            f"seed {cfg.seed} in every fold. Chosen C = {res['C']:.4g} (the "
            "report: 0.59, unanimous). Mean outer accuracy "
            f"{np.mean([f['outer_score'] for f in folds]):.4f}."
        ),
    )


def _comparison_table(cfg: ReportConfig, res: dict[str, Any]) -> Table:
    """Report §3.2: the other models on the same split."""
    final, n_train = res["final"], _n_train(cfg)
    compare = res["compare"]
    rows = [
        [
            "logistic regression",
            f"{n_train:,}",
            _fmt(final["accuracy"]),
            f"{final['fit_seconds']:.1f}",
            "0.92",
        ]
    ]
    doc = {"svm": "0.98", "knn": "0.95", "tree": "0.86"}
    names = {"svm": "SVM (RBF)", "knn": "k-NN (k=5)", "tree": "decision tree"}
    for key, r in compare.items():
        rows.append(
            [
                names[key],
                f"{r['n_train']:,}",
                _fmt(r["accuracy"]),
                f"{r['fit_seconds']:.1f} (+{r['predict_seconds']:.1f} predict)",
                doc[key],
            ]
        )
    return Table(
        "Report §3.2: the model comparison (same split)",
        ["model", "training images", "test accuracy", "fit seconds", "report says"],
        rows,
        note=(
            "Every model sees standardised pixels, as the report's preprocessing, "
            f"except where said. The SVM sees {cfg.svm_pixels} pixels of a stratified "
            f"{cfg.svm_train_size:,}-image subset (options --svm-pixels, "
            "--svm-train-size; the report's 0.98 needs --svm-train-size 60000 "
            "--svm-pixels raw, many minutes on 2 cores). Times are wall-clock on "
            "this machine, shared with other jobs."
        ),
    )


def _scratch_table(cfg: ReportConfig, res: dict[str, Any]) -> Table:
    """SoftmaxRegressionGD beside scikit-learn on the same objective."""
    final = res["final"]
    pred = np.argmax(final["proba"], axis=1)
    scratch = res["scratch"]
    agree = float(np.mean(scratch["pred"] == pred))
    return Table(
        "From-scratch softmax regression beside scikit-learn",
        ["model", "test accuracy", "log loss", "fit seconds"],
        [
            [
                "scikit-learn LogisticRegression (lbfgs)",
                _fmt(final["accuracy"]),
                _fmt(final["log_loss"]),
                f"{final['fit_seconds']:.1f}",
            ],
            [
                "logitlab SoftmaxRegressionGD",
                _fmt(scratch["accuracy"]),
                _fmt(scratch["log_loss"]),
                f"{scratch['fit_seconds']:.1f}",
            ],
        ],
        note=(
            "Same objective: mean cross-entropy + ||W||²/(2·C·n), C = "
            f"{res['C']:.4g}; ours by mini-batch gradient descent (batch "
            f"{cfg.scratch_batch_size}, learning rate {cfg.scratch_learning_rate}, "
            f"momentum 0.9, {scratch['n_iter']} epochs). The two agree on "
            f"{100 * agree:.2f}% of the test predictions."
        ),
    )


def _table1(res: dict[str, Any]) -> Table:
    """Report Table 1 with our final model, and the same fit at the report's C."""
    ours, doc = res["final"], res["final_report_C"]
    published = {t.key: t for t in REPORT_TARGETS}
    rows = []
    for key in FINAL_METRICS:
        t = published[f"report.final.{key}"]
        rows.append(
            [t.what, _fmt(ours[key]), _fmt(doc[key]), f"{t.value:.{t.decimals}f}"]
        )
    return Table(
        "Report Table 1: the final logistic regression on the 10,000 test images",
        ["metric", f"ours, C = {res['C']:.3g}", f"ours, C = {REPORT_C}", "report"],
        rows,
        note=(
            "Fitted on all training images (standardised), lbfgs with scikit-learn's "
            f"default 100 iterations (converged: {ours['converged']}). The third "
            "column refits at the report's C so the two pipelines can be compared at "
            "the same regularisation; macro averages are from its class report."
        ),
    )

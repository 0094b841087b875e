"""The homework's PDF pages: title page (settings, summary table), figures, tables."""

from __future__ import annotations

import math
from typing import Any

from matplotlib.figure import Figure

from logitlab.experiments.homework.config import DEFAULT_LEARNING_RATE
from logitlab.experiments.homework.run import HomeworkRun
from logitlab.pdf import CaptionedFigure, Table

LEARNING_RATE_NOTE = (
    "0.1: with standardised pixels the largest eigenvalue of XᵀX/n is about 100 "
    "(0 vs 1), so the loss curvature is at most 25 and 2/25 = 0.08 is the textbook "
    "safe step; 0.1 still lowers the training loss at every epoch on 0/1, 4/9 and 7/9 "
    "(curvature falls as examples become confidently classified) and reaches a low "
    "test loss in 100 epochs, while 0.3 and 1.0 already overfit the test loss on 7 vs 9"
)


def summary_table(r: HomeworkRun) -> Table:
    """Both models' test numbers side by side (the title page and the console)."""
    m = r.metrics
    early, final = m["scratch"]["early"], m["scratch"]["final"]
    cols = [m["sklearn"], early, final]
    rows = []
    for key, label in (
        ("accuracy", "test accuracy"),
        ("log_loss", "test log loss"),
        ("train_log_loss", "training log loss"),
        ("precision", "precision"),
        ("recall", "recall"),
        ("f1", "F1"),
        ("roc_auc", "ROC AUC"),
    ):
        rows.append([label, *(_fmt(c[key]) for c in cols)])
    rows.append(
        ["errors / test images", *(f"{c['n_errors']} / {c['n']}" for c in cols)]
    )
    positive = m["settings"]["class_names"][1]
    return Table(
        title="Summary: test-set results",
        columns=[
            "metric",
            "scikit-learn",
            f"scratch, epoch {early['epoch']}",
            f"scratch, epoch {final['epoch']}",
        ],
        rows=rows,
        note=f"Precision, recall and F1 take class {positive!r} (label 1) as "
        "positive; predictions threshold the probability at 0.5. Both scratch "
        "columns come from one run (weights kept after those epochs).",
        col_widths=[0.34, 0.22, 0.22, 0.22],
    )


def pages(
    r: HomeworkRun, figures: dict[str, Figure], captions: dict[str, str]
) -> list[CaptionedFigure | Table]:
    """The figures in their order with their captions, then the tables."""
    pages: list[CaptionedFigure | Table] = [
        CaptionedFigure(figures[k], captions[k]) for k in figures
    ]
    return [*pages, *_tables(r)]


def _tables(r: HomeworkRun) -> list[Table]:
    m = r.metrics
    names = m["settings"]["class_names"]
    models = (
        ("scikit-learn", m["sklearn"]),
        (f"scratch, epoch {m['scratch']['early']['epoch']}", m["scratch"]["early"]),
        (f"scratch, epoch {m['scratch']['final']['epoch']}", m["scratch"]["final"]),
    )
    per_class = [
        [
            model,
            name,
            *(_fmt(d["per_class"][name][k]) for k in ("precision", "recall", "f1")),
            str(d["per_class"][name]["support"]),
        ]
        for model, d in models
        for name in names
    ]
    h = m["scratch"]["history"]
    every = [e for e in h["epoch"] if e > 0 and (e % 10 == 0 or e == h["epoch"][-1])]
    epochs = [
        [
            str(e),
            _fmt(h["train_loss"][e]),
            _fmt(h["test_loss"][e]),
            _fmt(h["train_accuracy"][e]),
            _fmt(h["test_accuracy"][e]),
        ]
        for e in dict.fromkeys([*every])
    ]
    return [
        Table(
            "Precision, recall and F1 per class (test set)",
            ["model", "class", "precision", "recall", "F1", "support"],
            per_class,
            note="Precision: of the images predicted as this class, the fraction "
            "that are. Recall: of the images of this class, the fraction found. "
            "F1: "
            "their harmonic mean. With two classes, each class's recall is the "
            "other's specificity (one minus the false-alarm rate).",
        ),
        Table(
            "From-scratch training, every 10 epochs",
            ["epoch", "train loss", "test loss", "train accuracy", "test accuracy"],
            epochs,
            note="The homework's console line 'Epoch k, Loss' is the training loss "
            "column. Losses are mean binary cross-entropy after k updates.",
        ),
    ]


def _fmt(x: float | int | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, int):
        return str(x)
    return f"{x:.4f}" if abs(x) >= 1e-3 or x == 0 else f"{x:.2e}"


def front_matter(
    r: HomeworkRun, figures: dict[str, Figure], captions: dict[str, str]
) -> dict[str, Any]:
    """`write_pdf`'s arguments: title, settings and summary of the PDF, its pages."""
    s = r.metrics["settings"]
    a, b = s["digits"]
    sk = r.metrics["sklearn"]
    names = s["class_names"]
    settings = {
        "Data": f"{s['dataset']} classes {names[0]!r} (label 0) vs {names[1]!r} "
        f"(label 1); {s['n_train']} training images ({s['train_counts'][0]} / "
        f"{s['train_counts'][1]}), {s['n_test']} test images ({s['test_counts'][0]} / "
        f"{s['test_counts'][1]}); served by {s['data_source']}",
        "Preprocessing": s["preprocessing"],
        "Part 1": "scikit-learn LogisticRegression() with default settings (lbfgs, "
        f"C=1.0, L2 penalty, max_iter=100): {sk['n_iter']} iterations, "
        + ("converged" if sk["converged"] else "stopped at max_iter before tolerance"),
        "Part 2": "logitlab LogisticRegressionGD: full-batch gradient descent from "
        "zero weights with an intercept, mean binary cross-entropy, "
        f"{s['epochs']} epochs, "
        f"fixed learning rate {s['learning_rate']:g}",
        "Learning rate": LEARNING_RATE_NOTE
        if s["learning_rate"] == DEFAULT_LEARNING_RATE
        else f"{s['learning_rate']:g}, set by the user (default "
        f"{DEFAULT_LEARNING_RATE:g})",
        "Part 3": f"accuracy and log loss after {s['early_epoch']} and {s['epochs']} "
        "epochs, both from the same run",
        "Learning curves": f"a second run on {r.metrics['learning_curve']['n_train']} "
        f"training images, validated on a stratified {s['validation_fraction']:.0%} "
        f"hold-out ({r.metrics['learning_curve']['n_validation']} images, seed "
        f"{s['seed']}) with its own scaler",
        "Software": f"logitlab {r.metrics['logitlab_version']}",
    }
    return {
        "title": "Logistic regression with gradient descent: "
        f"{s['dataset']} {a} vs {b}",
        "subtitle": "Homework report: Parts 1-3 with the guide's figures",
        "settings": settings,
        "summary": summary_table(r),
        "pages": pages(r, figures, captions),
    }

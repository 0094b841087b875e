"""The homework's PDF pages: title page (settings, summary table), figures, tables."""

from __future__ import annotations

import math
from typing import Any

from matplotlib.figure import Figure

from logitlab.experiments.homework.config import DEFAULT_LEARNING_RATE
from logitlab.experiments.homework.run import HomeworkRun
from logitlab.pdf import CaptionedFigure, Table

# the homework's own plots (Plots 1-4), first after the title page; the rest is appendix
HOMEWORK_PLOTS = ("loss", "confusion", "weights", "misclassified")


def learning_rate_text(m: dict[str, Any]) -> str:
    """The learning rate beside the curvature bound measured on this run's data."""
    c, s = m["learning_rate_check"], m["settings"]
    lr, safe, epochs = s["learning_rate"], c["safe_step"], s["epochs"]
    origin = (
        "the default"
        if lr == DEFAULT_LEARNING_RATE
        else f"set by the user; default {DEFAULT_LEARNING_RATE:g}"
    )
    relation = "below" if lr < safe else "equal to" if lr == safe else "above"
    text = (
        f"{lr:g} ({origin}), fixed. On this run's standardised training images the "
        "largest eigenvalue of XᵀX/n (with the bias column) is "
        f"{c['gram_max_eigenvalue']:.1f}, so the loss's curvature is at most "
        f"{c['curvature_bound']:.2f} and any fixed step below 2/"
        f"{c['curvature_bound']:.2f} = {safe:.4f} lowers the training loss at every "
        f"epoch; {lr:g} is {relation} that bound"
    )
    rises = c["train_loss_rises"]
    if rises:
        return (
            f"{text}, and the training loss rose at {len(rises)} of the {epochs} "
            f"epochs (first at epoch {rises[0]})."
        )
    text += f", and the training loss fell at every one of the {epochs} epochs"
    if lr > safe:
        return (
            f"{text} all the same: the bound is the worst case, and the curvature "
            "shrinks as the images become confidently classified (p(1-p) -> 0)."
        )
    return text + "."


def comparison_text(m: dict[str, Any]) -> str:
    """Part 3's comparison of the model after few and after all epochs, as measured."""
    sc, n = m["scratch"], m["settings"]["n_test"]
    early, final, diff = sc["early"], sc["final"], sc["early_vs_final"]
    k, epochs = early["epoch"], final["epoch"]
    if k == epochs:
        return f"This run has only {epochs} epochs: both scratch columns are one model."
    h = sc["history"]
    (n0, n1), (b0, b1) = diff["weight_norm"], diff["bias"]
    cosine, changed = diff["weight_cosine"], diff["changed_test_predictions"]
    e0, e1 = early["n_errors"], final["n_errors"]
    errors = (
        f"leave the number of test mistakes at {e0}"
        if e0 == e1
        else f"take the test mistakes from {e0} to {e1}"
    )
    text = (
        f"{k} vs {epochs} epochs (Part 3, one run). Test accuracy "
        f"{early['accuracy']:.2%} ({early['n_errors']} errors of {n}) after {k} "
        f"epochs, {final['accuracy']:.2%} ({final['n_errors']}) after {epochs}; test "
        f"log loss {early['log_loss']:.4f} -> {final['log_loss']:.4f}; training loss "
        f"{h['train_loss'][k]:.4f} -> {h['train_loss'][epochs]:.4f}. The weights "
        f"{'grow' if n1 > n0 else 'shrink'} from ||w|| = {n0:.3g} to {n1:.3g} (bias "
        f"{b0:.3g} -> {b1:.3g}) and keep a cosine similarity of {cosine:.3f} with "
        f"their epoch-{k} values, so the pixel pattern of Plot 3 is "
        + ("largely set" if cosine >= 0.9 else "still changing")
        + f" after {k} epochs. The {epochs - k} further epochs {errors} and change "
        f"{changed} test predictions"
    )
    if final["log_loss"] < early["log_loss"] and changed <= 0.01 * n:
        return (
            f"{text}: what they buy is confidence, a "
            f"{early['log_loss'] / final['log_loss']:.1f}-fold lower test log loss."
        )
    return text + "."


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
    """Plots 1-4 with their captions, then the appendix: the other figures, the
    tables."""
    plots: list[CaptionedFigure | Table] = [
        CaptionedFigure(figures[k], captions[k]) for k in HOMEWORK_PLOTS
    ]
    extra = [k for k in figures if k not in HOMEWORK_PLOTS]
    appendix: list[CaptionedFigure | Table] = [
        CaptionedFigure(
            figures[k],
            captions[k],
            heading=f"Appendix A{i}: beyond the homework's Plots 1-4",
        )
        for i, k in enumerate(extra, 1)
    ]
    for i, table in enumerate(_tables(r), len(extra) + 1):
        table.title = f"Appendix A{i}: {table.title}"
        appendix.append(table)
    return plots + appendix


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
    r: HomeworkRun,
    figures: dict[str, Figure],
    captions: dict[str, str],
    *,
    student_id: str | None = None,
    student_name: str | None = None,
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
        "Learning rate": learning_rate_text(r.metrics),
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
        "subtitle": _subtitle(student_id, student_name),
        "author": student_name or student_id or "",
        "settings": settings,
        "summary": summary_table(r),
        "summary_text": comparison_text(r.metrics),
        "pages": pages(r, figures, captions),
    }


def _subtitle(student_id: str | None, student_name: str | None) -> str:
    """Who hands in (when given), and where the homework's plots are."""
    who = ", ".join(
        part for part in (student_name, student_id and f"id {student_id}") if part
    )
    return (
        (f"Homework hand-in by {who}\n" if who else "Homework hand-in\n")
        + "Parts 1-3; Plots 1-4 on the next four pages, everything else in the "
        "appendix after them"
    )

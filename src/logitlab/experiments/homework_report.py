"""The homework's presentation: figures, captions, tables, PDF and output folder.

`logitlab.experiments.homework` runs the homework and calls `make_figures` on its
result; everything here reads a finished `HomeworkResult` (its metrics, models and
task) and turns it into what a reader sees: the figures with captions quoting this
run's numbers, the summary and per-class tables, the PDF and `write_outputs`.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from logitlab._atomic import output_transaction
from logitlab.experiments.homework import (
    DEFAULT_LEARNING_RATE,
    MAX_GALLERY,
    HomeworkResult,
    HomeworkSettingsError,
    _proba,
)
from logitlab.persistence import save_model
from logitlab.plots import (
    confusion_matrix_figure,
    digit_gallery,
    l1_l2_geometry_figure,
    learning_curves,
    loss_curves,
    roc_curves,
    sigmoid_figure,
    weight_images,
)
from logitlab.report import ReportFigure, ReportTable, layout_kept, write_report

LEARNING_RATE_NOTE = (
    "0.1: with standardised pixels the largest eigenvalue of XᵀX/n is about 100 "
    "(0 vs 1), so the loss curvature is at most 25 and 2/25 = 0.08 is the textbook "
    "safe step; 0.1 still lowers the training loss at every epoch on 0/1, 4/9 and 7/9 "
    "(curvature falls as examples become confidently classified) and reaches a low "
    "test loss in 100 epochs, while 0.3 and 1.0 already overfit the test loss on 7 vs 9"
)


def summary_table(r: HomeworkResult) -> ReportTable:
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
    return ReportTable(
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


def report_pages(r: HomeworkResult) -> list[ReportFigure | ReportTable]:
    """The figures in report order with their captions, then the tables."""
    pages: list[ReportFigure | ReportTable] = [
        ReportFigure(r.figures[k], r.captions[k]) for k in r.figures
    ]
    return [*pages, *_tables(r)]


def _tables(r: HomeworkResult) -> list[ReportTable]:
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
        ReportTable(
            "Precision, recall and F1 per class (test set)",
            ["model", "class", "precision", "recall", "F1", "support"],
            per_class,
            note="Precision: of the images predicted as this class, the fraction "
            "that are. Recall: of the images of this class, the fraction found. "
            "F1: "
            "their harmonic mean. With two classes, each class's recall is the "
            "other's specificity (one minus the false-alarm rate).",
        ),
        ReportTable(
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


def make_figures(r: HomeworkResult) -> None:
    """Fill `r.figures` / `r.captions` in report order (homework, then the guide)."""
    m, task = r.metrics, r.task
    names = task.class_names
    h, final, early = (
        m["scratch"]["history"],
        m["scratch"]["final"],
        m["scratch"]["early"],
    )
    sk = m["sklearn"]
    X_test = r.scaler.transform(task.X_test)
    p_scratch = _proba(X_test, r.model.coef_, r.model.intercept_)
    p_sk = r.sklearn_model.predict_proba(X_test)[:, 1]
    f = r.figures
    f["loss"] = loss_curves(
        {"training": h["train_loss"], "test": h["test_loss"]},
        epochs=h["epoch"],
        title="Plot 1: loss per epoch (from scratch)",
        marks=(early["epoch"], final["epoch"]),
        log_y=True,
    )
    f["confusion"] = confusion_matrix_figure(
        task.y_test,
        (p_scratch >= 0.5).astype(int),
        names,
        title=f"Plot 2: confusion matrix, from scratch after {final['epoch']} epochs",
    )
    f["weights"] = weight_images(
        {
            f"from scratch, {final['epoch']} epochs": r.model.coef_,
            "scikit-learn": r.sklearn_model.coef_,
        },
        title="Plot 3: weights as 28×28 images (bias excluded), centred on zero",
    )
    for key, d, title in (
        ("misclassified", final, "Plot 4: misclassified test images, from scratch"),
        ("misclassified_sklearn", sk, "Misclassified test images, scikit-learn"),
    ):
        idx = [e["index"] for e in d["misclassified"]]
        f[key] = digit_gallery(
            task.images_test[idx],
            [e["true"] for e in d["misclassified"]],
            [e["predicted"] for e in d["misclassified"]],
            [e["confidence"] for e in d["misclassified"]],
            indices=idx,
            title=title,
            total_wrong=d["n_errors"],
            max_images=MAX_GALLERY,
        )
    f["confusion_sklearn"] = confusion_matrix_figure(
        task.y_test,
        (p_sk >= 0.5).astype(int),
        names,
        title="Confusion matrix, scikit-learn",
    )
    lc = m["learning_curve"]
    f["learning_curves"] = learning_curves(
        lc["train_loss"],
        lc["validation_loss"],
        epochs=lc["epoch"],
        title="Learning curves: training vs held-out validation loss",
        log_y=True,
    )
    f["roc"] = roc_curves(
        task.y_test,
        {f"from scratch, {final['epoch']} epochs": p_scratch, "scikit-learn": p_sk},
        title=f"ROC curves on the test set (positive class {names[1]!r})",
    )
    f["sigmoid"] = sigmoid_figure()
    f["l1_l2"] = l1_l2_geometry_figure()
    r.captions.update(_captions(r, p_scratch, p_sk))


def write_outputs(
    result: HomeworkResult,
    out_dir: str | os.PathLike[str],
    *,
    pdf_name: str = "report.pdf",
) -> dict[str, Path]:
    """Write report, figures/*.png, model.h5 and metrics.json under `out_dir`.

    All of it or nothing (`logitlab._atomic.output_transaction`): a failure or a
    signal leaves `out_dir` as it was; files of the same names are replaced, nothing
    else is touched.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise HomeworkSettingsError(f"output folder {out} exists and is not a folder")
    if Path(pdf_name).name != pdf_name or not pdf_name.endswith(".pdf"):
        raise HomeworkSettingsError(
            f"report name {pdf_name!r} must be a plain *.pdf name"
        )
    with output_transaction(out) as tx:
        for name, fig in result.figures.items():
            fig.savefig(tx.path(f"figures/{name}.png"), dpi=110)
        save_model(
            result.model,
            tx.path("model.h5"),
            preprocessing=result.preprocessing,
            digits=result.config.digits,
            dataset=result.config.dataset,
        )
        tx.write_text(
            "metrics.json", json.dumps(result.metrics, indent=1, allow_nan=False)
        )
        with layout_kept(result.figures.values()):  # laid out for the PNGs above
            write_report(tx.path(pdf_name), **_report_front(result))
    names = [f"figures/{name}.png" for name in sorted(result.figures)]
    return {name: out / name for name in [*names, "model.h5", "metrics.json", pdf_name]}


def _report_front(r: HomeworkResult) -> dict[str, Any]:
    """Title, settings and summary of the PDF, plus its pages."""
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
        "pages": report_pages(r),
    }


def _gallery_caption(label: str, d: dict[str, Any], n_test: int) -> str:
    k = d["n_errors"]
    if k == 0:
        count = "The model misclassified no test image, so there is nothing to show."
    elif k < MAX_GALLERY:
        count = (
            f"The model misclassified only {k} of the {n_test} test images, fewer "
            f"than {MAX_GALLERY}, so all of them are shown."
        )
    else:
        count = (
            f"{k} of the {n_test} test images are misclassified; the {MAX_GALLERY} "
            "shown are those the model was most confident about."
        )
    return (
        f"{label}: up to {MAX_GALLERY} misclassified test images, most confident "
        "mistakes first, each titled with its true label, the predicted label, the "
        "probability the model gave its prediction and the image's test index. "
        f"{count} Read: confident mistakes are usually badly written, cut off or "
        "ambiguous digits; low confidences lie near the decision boundary."
    )


def _captions(r: HomeworkResult, p_scratch: NDArray, p_sk: NDArray) -> dict[str, str]:
    """What each figure shows and what to read from it, with this run's numbers."""
    m = r.metrics
    s, h = m["settings"], m["scratch"]["history"]
    early, final, sk = m["scratch"]["early"], m["scratch"]["final"], m["sklearn"]
    names, E = s["class_names"], s["epochs"]
    test = np.asarray(h["test_loss"])
    best = int(np.argmin(test))
    if best < E and test[E] > 1.01 * test[best]:
        trend = (
            f"the test loss is lowest at epoch {best} ({test[best]:.4f}) and rises "
            "afterwards while the training loss keeps falling: the model starts to "
            "overfit."
        )
    else:
        trend = (
            "the test curve follows the training curve down to the last epoch: no "
            f"overfitting within {E} epochs."
        )
    (tn, fp), (fn, tp) = final["confusion_matrix"]
    (stn, sfp), (sfn, stp) = sk["confusion_matrix"]
    y = r.task.y_test
    wrong_ours = set(np.flatnonzero((p_scratch >= 0.5) != y).tolist())
    wrong_sk = set(np.flatnonzero((p_sk >= 0.5) != y).tolist())
    lc = m["learning_curve"]
    lbest, lval = lc["best_epoch"], lc["validation_loss"]
    if lbest == E or lval[E] <= 1.01 * lval[lbest]:
        diagnosis = (
            "the validation loss is still at its minimum at the last epoch "
            f"({lval[E]:.4f} vs {lc['train_loss'][E]:.4f} on training): no overfitting "
            "yet, and both "
            "are low, so the model does not underfit either; more epochs could still "
            "help."
        )
    else:
        diagnosis = (
            f"the validation loss is lowest at epoch {lbest} ({lval[lbest]:.4f}) and "
            f"then rises to {lval[E]:.4f} while the training loss keeps falling: "
            f"overfitting; the guide would stop at epoch {lbest} (early stopping)."
        )
    return {
        "loss": (
            "Plot 1: mean binary cross-entropy of the from-scratch model on the "
            f"training set ({s['n_train']} images) and the test set ({s['n_test']}) "
            "after each epoch of full-batch gradient descent with learning rate "
            f"{s['learning_rate']:g}, from epoch 0 (zero weights, loss ln 2 = 0.693) "
            f"to epoch {E}, on a log scale. Dotted lines mark epochs {early['epoch']} "
            f"and {E}, the two scratch columns of the summary table. Read: the loss "
            f"falls to {h['train_loss'][E]:.4f} (training) and {test[E]:.4f} (test); "
            + trend
        ),
        "confusion": (
            f"Plot 2: confusion matrix of the from-scratch model after {E} epochs on "
            "the test set (scikit-learn's ConfusionMatrixDisplay): rows are the true "
            "class, columns the predicted class, at threshold 0.5. Read: the diagonal "
            f"holds the {tn + tp} correct predictions; {fp} images of {names[0]!r} "
            f"were taken for {names[1]!r} and {fn} of {names[1]!r} for {names[0]!r}."
        ),
        "weights": (
            "Plot 3: the 784 weights of each model (bias excluded) drawn as a 28×28 "
            "image with a diverging colour scale centred on zero (white = 0, limits "
            f"±max|w|, one colorbar per panel). Red pixels raise the probability of "
            f"{names[1]!r}, blue pixels that of {names[0]!r}. Read: the weights act as "
            "a matched filter (the guide's 'filter response'): red traces where "
            f"{names[1]!r} has ink and {names[0]!r} has none, blue the reverse. "
            "Pixels blank in every training image keep weight 0 (their standardised "
            "value is always 0, so is their gradient)."
        ),
        "misclassified": _gallery_caption(
            f"Plot 4, from scratch after {E} epochs", final, s["n_test"]
        ),
        "misclassified_sklearn": _gallery_caption("scikit-learn", sk, s["n_test"])
        + f" The two models share {len(wrong_ours & wrong_sk)} of their "
        f"{len(wrong_ours)} (scratch) and {len(wrong_sk)} (scikit-learn) mistakes.",
        "confusion_sklearn": (
            "Confusion matrix of scikit-learn's LogisticRegression on the same test "
            f"set, for comparison with Plot 2. Read: {stn + stp} correct, {sfp} "
            "images of "
            f"{names[0]!r} taken for {names[1]!r} and {sfn} of {names[1]!r} for "
            f"{names[0]!r}, against {fp} and {fn} for the from-scratch model."
        ),
        "learning_curves": (
            "Learning curves (the guide): training and validation loss per epoch of a "
            f"second from-scratch run, trained on {lc['n_train']} training images and "
            f"validated on a stratified {s['validation_fraction']:.0%} hold-out of "
            f"{lc['n_validation']} training images (the test set is not used), same "
            f"learning rate; the dot marks the validation minimum. Read: {diagnosis}"
        ),
        "roc": (
            "ROC curves of both models on the test set: detection (true-positive) rate "
            "against false-alarm (false-positive) rate as the threshold on "
            f"P({names[1]!r}) moves from 1 to 0; the dashed diagonal is chance. AUC: "
            f"{final['roc_auc']:.4f} from scratch, {sk['roc_auc']:.4f} scikit-learn. "
            "Read: a curve hugging the top-left corner means some threshold gives high "
            "detection with few false alarms; the threshold 0.5 behind precision, "
            "recall and F1 is one point on each curve."
        ),
        "sigmoid": (
            "The guide's sigmoid figure: σ(z) = 1/(1 + e^(-z)) (blue), its derivative "
            "σ(z)(1 - σ(z)) (red) and the tangent at z = 2 (green, slope 0.105). Read: "
            "the derivative peaks at 0.25 at z = 0 where σ = 0.5, so the model is most "
            "sensitive at the decision boundary, and vanishes for large |z|: "
            "confidently classified examples barely move the weights."
        ),
        "l1_l2": (
            "The guide's geometry of regularisation: contours of a loss whose "
            "unconstrained optimum is the star at (1.2, 0.6), with the L2 constraint "
            "‖w‖₂ ≤ 0.8 (circle, left) and the L1 constraint ‖w‖₁ ≤ 0.8 (diamond, "
            "right); the black dot is the best point of each constraint set, found "
            "numerically on its boundary. Read: the circle is touched where both "
            "weights are non-zero, the diamond at its vertex w₂ = 0, so L1 gives "
            "sparse weights (for MNIST: most pixels ignored) while L2 only shrinks "
            "them. The "
            "from-scratch model here is unregularised; scikit-learn's default is L2 "
            "with C = 1."
        ),
    }

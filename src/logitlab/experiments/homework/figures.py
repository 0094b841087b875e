"""The homework's figures (Plots 1-4, then the guide's) with captions quoting the run.

Everything here reads a finished `HomeworkRun` (its metrics, models and task); the
captions say what each figure shows and what to read from it, with this run's numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import NDArray

from logitlab.experiments.homework.config import MAX_GALLERY
from logitlab.experiments.homework.run import HomeworkRun
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


def make_figures(r: HomeworkRun) -> tuple[dict[str, Figure], dict[str, str]]:
    """The figures and their captions, keyed alike, in the PDF's order (the homework's
    plots, then the guide's figures)."""
    m, task = r.metrics, r.task
    names = task.class_names
    h, final, early = (
        m["scratch"]["history"],
        m["scratch"]["final"],
        m["scratch"]["early"],
    )
    sk = m["sklearn"]
    p_scratch, p_sk = r.test_probabilities()
    f: dict[str, Figure] = {}
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
    return f, _captions(r, p_scratch, p_sk)


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


SIGMOID_CAPTION = (
    "The guide's sigmoid figure: σ(z) = 1/(1 + e^(-z)) (blue), its derivative "
    "σ(z)(1 - σ(z)) (red) and the tangent at z = 2 (green, slope 0.105). Read: "
    "the derivative peaks at 0.25 at z = 0 where σ = 0.5, so the model is most "
    "sensitive at the decision boundary, and vanishes for large |z|: "
    "confidently classified examples barely move the weights."
)
L1_L2_CAPTION = (
    "The guide's geometry of regularisation: contours of a loss whose "
    "unconstrained optimum is the star at (1.2, 0.6), with the L2 constraint "
    "‖w‖₂ ≤ 0.8 (circle, left) and the L1 constraint ‖w‖₁ ≤ 0.8 (diamond, "
    "right); the black dot is the best point of each constraint set, found "
    "numerically on its boundary. Read: the circle is touched where both "
    "weights are non-zero, the diamond at its vertex w₂ = 0, so L1 gives "
    "sparse weights (for MNIST: most pixels ignored) while L2 only shrinks "
    "them. The from-scratch model here is unregularised; scikit-learn's default "
    "is L2 with C = 1."
)


def _captions(r: HomeworkRun, p_scratch: NDArray, p_sk: NDArray) -> dict[str, str]:
    """What each figure shows and what to read from it, with this run's numbers."""
    m = r.metrics
    s, final, sk = m["settings"], m["scratch"]["final"], m["sklearn"]
    names, E = s["class_names"], s["epochs"]
    y = r.task.y_test
    wrong_ours = set(np.flatnonzero((p_scratch >= 0.5) != y).tolist())
    wrong_sk = set(np.flatnonzero((p_sk >= 0.5) != y).tolist())
    return {
        "loss": _loss_caption(m),
        **_confusion_captions(m),
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
        "learning_curves": _learning_curves_caption(m),
        "roc": (
            "ROC curves of both models on the test set: detection (true-positive) rate "
            "against false-alarm (false-positive) rate as the threshold on "
            f"P({names[1]!r}) moves from 1 to 0; the dashed diagonal is chance. AUC: "
            f"{final['roc_auc']:.4f} from scratch, {sk['roc_auc']:.4f} scikit-learn. "
            "Read: a curve hugging the top-left corner means some threshold gives high "
            "detection with few false alarms; the threshold 0.5 behind precision, "
            "recall and F1 is one point on each curve."
        ),
        "sigmoid": SIGMOID_CAPTION,
        "l1_l2": L1_L2_CAPTION,
    }


def _loss_caption(m: dict[str, Any]) -> str:
    """Plot 1: where the two losses end, and whether the test loss turns upwards."""
    s, h = m["settings"], m["scratch"]["history"]
    E, test = s["epochs"], np.asarray(h["test_loss"])
    best = int(np.argmin(test))
    if best < E and test[E] > 1.01 * test[best]:
        trend = (
            f"the test loss is lowest at epoch {best} ({test[best]:.4f}) and rises "
            "afterwards while the training loss keeps falling: the model starts to "
            "overfit."
        )
    elif best < E:
        trend = (
            f"the test loss ends within 1% of its minimum ({test[best]:.4f}, epoch "
            f"{best}): no clear overfitting within {E} epochs."
        )
    else:
        trend = (
            "the test loss falls with the training loss down to the last epoch: no "
            f"overfitting within {E} epochs."
        )
    return (
        "Plot 1: mean binary cross-entropy of the from-scratch model on the "
        f"training set ({s['n_train']} images) and the test set ({s['n_test']}) "
        "after each epoch of full-batch gradient descent with learning rate "
        f"{s['learning_rate']:g}, from epoch 0 (zero weights, loss ln 2 = 0.693) "
        f"to epoch {E}, on a log scale. Dotted lines mark epochs "
        f"{m['scratch']['early']['epoch']} and {E}, the two scratch columns of the "
        f"summary table. Read: the loss falls to {h['train_loss'][E]:.4f} (training) "
        f"and {test[E]:.4f} (test); " + trend
    )


def _confusion_captions(m: dict[str, Any]) -> dict[str, str]:
    """Plot 2 and scikit-learn's confusion matrix, read with this run's counts."""
    names, E = m["settings"]["class_names"], m["settings"]["epochs"]
    (tn, fp), (fn, tp) = m["scratch"]["final"]["confusion_matrix"]
    (stn, sfp), (sfn, stp) = m["sklearn"]["confusion_matrix"]
    return {
        "confusion": (
            f"Plot 2: confusion matrix of the from-scratch model after {E} epochs on "
            "the test set (scikit-learn's ConfusionMatrixDisplay): rows are the true "
            "class, columns the predicted class, at threshold 0.5. Read: the diagonal "
            f"holds the {tn + tp} correct predictions; {fp} images of {names[0]!r} "
            f"were taken for {names[1]!r} and {fn} of {names[1]!r} for {names[0]!r}."
        ),
        "confusion_sklearn": (
            "Confusion matrix of scikit-learn's LogisticRegression on the same test "
            f"set, for comparison with Plot 2. Read: {stn + stp} correct, {sfp} "
            f"images of {names[0]!r} taken for {names[1]!r} and {sfn} of {names[1]!r} "
            f"for {names[0]!r}, against {fp} and {fn} for the from-scratch model."
        ),
    }


def _learning_curves_caption(m: dict[str, Any]) -> str:
    """The guide's learning curves: where the validation loss is lowest, and why."""
    s, lc = m["settings"], m["learning_curve"]
    E, lbest, lval = s["epochs"], lc["best_epoch"], lc["validation_loss"]
    if lbest == E or lval[E] <= 1.01 * lval[lbest]:
        train = lc["train_loss"][E]
        fit = (
            f"the training loss is down to {train:.4f} (from ln 2 = 0.693), so the "
            "model does not underfit either"
            if train < 0.1
            else f"the training loss is still {train:.4f}: the model may underfit"
        )
        where = (
            f"is lowest at the last epoch ({lval[E]:.4f})"
            if lbest == E
            else f"ends at {lval[E]:.4f}, within 1% of its minimum at epoch {lbest}"
        )
        diagnosis = (
            f"the validation loss {where}: no overfitting yet; {fit}, and more "
            "epochs could still help."
        )
    else:
        diagnosis = (
            f"the validation loss is lowest at epoch {lbest} ({lval[lbest]:.4f}) and "
            f"then rises to {lval[E]:.4f} while the training loss keeps falling: "
            f"overfitting; the guide would stop at epoch {lbest} (early stopping)."
        )
    return (
        "Learning curves (the guide): training and validation loss per epoch of a "
        f"second from-scratch run, trained on {lc['n_train']} training images and "
        f"validated on a stratified {s['validation_fraction']:.0%} hold-out of "
        f"{lc['n_validation']} training images (the test set is not used), same "
        f"learning rate; the dot marks the validation minimum. Read: {diagnosis}"
    )

"""The report's figures (Figs. 1–2 and the inner search), numbered as the report."""

from __future__ import annotations

from typing import Any

import numpy as np

from logitlab.experiments.report.run import DIGITS
from logitlab.pdf import CaptionedFigure
from logitlab.plots.confusion import confusion_matrix_figure
from logitlab.plots.paper_figures import c_search_figure
from logitlab.plots.roc import roc_curves_ovr


def figures(res: dict[str, Any]) -> list[CaptionedFigure]:
    """The inner search of C, then the report's Figs. 1 and 2 of the final model."""
    final, folds = res["final"], res["folds"]
    y_true = final["y_true"]
    pred = np.argmax(final["proba"], axis=1)
    return [
        CaptionedFigure(
            c_search_figure(
                [f["candidates_C"] for f in folds],
                [f["candidates_score"] for f in folds],
            ),
            "Inner-search accuracy of every C candidate in each outer fold (no "
            "figure in the report): accuracy is flat over a wide range of C, which "
            "is why the winner is decided by the sampler.",
        ),
        CaptionedFigure(
            confusion_matrix_figure(
                y_true, pred, DIGITS, title=f"Logistic regression, C = {res['C']:.3g}"
            ),
            "Report Fig. 1: confusion matrix of the final model on the 10,000 test "
            "images (rows true digit, columns predicted).",
        ),
        CaptionedFigure(
            roc_curves_ovr(y_true, final["proba"], DIGITS),
            "Report Fig. 2: one-vs-rest ROC curves of all ten classes; macro ROC AUC "
            f"{final['roc_auc_ovr']:.4f} (report: 0.99).",
        ),
    ]

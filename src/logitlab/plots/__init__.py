"""Figures. Every function returns a `matplotlib.figure.Figure` and never shows it.

Figures are built with `Figure()` rather than `pyplot`, so nothing is kept in pyplot's
global registry, no GUI backend is touched and a notebook displays them as returned.
"""

from logitlab.plots.confusion import confusion_matrix_figure
from logitlab.plots.curves import learning_curves, loss_curves
from logitlab.plots.guide import l1_l2_geometry_figure, sigmoid_figure
from logitlab.plots.images import digit_gallery, weight_images
from logitlab.plots.roc import roc_curves, roc_curves_ovr

__all__ = [
    "confusion_matrix_figure",
    "digit_gallery",
    "l1_l2_geometry_figure",
    "learning_curves",
    "loss_curves",
    "roc_curves",
    "roc_curves_ovr",
    "sigmoid_figure",
    "weight_images",
]

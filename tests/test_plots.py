"""Figures: each function returns a Figure holding the data it was given."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from logitlab.plots import (
    confusion_matrix_figure,
    digit_gallery,
    l1_l2_geometry_figure,
    learning_curves,
    loss_curves,
    roc_curves,
    roc_curves_ovr,
    sigmoid_figure,
    weight_images,
)
from logitlab.plots.paper_figures import curve_panels, lambda_curves, weight_grid


@pytest.fixture(autouse=True)
def _no_pyplot_figures():
    """Figures are built without pyplot, so none may pile up in its registry."""
    before = set(plt.get_fignums())
    yield
    assert set(plt.get_fignums()) == before


def _line(fig: Figure, label_start: str):
    lines = [ln for ax in fig.axes for ln in ax.lines]
    return next(ln for ln in lines if str(ln.get_label()).startswith(label_start))


def test_loss_curves_plot_the_values_against_the_given_epochs():
    train, test = [0.69, 0.3, 0.2], [0.69, 0.35, 0.25]
    fig = loss_curves({"training": train, "test": test}, epochs=[0, 1, 2], marks=(1,))
    assert isinstance(fig, Figure)
    np.testing.assert_array_equal(_line(fig, "test").get_ydata(), test)
    np.testing.assert_array_equal(_line(fig, "training").get_xdata(), [0, 1, 2])


def test_learning_curves_mark_the_validation_minimum():
    fig = learning_curves([0.5, 0.3, 0.2, 0.1], [0.6, 0.4, 0.35, 0.45])
    dot = _line(fig, "validation minimum")
    assert list(dot.get_xdata()) == [3] and list(dot.get_ydata()) == [0.35]


def test_weight_images_are_centred_on_zero_with_colorbars():
    rng = np.random.default_rng(0)
    w = rng.normal(size=784) + 0.5  # not symmetric around 0
    fig = weight_images({"a": w, "b": -2 * w})
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 2 and len(fig.axes) == 4  # two panels + two colorbars
    np.testing.assert_array_equal(images[0].get_array(), w.reshape(28, 28))
    for im, scale in zip(images, (1, 2), strict=True):
        vmin, vmax = im.get_clim()
        assert vmin == -vmax == pytest.approx(-scale * np.abs(w).max())


@pytest.mark.parametrize(
    ("n", "total", "phrase"),
    [(0, 0, "(none)"), (3, 3, "only 3, fewer than 10"), (10, 25, "showing 10 of 25"),
     (10, 10, "all 10")],
)  # fmt: skip
def test_gallery_says_how_many_mistakes_there_are(n, total, phrase):
    images = np.zeros((n, 28, 28), dtype=np.uint8)
    fig = digit_gallery(images, ["0"] * n, ["1"] * n, [0.9] * n, total_wrong=total)
    assert phrase in fig.get_suptitle()
    assert sum(len(ax.images) for ax in fig.axes) == n
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert (n == 0) == any("No misclassified" in t for t in texts)


def test_gallery_titles_carry_labels_and_confidence():
    fig = digit_gallery(np.zeros((1, 28, 28)), ["7"], ["1"], [0.8766], indices=[42])
    title = next(ax.get_title() for ax in fig.axes if ax.images)
    assert (
        "true 7" in title and "pred 1" in title and "0.877" in title and "#42" in title
    )


def test_confusion_matrix_counts():
    y_true, y_pred = [0, 0, 1, 1, 1], [0, 1, 1, 1, 0]
    fig = confusion_matrix_figure(y_true, y_pred, ["zero", "one"])
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["1", "1", "1", "2"]  # TN 1, FP 1, FN 1, TP 2


def test_roc_auc_in_legend_matches_pair_counting():
    y = np.array([0, 0, 1, 1])
    s = np.array([0.1, 0.4, 0.35, 0.8])  # 3 of 4 positive/negative pairs ordered: 0.75
    fig = roc_curves(y, {"m": s})
    assert "AUC 0.7500" in _line(fig, "m").get_label()
    fig = roc_curves_ovr([0, 1, 2], np.eye(3), ["a", "b", "c"])
    assert all("AUC 1.0000" in _line(fig, f"{k} (").get_label() for k in "abc")


def test_sigmoid_figure_derivative_peak_and_tangent_slope():
    fig = sigmoid_figure(point_z=2.0)
    d = _line(fig, "derivative")
    assert np.max(d.get_ydata()) == pytest.approx(0.25)
    assert d.get_xdata()[np.argmax(d.get_ydata())] == pytest.approx(0.0)
    t = _line(fig, "tangent")
    x, y = t.get_xdata(), t.get_ydata()
    s = 1 / (1 + np.exp(-2.0))
    assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(s * (1 - s))
    assert np.interp(2.0, x, y) == pytest.approx(s)  # touches σ at z = 2


def test_l1_l2_optima_are_the_constrained_minima():
    fig = l1_l2_geometry_figure(optimum=(1.2, 0.6), radius=0.8)
    l2, l1 = (
        next(ln for ln in ax.lines if ln.get_label().startswith("regularised"))
        for ax in fig.axes[:2]
    )
    x, y = l2.get_xdata()[0], l2.get_ydata()[0]
    # Lagrange: on the circle, and ∇loss = (4(x-1.2), 2(y-0.6)) parallel to (x, y)
    assert np.hypot(x, y) == pytest.approx(0.8, abs=1e-6)
    assert 4 * (x - 1.2) * y - 2 * (y - 0.6) * x == pytest.approx(0.0, abs=1e-3)
    assert (l1.get_xdata()[0], l1.get_ydata()[0]) == pytest.approx((0.8, 0.0), abs=1e-6)


def test_paper_panels_can_share_one_y_axis():
    panels = {"λ = 0.1": {"test": [50.0, 60.0]}, "λ = 0.01": {"test": [90.0, 99.0]}}
    fig = curve_panels(panels, ylabel="accuracy (%)", sharey=True)
    a, b = (ax for ax in fig.axes if ax.has_data())
    assert a.get_ylim() == b.get_ylim()
    assert a.get_ylim()[0] <= 50.0 and a.get_ylim()[1] >= 99.0


def test_lambda_curves_differ_in_style_not_only_colour():
    series = {f"s{i}": [1.0, 1.0, 1.0] for i in range(6)}  # six identical lines
    fig = lambda_curves([0.1, 0.01, 0.001], series, ylabel="y", title="t")
    lines = fig.axes[0].get_lines()
    styles = {(line.get_marker(), str(line.get_linestyle())) for line in lines}
    assert len(styles) == 6
    # drawn in decreasing width and marker size, so the first stays visible under the
    # last when they coincide
    widths = [line.get_linewidth() for line in lines]
    assert widths == sorted(widths, reverse=True)


def test_weight_grid_with_colorbar_shares_one_scale_per_row():
    rng = np.random.default_rng(0)
    rows = {"weights": {str(k): rng.normal(size=784) * (k + 1) for k in range(3)}}
    fig = weight_grid(rows, title="t", colorbar=True)
    images = [ax.get_images()[0] for ax in fig.axes if ax.get_images()]
    lims = {im.get_clim() for im in images}
    top = max(np.abs(w).max() for w in rows["weights"].values())
    assert lims == {(-top, top)}
    assert len(fig.axes) == 3 + 1  # three images and one colour bar


def test_ovr_roc_has_a_zoomed_inset_with_every_curve():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 300)
    proba = np.eye(3)[y] * 0.8 + rng.random((300, 3)) * 0.3
    fig = roc_curves_ovr(y, proba / proba.sum(1, keepdims=True), ["a", "b", "c"])
    (inset,) = fig.axes[0].child_axes
    assert len(inset.get_lines()) == 3
    assert inset.get_xlim() == (0.0, 0.1) and inset.get_ylim() == (0.8, 1.0)

"""The guide's teaching figures: the sigmoid with its derivative, L1 vs L2 geometry."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from logitlab.models.functions import sigmoid


def sigmoid_figure(point_z: float = 2.0) -> Figure:
    """σ(z), σ'(z) = σ(z)(1 - σ(z)) and the tangent of σ at `point_z`.

    The derivative peaks at 0.25 at z = 0, where σ = 0.5: the model is most sensitive
    at the decision boundary, and the gradient vanishes for confident predictions.
    """
    z = np.linspace(-6.0, 6.0, 241)
    s = sigmoid(z)
    ds = s * (1.0 - s)
    s0 = float(sigmoid(np.array([point_z]))[0])
    d0 = s0 * (1.0 - s0)
    fig = Figure(figsize=(9, 4.8), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(z, s, "b-", linewidth=2, label="sigmoid σ(z)")
    ax.plot(z, ds, "r-", linewidth=2, label="derivative σ(z)(1 − σ(z))")
    zt = np.array([point_z - 2.0, point_z + 2.0])
    ax.plot(
        zt,
        s0 + d0 * (zt - point_z),
        "g--",
        linewidth=2,
        label=f"tangent at z={point_z:g}, slope={d0:.3f}",
    )
    ax.plot(point_z, s0, "ko", markersize=7)
    ax.plot(0.0, 0.25, "r^", markersize=7, label="maximum slope 0.25 at z=0")
    for y in (0.0, 1.0):
        ax.axhline(y, color="k", alpha=0.3, linewidth=1)
    ax.axvline(0.0, color="k", alpha=0.3, linewidth=1)
    ax.set(xlabel="z", ylabel="σ(z)", title="Sigmoid function and its derivative")
    ax.grid(True, alpha=0.4)
    ax.legend(loc="upper left")
    return fig


def _boundary_minimum(points: np.ndarray, loss) -> np.ndarray:
    """The boundary point of least loss (the constrained optimum when the free optimum
    lies outside the constraint set)."""
    return points[np.argmin(loss(points[:, 0], points[:, 1]))]


def l1_l2_geometry_figure(
    optimum: tuple[float, float] = (1.2, 0.6), radius: float = 0.8
) -> Figure:
    """Elliptical loss contours against the L2 disc and the L1 diamond of equal radius.

    As in the guide the loss is 2(w₁ − a)² + (w₂ − b)², but the constrained optima are
    found by minimising it over a fine sampling of each boundary rather than by the
    radial projection the guide draws (which is exact only for circular contours). The
    L1 optimum lands on the vertex w₂ = 0: the sparse solution.
    """
    a, b = optimum

    def loss(x, y):
        return 2.0 * (x - a) ** 2 + (y - b) ** 2

    t = np.linspace(0.0, 2.0 * np.pi, 20001)
    circle = radius * np.column_stack([np.cos(t), np.sin(t)])
    diamond = circle / (np.abs(np.cos(t)) + np.abs(np.sin(t)))[:, None]
    g = np.linspace(-2.0, 2.0, 201)
    X, Y = np.meshgrid(g, g)
    Z = loss(X, Y)
    levels = [0.2, 0.5, 1.0, 2.0, 3.0]

    fig = Figure(figsize=(11, 5.4), layout="constrained")
    axes = fig.subplots(1, 2)
    for ax, name, boundary in (
        (axes[0], "L2", circle),
        (axes[1], "L1", diamond),
    ):
        best = _boundary_minimum(boundary, loss)
        cs = ax.contour(X, Y, Z, levels, colors="blue", alpha=0.8)
        ax.clabel(cs, inline=True, fontsize=8, fmt="%.1f")
        ax.contour(X, Y, Z, [loss(*best)], colors="blue", linewidths=2)
        if name == "L2":
            ax.add_patch(Circle((0, 0), radius, fill=False, color="red", linewidth=2))
        else:
            ax.plot(boundary[:, 0], boundary[:, 1], "r-", linewidth=2)
        ax.plot(a, b, "b*", markersize=12, label="loss optimum")
        ax.plot(
            *best,
            "ko",
            markersize=8,
            label=f"regularised optimum ({best[0]:.2f}, {best[1]:.2f})",
        )
        norm = "‖w‖₂" if name == "L2" else "‖w‖₁"
        ax.text(-1.85, 1.7, "blue: loss contours", color="blue", fontsize=9)
        ax.text(
            -1.85,
            1.45,
            f"red: {name} constraint ({norm} ≤ {radius:g})",
            color="red",
            fontsize=9,
        )
        ax.set(
            xlim=(-2, 2),
            ylim=(-2, 2),
            xlabel="w₁",
            ylabel="w₂",
            title=f"{name} regularisation",
            aspect="equal",
        )
        ax.axhline(0, color="k", alpha=0.3)
        ax.axvline(0, color="k", alpha=0.3)
        ax.grid(True, linestyle="--", alpha=0.5)
        ax.legend(loc="lower left", fontsize=8)
    fig.suptitle("L1 vs L2 regularisation: geometric interpretation")
    return fig

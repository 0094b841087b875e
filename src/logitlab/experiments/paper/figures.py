"""The paper's figures (Figs. 1–12), captioned with its numbering and this run's
numbers."""

from __future__ import annotations

from typing import Any

from logitlab.experiments.paper.config import SWEEPS, PaperConfig, pair_name
from logitlab.experiments.paper.targets import CHAINED, FRESH
from logitlab.pdf import CaptionedFigure
from logitlab.plots.images import weight_images
from logitlab.plots.paper_figures import curve_panels, lambda_curves, weight_grid


def _acc_curves(r: dict[str, Any], scale: float = 100.0) -> dict[str, list[float]]:
    return {
        "training": [scale * v for v in r["history.train_accuracy"]],
        "hold-out": [scale * v for v in r["history.validation_accuracy"]],
        "test": [scale * v for v in r["history.test_accuracy"]],
    }


def _loss_curves(r: dict[str, Any], train_key: str = "history.data_loss") -> dict:
    return {
        "training": r[train_key],
        "hold-out": r["history.validation_loss"],
        "test": r["history.test_loss"],
    }


def _step_curves(r: dict[str, Any]) -> dict:
    return {
        "training (the mini-batch)": r["steps.loss"],
        "hold-out": r["steps.validation_loss"],
        "test": r["steps.test_loss"],
    }


def figures(
    cfg: PaperConfig, results: dict[str, dict[str, Any]]
) -> list[CaptionedFigure]:
    """Every figure of the paper, captioned with its figure number."""
    pairs = [pair_name(d) for d in cfg.pairs]
    rf = CaptionedFigure
    out: list[CaptionedFigure] = []
    batch = {p: results[f"pair.{p}.batch"] for p in pairs}
    mini = {p: results[f"pair.{p}.minibatch"] for p in pairs}
    out.append(
        rf(
            curve_panels(
                {f"{p[0]} vs {p[2]}": _loss_curves(batch[p]) for p in pairs},
                ylabel="mean cross-entropy",
                title="Batch gradient descent",
            ),
            "Paper Fig. 1: cost per epoch of batch gradient descent (learning rate "
            f"{cfg.learning_rate}, {cfg.batch_epochs} epochs, zero start) on the "
            "training, hold-out and test sets.",
        )
    )
    out.append(
        rf(
            curve_panels(
                {f"{p[0]} vs {p[2]}": _step_curves(mini[p]) for p in pairs},
                ylabel="mean cross-entropy",
                xlabel="mini-batch update",
                title="Mini-batch gradient descent",
            ),
            "Paper Fig. 2: cost at every mini-batch update of mini-batch gradient "
            f"descent (batches of {cfg.minibatch_fraction:.0%} of the training set, "
            "so 10 or 11 updates per epoch: a last, smaller batch takes the rest, "
            f"which the paper's loop leaves out; {cfg.minibatch_epochs} epochs), as "
            "the paper's code records it: the training curve is each mini-batch's own "
            "cost, hence its noise; hold-out and test costs are over the whole sets, "
            "all at the weights the update starts from.",
        )
    )
    out.append(
        rf(
            curve_panels(
                {f"{p[0]} vs {p[2]}": _acc_curves(batch[p]) for p in pairs},
                ylabel="accuracy (%)",
                title="Accuracy, batch gradient descent",
            ),
            "Paper Fig. 3: percent correct per epoch on the three sets (batch GD). "
            "Final test accuracy: "
            + ", ".join(
                f"{p[0]} vs {p[2]} {100 * batch[p]['test_accuracy']:.2f}%"
                for p in pairs
            )
            + ".",
        )
    )
    weights = {f"{p[0]} vs {p[2]}": batch[p]["coef"] for p in pairs}
    if "diff_3v8" in results:
        d = results["diff_3v8"]
        weights["(2 vs 3) − (2 vs 8)"] = d["coef"]
    out.append(
        rf(
            weight_images(weights, title="Logistic-regression weights"),
            "Paper Fig. 4 (and its 'Fig. 8' of §2.4, the difference): weights as "
            "28×28 images; red pushes towards the second digit. The difference w(2v3) "
            "− w(2v8) scores '3 rather than 8'"
            + (
                f" and as a classifier gets {100 * d['test_accuracy']:.2f}% of the "
                f"test 3s and 8s right ({100 * d['test_accuracy_3s']:.1f}% of 3s, "
                f"{100 * d['test_accuracy_8s']:.1f}% of 8s; training set "
                f"{100 * d['train_accuracy']:.2f}%)."
                if "diff_3v8" in results
                else "."
            ),
        )
    )
    out.extend(_sweep_figures(cfg, results))
    out.extend(_softmax_figures(cfg, results))
    return out


def _penalty_name(penalty: str, method: str) -> str:
    """ "L1 (subgradient)", "L1 (proximal)" or "L2": the method matters for L1 only."""
    return "L2" if penalty == "l2" else f"L1 ({method})"


def _curve_end(name: str, r: dict[str, Any]) -> str:
    """What a sweep's curve shows: where it ends, and what early stopping kept."""
    test = r["history.test_accuracy"]
    return (
        f"{name}: the test curve ends at {100 * test[-1]:.1f}% after {len(test)} "
        f"epochs (lowest {100 * min(test):.1f}%, highest {100 * max(test):.1f}%); "
        f"early stopping kept epoch {r['best_epoch']} at "
        f"{100 * r['test_accuracy']:.1f}%"
    )


def _sweep_figures(cfg: PaperConfig, results: dict[str, dict[str, Any]]) -> list:
    rf = CaptionedFigure
    pair = f"{cfg.sweep_pair[0]} vs {cfg.sweep_pair[1]}"
    lams = list(cfg.lambdas)
    out = []
    for fig_no, (penalty, method) in ((5, SWEEPS[0]), (6, SWEEPS[1])):
        runs = {lam: results[f"sweep.{penalty}-{method}.{lam:g}"] for lam in lams}
        out.append(
            rf(
                curve_panels(
                    {f"λ = {lam:g}": _acc_curves(r) for lam, r in runs.items()},
                    ylabel="accuracy (%)",
                    columns=3,
                    marks={f"λ = {lam:g}": r["best_epoch"] for lam, r in runs.items()},
                    title=f"{penalty.upper()} regularisation, {pair}",
                    sharey=True,
                ),
                f"Paper Fig. {fig_no}: accuracy per epoch with "
                f"{_penalty_name(penalty, method)} for each λ, every panel on the "
                f"same y-axis; early stopping after {cfg.sweep_patience} "
                "consecutive rises of the hold-out error (the paper's rule), keeping "
                "the epoch with the best hold-out accuracy (dotted line).",
            )
        )
    big = {
        m: results[f"sweep.{p}-{m2}.{cfg.large_lambda:g}"]
        for m, (p, m2) in (("L1", SWEEPS[0]), ("L2", SWEEPS[1]))
    }
    out.append(
        rf(
            curve_panels(
                {
                    f"{k}, λ = {cfg.large_lambda:g}": _acc_curves(r)
                    for k, r in big.items()
                },
                ylabel="accuracy (%)",
                title="A very large λ",
            ),
            "Paper Fig. 7: accuracy per epoch with a very large λ = "
            f"{cfg.large_lambda:g} (L1 by subgradient, L2). "
            + "; ".join(_curve_end(k, r) for k, r in big.items())
            + ".",
        )
    )
    series = {}
    zero = {}
    test_acc = {}
    for penalty, method in SWEEPS:
        sweep = [results[f"sweep.{penalty}-{method}.{lam:g}"] for lam in lams]
        label = _penalty_name(penalty, method)
        series[f"{label}, ||w||₂"] = [r["l2_norm"] for r in sweep]
        series[f"{label}, ||w||₁"] = [r["l1_norm"] for r in sweep]
        zero[label] = [100 * r["zero_share"] for r in sweep]
        test_acc[label] = [100 * r["test_accuracy"] for r in sweep]
    out.append(
        rf(
            lambda_curves(
                lams,
                series,
                ylabel="length of the weight vector",
                title=f"Weight length against λ, {pair}",
                log_y=True,
            ),
            "Paper Fig. 8: length of the weight vector against λ; the paper's code "
            "plots the L1 norm sum|w| (np.sum(np.abs(w))), we show both norms.",
        )
    )
    out.append(
        rf(
            lambda_curves(
                lams,
                test_acc,
                ylabel="test accuracy (%)",
                title=f"Final test accuracy against λ, {pair}",
            ),
            "Paper Fig. 9: test accuracy of the weights early stopping kept, against "
            "λ.",
        )
    )
    out.append(
        rf(
            lambda_curves(
                lams,
                zero,
                ylabel="exactly-zero weights (%)",
                title="Share of exactly-zero weights",
            ),
            "Share of weights exactly 0 (no figure in the paper): the subgradient "
            "step λ·sign(w) makes weights oscillate around zero and leaves exact "
            "zeros only on pixels that are blank in every training image; the "
            "proximal soft-threshold sets weights to exactly 0 — L1's sparsity.",
        )
    )
    rows = {}
    for penalty, method in SWEEPS:
        rows["L2" if penalty == "l2" else f"L1 {method}"] = {
            f"λ={lam:g}": results[f"sweep.{penalty}-{method}.{lam:g}"]["coef"]
            for lam in lams
        }
    out.append(
        rf(
            weight_grid(rows, title=f"Weights per λ, {pair}"),
            "Paper Fig. 10: the weights as images for each λ (rows: L1 by "
            "subgradient as the paper, L2, L1 by the proximal step).",
        )
    )
    return out


def _softmax_figures(cfg: PaperConfig, results: dict[str, dict[str, Any]]) -> list:
    rf = CaptionedFigure
    lam = min(cfg.softmax_lambdas[0])
    final = results[f"softmax.l2.{lam:g}"]
    slow = results["softmax.slow"]
    out = [
        rf(
            curve_panels(
                {
                    f"L2, λ = {lam:g}": _loss_curves(final, "history.train_loss"),
                    f"η0 = {cfg.softmax_slow_eta0:g} (§3.4)": _loss_curves(
                        slow, "history.train_loss"
                    ),
                },
                ylabel="average cross-entropy per image",
                log_y=True,
                marks={f"L2, λ = {lam:g}": final["best_epoch"]},
                title="Softmax regression, loss",
            ),
            f"Paper Fig. 11a ({FRESH}): average cross-entropy per epoch of one run "
            f"from a seeded start (η0 = {cfg.softmax_eta0}, "
            f"η0/(1+t/{cfg.softmax_decay_T:g}), summed gradient, standard-normal "
            f"start; stopped at epoch {final['n_iter']}, kept epoch "
            f"{final['best_epoch']}). Right: the smaller initial rate of §3.4, "
            f"{cfg.softmax_slow_epochs} epochs without early stopping.",
        ),
        rf(
            curve_panels(
                {
                    f"L2, λ = {lam:g}": _acc_curves(final),
                    f"η0 = {cfg.softmax_slow_eta0:g} (§3.4)": _acc_curves(slow),
                },
                ylabel="accuracy (%)",
                marks={f"L2, λ = {lam:g}": final["best_epoch"]},
                title="Softmax regression, accuracy",
            ),
            f"Paper Fig. 11b ({FRESH}): percent correct per epoch. Kept weights: "
            f"hold-out {100 * final['holdout_accuracy']:.2f}%, test "
            f"{100 * final['test_accuracy']:.2f}%, the '{FRESH}' rows of the "
            "comparison table for the paper's 90.1% and 93.55%. Those two numbers "
            "come from the paper's λ search; its listed code's reading of it is "
            f"compared in the '{CHAINED}' rows.",
        ),
        rf(
            weight_grid(
                {
                    "weights": {str(k): final["coef"][k] for k in range(10)},
                    "class mean": {
                        str(k): results["class_means"]["means"][k] for k in range(10)
                    },
                },
                title="Softmax weights and average training images",
                signed_rows=["weights"],
                colorbar=True,
            ),
            f"Paper Fig. 12 ({FRESH}, the run of Fig. 11): each class's weights "
            "(first row, one colour scale for all ten) beside that class's "
            "average training image (second row). Pixels blank in every training "
            "image never receive a gradient and keep their random starting values, "
            "hence the speckle around the digits.",
        ),
    ]
    return out

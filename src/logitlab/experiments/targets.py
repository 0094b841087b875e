"""Every number the two reproduced documents publish, with where it stands in them.

The "document says / logitlab measured / difference" table of `logitlab reproduce` is
built from these records; `explanation` is printed only when the measured value differs
from the published one by more than noise (sampling error of the evaluation set plus
the rounding of the printed number).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

PAPER = "paper (002, Zhu & Guo)"
REPORT = "report (003, Montez)"


@dataclass(frozen=True)
class Target:
    """One published number: a fraction (accuracy, AUC...), a loss or a setting."""

    key: str  # the name under which results.json stores our measurement
    document: str
    where: str  # section / table / figure of the document
    what: str
    value: float | None  # None: the document states a claim without a number
    decimals: int  # printed precision: half a unit of the last digit is rounding
    kind: str = (
        "fraction"  # "fraction" (binomial noise on n samples) | "loss" | "setting"
    )
    explanation: str = ""  # why ours differs, shown only when the difference is real

    @property
    def rounding(self) -> float:
        return 0.5 * 10.0 ** (-self.decimals)


_PAIR_WHY = (
    "The paper's listed code does not follow its text: its loop stops once it has "
    "kept 20,000 images of the pair, which never happens, so it trained on every "
    "{pair} of the 60,000 training images (~12,000, not ~3,600) and tested on the "
    "first 2,000 pair images of the test set; the number of iterations is not stated. "
    "The pairs table shows our run on that data ('code's data')."
)
_SOFTMAX_CHAIN = (
    "Measured as the paper's listed code ran its λ search (§3.3 table, 'code' rows; "
    "it chose λ = {{{stem}.chain_lambda:g}}): its weights are never re-initialised, so "
    "each λ run continues from the previous run's final weights with the annealed "
    "rate restarted (L1 runs first, L2 after them), which trains far longer than one "
    "early-stopped run. A single fresh run of this setting (the text's reading) "
    "gives {{{stem}.single.holdout_accuracy:.2%}} hold-out and "
    "{{{stem}.single.test_accuracy:.2%}} test. The code's start is unseeded; the "
    "'seed' rows show how much a start alone moves the numbers."
)
_SOFTMAX_WHY = {
    stem: _SOFTMAX_CHAIN.format(stem=f"paper.softmax.{stem}")
    for stem in ("L2_1e-4", "L1_1e-4", "L2_5e-4", "L1_5e-4")
}
_HOLDOUT_WHY = (
    "The hold-out set is the first 2,000 training images, which the paper and we both "
    "find 3–5 points harder than the last 2,000 test images. "
)
_REPORT_SPLIT_WHY = (
    "The report gives no seed, fold shuffling or solver settings; lbfgs stops at "
    "scikit-learn's default 100 iterations before converging (ours too, see Table 1), "
    "so the exact numbers depend on those details."
)

PAPER_TARGETS: tuple[Target, ...] = (
    Target(
        "paper.pair_2v3.test_accuracy",
        PAPER,
        "§1, §4",
        "2 vs 3 logistic regr., test acc.",
        0.98,
        2,
        explanation=_PAIR_WHY.format(pair="2 and 3"),
    ),
    Target(
        "paper.pair_2v8.test_accuracy",
        PAPER,
        "§1",
        "2 vs 8 logistic regr., test acc.",
        0.97,
        2,
        explanation=_PAIR_WHY.format(pair="2 and 8"),
    ),
    Target(
        "paper.diff_3v8.accuracy",
        PAPER,
        "§2.4",
        "3 vs 8 by w(2v3)−w(2v8), test acc.",
        None,
        2,
    ),
    Target(
        "paper.softmax.L2_1e-4.holdout_accuracy",
        PAPER,
        "§3.3 (a)",
        "softmax L2 λ=1e-4, hold-out acc.",
        0.901,
        3,
        explanation=_HOLDOUT_WHY + _SOFTMAX_WHY["L2_1e-4"],
    ),
    Target(
        "paper.softmax.L2_1e-4.test_accuracy",
        PAPER,
        "§1, §3.3 (a)",
        "softmax L2 λ=1e-4, test acc.",
        0.9355,
        4,
        explanation=_SOFTMAX_WHY["L2_1e-4"],
    ),
    Target(
        "paper.softmax.L1_1e-4.holdout_accuracy",
        PAPER,
        "§3.3 (a)",
        "softmax L1 λ=1e-4, hold-out acc.",
        0.8945,
        4,
        explanation=_HOLDOUT_WHY + _SOFTMAX_WHY["L1_1e-4"],
    ),
    Target(
        "paper.softmax.L1_1e-4.test_accuracy",
        PAPER,
        "§3.3 (a)",
        "softmax L1 λ=1e-4, test acc.",
        0.9295,
        4,
        explanation=_SOFTMAX_WHY["L1_1e-4"],
    ),
    Target(
        "paper.softmax.L1_5e-4.holdout_accuracy",
        PAPER,
        "§3.3 (a)",
        "softmax L1 λ=5e-4, hold-out acc.",
        0.8845,
        4,
        explanation=_HOLDOUT_WHY + _SOFTMAX_WHY["L1_5e-4"],
    ),
    Target(
        "paper.softmax.L1_5e-4.test_accuracy",
        PAPER,
        "§3.3 (a)",
        "softmax L1 λ=5e-4, test acc.",
        0.929,
        3,
        explanation=_SOFTMAX_WHY["L1_5e-4"],
    ),
    Target(
        "paper.softmax.L2_5e-4.holdout_accuracy",
        PAPER,
        "§3.3 (a)",
        "softmax L2 λ=5e-4, hold-out acc.",
        0.8985,
        4,
        explanation=_HOLDOUT_WHY + _SOFTMAX_WHY["L2_5e-4"],
    ),
    Target(
        "paper.softmax.L2_5e-4.test_accuracy",
        PAPER,
        "§3.3 (a)",
        "softmax L2 λ=5e-4, test acc.",
        0.934,
        3,
        explanation=_SOFTMAX_WHY["L2_5e-4"],
    ),
    Target(
        "paper.softmax.lr_5e-4_300.test_accuracy",
        PAPER,
        "§3.4",
        "softmax η0=5e-4, 300 ep., test acc.",
        0.889,
        3,
        explanation=(
            "A single run from an unseeded start; the softmax table's 'seed' rows "
            "show the spread other starts give at the same number of epochs."
        ),
    ),
)

_REPORT_CLASS = (  # §3.3 Classification Report: digit, precision, recall, f1, support
    (0, 0.95, 0.97, 0.96, 980),
    (1, 0.96, 0.98, 0.97, 1135),
    (2, 0.92, 0.89, 0.90, 1032),
    (3, 0.90, 0.91, 0.91, 1010),
    (4, 0.94, 0.93, 0.93, 982),
    (5, 0.89, 0.87, 0.88, 892),
    (6, 0.94, 0.95, 0.95, 958),
    (7, 0.93, 0.92, 0.93, 1028),
    (8, 0.87, 0.88, 0.88, 974),
    (9, 0.91, 0.91, 0.91, 1009),
)


def _report_class_targets() -> tuple[Target, ...]:
    out: list[Target] = []
    for digit, precision, recall, f1, support in _REPORT_CLASS:
        for name, value in (("precision", precision), ("recall", recall), ("f1", f1)):
            out.append(
                Target(
                    f"report.class_{digit}.{name}",
                    REPORT,
                    "§3.3 report",
                    f"digit {digit} {name}",
                    value,
                    2,
                    explanation=_REPORT_SPLIT_WHY,
                )
            )
        out.append(
            Target(
                f"report.class_{digit}.support",
                REPORT,
                "§3.3 report",
                f"digit {digit} support",
                float(support),
                0,
                kind="setting",
                explanation="The support is a property of the MNIST test set.",
            )
        )
    return tuple(out)


REPORT_TARGETS: tuple[Target, ...] = (
    Target(
        "report.final.accuracy",
        REPORT,
        "Table 1",
        "logistic regr. accuracy",
        0.922,
        3,
        explanation=_REPORT_SPLIT_WHY,
    ),
    Target(
        "report.final.precision_weighted",
        REPORT,
        "Table 1",
        "precision (weighted avg.)",
        0.922,
        3,
        explanation=_REPORT_SPLIT_WHY,
    ),
    Target(
        "report.final.recall_weighted",
        REPORT,
        "Table 1",
        "recall (weighted avg.)",
        0.922,
        3,
        explanation=_REPORT_SPLIT_WHY,
    ),
    Target(
        "report.final.f1_weighted",
        REPORT,
        "Table 1",
        "F1 (weighted avg.)",
        0.922,
        3,
        explanation=_REPORT_SPLIT_WHY,
    ),
    Target(
        "report.final.precision_macro",
        REPORT,
        "§3.3 report",
        "precision, macro average",
        0.92,
        2,
        explanation=_REPORT_SPLIT_WHY,
    ),
    Target(
        "report.final.recall_macro",
        REPORT,
        "§3.3 report",
        "recall, macro average",
        0.92,
        2,
        explanation=_REPORT_SPLIT_WHY,
    ),
    Target(
        "report.final.f1_macro",
        REPORT,
        "§3.3 report",
        "F1, macro average",
        0.92,
        2,
        explanation=_REPORT_SPLIT_WHY,
    ),
    Target(
        "report.final.roc_auc_ovr",
        REPORT,
        "Table 1, §4",
        "ROC AUC (OvR, macro)",
        0.99,
        2,
        kind="score",
        explanation=_REPORT_SPLIT_WHY,
    ),
    Target(
        "report.final.log_loss",
        REPORT,
        "Table 1",
        "log loss",
        0.33,
        2,
        kind="loss",
        explanation=(
            "Log loss moves with the regularisation much more than accuracy does: our "
            "nested CV chose another C than the report's 0.59; Report Table 1 shows "
            "the same fit at C = 0.59 beside ours."
        ),
    ),
    Target(
        "report.nested_cv.best_C",
        REPORT,
        "§3.3",
        "best C (nested CV, all 6 folds)",
        0.59,
        2,
        kind="setting",
        explanation=(
            "Inner accuracy varies little with C here and rises as C falls, so the "
            "winner is the smallest candidate the sampler draws (the report: 'the "
            "smallest tested hyperparameter value won out'); with one seed for every "
            "fold all folds draw the same candidates, hence the unanimity. "
            "Log-uniform draws reach smaller C than the report's uniform ones, and "
            "our inner search sees a 10,000-image subset per fold (less data favours "
            "a smaller C) where the report used 50,000."
        ),
    ),
    Target(
        "report.compare.svm.accuracy",
        REPORT,
        "§3.2",
        "SVM accuracy",
        0.98,
        2,
        explanation=(
            "Our SVM is trained on a stratified subsample of --svm-train-size images "
            "(default 10,000; all 60,000 take many minutes on 2 cores) and an RBF SVM "
            "keeps gaining with more images. The report also leaves open whether its "
            "SVM saw standardised pixels, which suit an RBF kernel with gamma='scale' "
            "worse than raw [0, 1] pixels."
        ),
    ),
    Target(
        "report.compare.knn.accuracy",
        REPORT,
        "§3.2",
        "k-NN accuracy",
        0.95,
        2,
        explanation=(
            "The report does not say whether its k-NN saw standardised or raw pixels, "
            "nor its k; ours is scikit-learn's default k = 5 on standardised pixels."
        ),
    ),
    Target(
        "report.compare.logistic.accuracy",
        REPORT,
        "§3.2",
        "logistic regr. accuracy (§3.2)",
        0.92,
        2,
        explanation=_REPORT_SPLIT_WHY,
    ),
    Target(
        "report.compare.tree.accuracy",
        REPORT,
        "§3.2",
        "decision tree accuracy",
        0.86,
        2,
        explanation=(
            "The report states no settings for its tree (depth, split criterion, "
            "seed); ours is scikit-learn's default unpruned tree, whose accuracy also "
            "moves with its seed."
        ),
    ),
    *_report_class_targets(),
)

ALL_TARGETS: tuple[Target, ...] = PAPER_TARGETS + REPORT_TARGETS


@dataclass(frozen=True)
class Comparison:
    """One row of the table: the document's number beside ours."""

    target: Target
    measured: float | None
    noise: float  # the difference below which we call the two values equal

    @property
    def difference(self) -> float | None:
        if self.measured is None or self.target.value is None:
            return None
        return self.measured - self.target.value

    @property
    def beyond_noise(self) -> bool:
        diff = self.difference
        return diff is not None and abs(diff) > self.noise

    @property
    def note(self) -> str:
        if self.measured is None:
            return "not measured in this run"
        if self.target.value is None:
            return "the document gives no number"
        return self.target.explanation if self.beyond_noise else ""


def compare(
    targets: tuple[Target, ...], measured: dict[str, float], n_eval: dict[str, int]
) -> list[Comparison]:
    """Pair each target with our number; noise = 2 binomial s.e. + the print rounding.

    Placeholders `{key:spec}` in an explanation are filled from `measured`.

    `n_eval[key]` is the size of the set an accuracy-like number was measured on; a
    fraction measured on n samples has standard error sqrt(p(1-p)/n).
    """
    rows = []
    for target in targets:
        target = dataclasses.replace(
            target, explanation=_fill(target.explanation, measured)
        )
        value = measured.get(target.key)
        noise = target.rounding
        n = n_eval.get(target.key)
        if target.kind == "fraction" and n and value is not None:
            p = min(max(value, 1e-3), 1 - 1e-3)
            noise += 2.0 * (p * (1.0 - p) / n) ** 0.5
        rows.append(Comparison(target, None if value is None else float(value), noise))
    return rows


_FIELD = re.compile(r"\{([^{}:]+)(?::([^{}]*))?\}")


def _fill(text: str, measured: dict[str, float]) -> str:
    """`{key:spec}` in an explanation -> this run's `measured[key]` ("n/a" if absent),
    so explanations quote numbers measured now, never numbers typed in."""

    def one(match: re.Match[str]) -> str:
        value = measured.get(match.group(1))
        return "n/a" if value is None else format(value, match.group(2) or "")

    return _FIELD.sub(one, text)

"""Every number the report (003, Montez) publishes, with where it stands in it."""

from __future__ import annotations

import dataclasses

from logitlab.experiments.comparison import Target

REPORT = "report (003, Montez)"

_REPORT_SPLIT_WHY = (
    "The report gives no seed, fold shuffling or solver settings; lbfgs stops at "
    "scikit-learn's default 100 iterations before converging (ours too, see Table 1), "
    "so the exact numbers depend on those details."
)

REPORT_CLASS = (  # §3.3 Classification Report: digit, precision, recall, f1, support
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
    for digit, precision, recall, f1, support in REPORT_CLASS:
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


_TARGETS: tuple[Target, ...] = (
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
            "With one seed for every fold, all {report.nested_cv.n_folds:.0f} folds "
            "draw the same {report.nested_cv.n_candidates:.0f} candidates, here C "
            "from {report.nested_cv.candidates_low:.3g} to "
            "{report.nested_cv.candidates_high:.3g}: the sampler misses every C "
            "below the report's 0.59 in that many draws with probability "
            "{report.nested_cv.none_below_report_C:.0%}, and their inner accuracies "
            "lie within {report.nested_cv.inner_spread:.4f} of each other. The "
            "smallest "
            "candidate won {report.nested_cv.smallest_wins:.0f} of the folds (the "
            "report: 'the smallest tested hyperparameter value won out', in all 6). "
            "--c-sampler loguniform draws "
            "{report.nested_cv.loguniform_below_report_C:.0%} of its C below 0.59."
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
            "By default our SVM sees a stratified 10,000 of the standardised images "
            "(all 60,000 take many minutes on 2 cores); an RBF SVM keeps gaining "
            "with more images, and standardised pixels suit its gamma='scale' worse "
            "than raw [0, 1] pixels. The report leaves both open; "
            "--svm-train-size 60000 --svm-pixels raw runs it as the 0.98 suggests "
            "(README: its accuracy and time measured)."
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

REPORT_SPLIT = "report split: 60,000 train / 10,000 test, pixels /255 then standardised"
_READINGS = {  # key prefix -> the reading of the report each row follows
    "report.final.": "text: lbfgs at the nested CV's C",
    "report.class_": "text: lbfgs at the nested CV's C",
    "report.nested_cv.": "text: nested CV, 6 folds",
    "report.compare.logistic.": "text: lbfgs at the nested CV's C",
    "report.compare.svm.": "SVC() defaults; --svm-* flags",
    "report.compare.knn.": "k-NN, scikit-learn's k = 5",
    "report.compare.tree.": "scikit-learn's default tree",
}


def _with_reading(t: Target) -> Target:
    reading = next(r for prefix, r in _READINGS.items() if t.key.startswith(prefix))
    return dataclasses.replace(t, reading=reading, protocol=REPORT_SPLIT)


REPORT_TARGETS: tuple[Target, ...] = tuple(_with_reading(t) for t in _TARGETS)

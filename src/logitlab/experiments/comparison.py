"""Published numbers beside measured ones: the records and the comparison rule.

Each document's numbers are listed in its package (`paper.targets`, `report.targets`);
the "document says / logitlab measured / difference" table of `logitlab reproduce` is
built from these records; `explanation` is printed only when the measured value differs
from the published one by more than noise (sampling error of the evaluation set plus
the rounding of the printed number).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass


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
    # which reading of the document the measurement follows ("listed code, chained
    # search", "text, fresh start", ...) and on which data ("paper split", ...)
    reading: str = ""
    protocol: str = ""

    @property
    def rounding(self) -> float:
        return 0.5 * 10.0 ** (-self.decimals)


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

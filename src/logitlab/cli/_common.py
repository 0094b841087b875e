"""What the commands share: model loading, class names, JSON output.

Exit codes: a bad *value* — a negative or non-numeric learning rate, a folder that does
not exist, a missing or corrupt file — is bad input: one line on stderr, exit 1 (as
every `LogitlabError`). A malformed *command line* — an unknown option, a missing
argument, contradictory flags — stays click's usage error with exit 2.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, Literal

from logitlab.errors import ModelFileError

N_PIXELS = 28 * 28
TaskKind = Literal["pair", "ovr", "multiclass"]


def load_checked_model(path: str | os.PathLike[str]) -> Any:
    """`load_model`, refusing weights that cannot take a 28×28 image."""
    from logitlab.persistence import load_model

    est = load_model(path)
    if est.n_features_in_ != N_PIXELS:
        raise ModelFileError(
            f"{path}: the model has {est.n_features_in_} weights per class but the "
            f"images have {N_PIXELS} pixels (28×28)"
        )
    return est


def model_digits(est: Any, digits: tuple[int, ...] | None) -> tuple[int, ...]:
    """The classes a model separates: `digits` if given, else its file's, else 0 and 1.

    A guide-layout file (only `w`, `b`) says nothing; the homework's pair 0 vs 1 is the
    natural reading, and `--digits` overrides it.
    """
    if digits:
        return tuple(digits)
    stored = est.metadata_.get("digits")
    if stored:
        return tuple(int(d) for d in stored)
    return tuple(range(len(est.classes_))) if len(est.classes_) > 2 else (0, 1)


def task_kind(
    est: Any, digits: tuple[int, ...], path: str | os.PathLike[str]
) -> TaskKind:
    """pair, ovr or multiclass, checked against the model's classes."""
    kinds: dict[int, TaskKind] = {1: "ovr", 2: "pair", 10: "multiclass"}
    kind = kinds.get(len(digits))
    classes = est.classes_.tolist()
    if kind is None or classes != list(range(10 if kind == "multiclass" else 2)):
        raise ModelFileError(
            f"{path}: the model's classes {classes} fit no task of digits "
            f"{list(digits)}; a task has 2 classes (a pair or one-vs-rest) or all 10"
        )
    return kind


def class_names(dataset: str, kind: str, digits: tuple[int, ...]) -> list[str]:
    """Display names of labels 0, 1, ... (as `make_task` names them)."""
    from logitlab.data.mnist import CLASS_NAMES

    names = CLASS_NAMES[dataset]
    if kind == "ovr":
        return [f"not {names[digits[0]]}", names[digits[0]]]
    return [names[d] for d in digits]


def to_json(value: Any) -> str:
    """JSON with NaN (an undefined AUC) as null, so strict readers accept it."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v

    return json.dumps(clean(value), indent=2)

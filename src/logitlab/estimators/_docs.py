"""The estimators' shared docstring parts, written once (scikit-learn's habit too).

Both estimators take the same hyperparameters; their numpydoc `Parameters` section is
made from `logitlab.hyperparameters` (which also gives the scikit-learn constraints
and `logitlab train`'s options) and put into each class docstring where it says
{parameters} (and the shared attributes where it says {attributes}).
"""

from __future__ import annotations

import textwrap
from typing import TypeVar

from logitlab.hyperparameters import numpydoc_parameters

T = TypeVar("T")

PARAMETERS = numpydoc_parameters()  # from the one table of hyperparameters

ATTRIBUTES = """\
classes_ : ndarray of shape (n_classes,)
    The class labels, sorted; column j of `predict_proba` is classes_[j].
n_features_in_ : int
    Number of features seen in `fit`.
n_iter_ : int
    Epochs `fit` ran (then one more per `partial_fit` call).
history_ : dict of str to list of float
    Per epoch, measured on the weights at the END of each epoch: "epoch", "loss"
    (the objective), "data_loss", "learning_rate", "time" (seconds since the fit
    started, less the time spent scoring eval sets), "train_accuracy", and
    f"{name}_loss" / f"{name}_accuracy" for each eval set.
step_history_ : dict of str to list of float
    With `record_steps`, per step: "step", "loss" (the batch's) and each eval set's
    loss and accuracy at the weights the step starts from; else {}.
snapshots_ : dict of int to (ndarray, ndarray)
    (coef_, intercept_) after each epoch of `snapshot_epochs`.
best_epoch_ : int or None
    With early stopping, the epoch whose weights were returned; else None.
initial_loss_ : float
    The objective at the initial weights (the guide's losses[0])."""


def _indented(text: str, indent: str) -> str:
    return textwrap.indent(text, indent).lstrip()


def fill_doc(obj: T) -> T:
    """Put the shared parts into `obj`'s docstring where it says {parameters} and
    {attributes} (each marker alone on its line, indented as the text should be)."""
    doc = obj.__doc__ or ""
    for marker, text in {
        "{parameters}": PARAMETERS,
        "{attributes}": ATTRIBUTES,
    }.items():
        for line in doc.splitlines():
            if line.strip() == marker:
                indent = line[: len(line) - len(line.lstrip())]
                doc = doc.replace(line, indent + _indented(text, indent))
    obj.__doc__ = doc
    return obj

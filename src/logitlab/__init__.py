"""logitlab: logistic and softmax regression on handwritten digits, from scratch.

Where things live: `logitlab.data` (where data enters), `logitlab.models` (the model
math: sigmoid, softmax, losses, penalties), `logitlab.backends` (a data set as the
optimiser sees it), `logitlab.optim` (the optimiser), `logitlab.estimators` (the
scikit-learn estimators),
`logitlab.plots` and `logitlab.pdf` (figures and PDFs), `logitlab.experiments` (the
homework and the reproduced documents), `logitlab.cli` (the `logitlab` command).

The names below are imported on first use (PEP 562), so `import logitlab` — and the
command line's signal handlers, installed before anything heavy — cost nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "load_dataset": "logitlab.data",
    "load_mnist": "logitlab.data",
    "LogisticRegressionGD": "logitlab.estimators",
    "SoftmaxRegressionGD": "logitlab.estimators",
    "load_model": "logitlab.persistence",
    "save_model": "logitlab.persistence",
}

if TYPE_CHECKING:
    from logitlab.data import load_dataset, load_mnist
    from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD
    from logitlab.persistence import load_model, save_model


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'logitlab' has no attribute {name!r}")


__all__ = [
    "LogisticRegressionGD",
    "SoftmaxRegressionGD",
    "__version__",
    "load_dataset",
    "load_mnist",
    "load_model",
    "save_model",
]

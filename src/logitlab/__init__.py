"""logitlab: logistic and softmax regression on handwritten digits, from scratch.

Where things live: `logitlab.data` (where data enters), `logitlab.models` (the model
math: sigmoid, softmax, losses, penalties), `logitlab.backends` (a data set as the
optimiser sees it), `logitlab.optim` (the optimiser), `logitlab.estimators` (the
scikit-learn estimators),
`logitlab.plots` and `logitlab.pdf` (figures and PDFs), `logitlab.experiments` (the
homework and the reproduced documents), `logitlab.cli` (the `logitlab` command).

The names below are loaded on first use (PEP 562), so `import logitlab.cli` — and with
it `logitlab --help` and every shell-completion TAB — does not pay for scikit-learn, and
the command line's signal handlers go in before anything heavy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from logitlab.data import load_dataset, load_mnist
    from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD
    from logitlab.persistence import load_model, save_model

_HOME = {
    "LogisticRegressionGD": "logitlab.estimators",
    "SoftmaxRegressionGD": "logitlab.estimators",
    "load_dataset": "logitlab.data",
    "load_mnist": "logitlab.data",
    "load_model": "logitlab.persistence",
    "save_model": "logitlab.persistence",
}

__all__ = [
    "LogisticRegressionGD",
    "SoftmaxRegressionGD",
    "__version__",
    "load_dataset",
    "load_mnist",
    "load_model",
    "save_model",
]


def __getattr__(name: str) -> Any:
    """Import the public name's module on first access (PEP 562)."""
    if name not in _HOME:
        raise AttributeError(f"module 'logitlab' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

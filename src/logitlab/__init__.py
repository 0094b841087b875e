"""logitlab: logistic and softmax regression on handwritten digits, from scratch.

Where things live: `logitlab.data` (where data enters), `logitlab.models` (the model
math: sigmoid, softmax, losses, penalties), `logitlab.backends` (a data set as the
optimiser sees it), `logitlab.optim` (the optimiser), `logitlab.estimators` (the
scikit-learn estimators),
`logitlab.plots` and `logitlab.pdf` (figures and PDFs), `logitlab.experiments` (the
homework and the reproduced documents), `logitlab.cli` (the `logitlab` command).
"""

__version__ = "0.1.0"  # before the imports: submodules read it while loading

from logitlab.data import load_dataset, load_mnist
from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD
from logitlab.persistence import load_model, save_model

__all__ = [
    "LogisticRegressionGD",
    "SoftmaxRegressionGD",
    "__version__",
    "load_dataset",
    "load_mnist",
    "load_model",
    "save_model",
]

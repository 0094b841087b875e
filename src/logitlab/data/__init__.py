"""The data layer: canonical MNIST / Fashion-MNIST, verified and cached, and tasks."""

from logitlab.data.mnist import DATASETS, DatasetSplit, load_dataset, load_mnist

__all__ = ["DATASETS", "DatasetSplit", "load_dataset", "load_mnist"]

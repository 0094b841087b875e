"""The compiled objective: the C kernel (`_fused.c`) over X prepared once per fit."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from logitlab.backends import kernels
from logitlab.errors import LogitlabError
from logitlab.models.losses import Family

Array = NDArray[Any]


def available() -> bool:
    """True when the C kernel is built and not switched off (LOGITLAB_COMPILED=0)."""
    return kernels.compiled_available()


def worth_it(X: Any, sample_weight: Array | None) -> bool:
    """True when the compiled kernel is available, applies to X and pays off."""
    return (
        available()
        and sample_weight is None
        and isinstance(X, np.ndarray)
        and X.ndim == 2
        and X.dtype in (np.float32, np.float64)
        and kernels.worth_preparing(X)
    )


class CompiledObjective:
    """`Objective` by the C kernel: X's sparse form is made once, here; the targets
    at the first call (the multinomial ones as wide as W)."""

    def __init__(
        self,
        family: Family,
        X: Any,
        labels: Array,
        *,
        sample_weight: Array | None = None,
        n_jobs: int | None = None,
    ) -> None:
        if not available():
            raise LogitlabError(
                "logitlab's compiled kernel is not built (no C compiler at install) "
                "or switched off (LOGITLAB_COMPILED=0)"
            )
        if sample_weight is not None:
            raise LogitlabError("the compiled kernel takes no sample weights")
        self.family = family
        self.labels = np.asarray(labels)
        self.n_samples = int(X.shape[0])
        self.design = kernels.Design(
            np.asarray(X),
            dense_column=kernels.ALL_SPARSE,
            min_block_rows=kernels._MIN_BLOCK_ROWS_C,
        )
        self._kernel: kernels.FullBatchKernel | None = None

    def _for(self, W: Array) -> kernels.FullBatchKernel:
        binary = self.family.name == "binary"
        k = None if binary else W.shape[1]
        if self._kernel is None or (k is not None and self._kernel.Y.shape[1] != k):
            self._kernel = kernels.FullBatchKernel(
                self.design, self.labels, k, binary=binary, compiled=True
            )
        return self._kernel

    def loss_grad(self, W: Array, b: Any) -> tuple[float, Array, Any]:
        """(mean loss, dL/dW, dL/db)."""
        return self._for(W).loss_grad(W, b)

    def loss_accuracy(self, W: Array, b: Any) -> tuple[float, float]:
        """(mean loss, accuracy), forward pass only."""
        return self._for(W).loss_accuracy(W, b)

    def loss_grad_accuracy(self, W: Array, b: Any) -> tuple[float, Array, Any, float]:
        """`loss_grad` and the accuracy from one pass."""
        return self._for(W).loss_grad_accuracy(W, b)

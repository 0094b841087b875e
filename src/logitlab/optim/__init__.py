"""The gradient-descent engine behind both estimators: batches, schedules, stopping."""

from logitlab.optim.descent import (
    DescentConfig,
    DescentResult,
    EvalSet,
    descend,
    descend_pass,
)
from logitlab.optim.steps import StepState

__all__ = [
    "DescentConfig",
    "DescentResult",
    "EvalSet",
    "StepState",
    "descend",
    "descend_pass",
]

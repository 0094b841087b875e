"""The gradient-descent engine behind both estimators: batches, schedules, stopping."""

from logitlab.optim.descent import DescentConfig, DescentResult, EvalSet, descend

__all__ = ["DescentConfig", "DescentResult", "EvalSet", "descend"]

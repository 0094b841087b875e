"""Logistic and softmax regression from scratch, as scikit-learn estimators.

Both estimators take the same keyword-only parameters:

- optimiser: learning_rate (η0), max_iter (epochs), batch_size (None full batch, k
  mini-batch, 1 SGD; reshuffled each epoch), momentum, nesterov, momentum_schedule
  ("constant": μ = momentum; "accelerated": Nesterov's μ_k = (k-1)/(k+2) at step k,
  FISTA with the proximal L1 step; momentum/nesterov unused), schedule ("constant",
  "invscaling" η0/(1+t/T), "step", "exponential", "line_search"), decay_steps (T, or the
  step length in epochs), decay_rate (factor for step/exponential; shrink factor of the
  line search)
- objective: loss_scale ("mean" | "sum"), penalty (None | "l2" | "l1" | "elasticnet"),
  alpha, l1_ratio, l1_method ("proximal" soft-threshold | "subgradient"), fit_intercept
- stopping: tol (None: run max_iter epochs), stopping ("loss": |Δloss| < tol,
  "gradient": max|grad| <= tol), early_stopping, early_stopping_metric ("error" =
  1 - accuracy, or "loss" on the validation set), patience, validation_fraction
- other: snapshot_epochs, record_steps (also record every step: the batch's loss and
  each eval set's, in `step_history_`), warm_start (start from the last fit's weights;
  the schedule, momentum and history start afresh), init ("zeros" | "normal"), dtype
  ("float64" | "float32"), random_state, verbose (k > 0: a line "Epoch e, Loss: ..."
  every k epochs, as the homework's loop prints)
"""

from logitlab.estimators.logistic import LogisticRegressionGD
from logitlab.estimators.softmax import SoftmaxRegressionGD

__all__ = ["LogisticRegressionGD", "SoftmaxRegressionGD"]

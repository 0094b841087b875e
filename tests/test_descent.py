"""The engine through the estimators: conventions, options, stopping."""

from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from logitlab.backends import compiled
from logitlab.data.tasks import make_task, standardize
from logitlab.errors import DivergenceError
from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD
from logitlab.models.functions import binary_cross_entropy_clipped, sigmoid_two_branch
from logitlab.models.losses import binary_loss_grad, multinomial_loss_grad
from logitlab.optim.early_stopping import EarlyStopping


@pytest.fixture(scope="module")
def blobs():
    """A small noisy binary problem (overlapping classes, so nothing is separable)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=1.0, size=200) > 0).astype(int)
    return X, y


def _guide_loop(X, y, learning_rate, max_iter, lambda_reg, tol):
    """The guide's `gradient_descent` in substance (loss BEFORE each update)."""
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for iteration in range(max_iter):
        y_pred = sigmoid_two_branch(X @ w + b)
        loss = binary_cross_entropy_clipped(y, y_pred) + lambda_reg * 0.5 * np.sum(w**2)
        losses.append(loss)
        if iteration > 0 and abs(losses[-1] - losses[-2]) < tol:
            break
        grad_w = X.T @ (y_pred - y) / X.shape[0] + lambda_reg * w
        w = w - learning_rate * grad_w
        b = b - learning_rate * np.mean(y_pred - y)
    return w, b, losses


def test_history_convention_reproduces_the_guides_loop(blobs):
    X, y = blobs
    w, b, losses = _guide_loop(X, y, 0.5, 40, 0.01, tol=0.0)
    # 40 iterations = 40 updates = 40 epochs; its losses[i] is the loss after i updates
    clf = LogisticRegressionGD(learning_rate=0.5, max_iter=40, penalty="l2", alpha=0.01)
    clf.fit(X, y)
    np.testing.assert_allclose(clf.coef_[0], w, rtol=1e-10)
    assert clf.intercept_[0] == pytest.approx(b, rel=1e-10)
    assert clf.initial_loss_ == pytest.approx(losses[0], rel=1e-12)
    np.testing.assert_allclose(clf.history_["loss"][:-1], losses[1:], rtol=1e-10)


def test_loss_tolerance_stops_where_the_guide_stops(blobs):
    X, y = blobs
    w, _, losses = _guide_loop(X, y, 0.5, 1000, 0.0, tol=1e-6)
    clf = LogisticRegressionGD(learning_rate=0.5, max_iter=1000, tol=1e-6).fit(X, y)
    assert clf.n_iter_ == len(losses) - 1
    np.testing.assert_allclose(clf.coef_[0], w, rtol=1e-10)


def test_sum_loss_is_the_mean_loss_with_rate_times_n(blobs):
    X, y = blobs
    n = len(y)
    common = dict(max_iter=15, penalty="l2", momentum=0.5)
    summed = LogisticRegressionGD(
        learning_rate=1e-3, loss_scale="sum", alpha=2.0, **common
    )
    mean = LogisticRegressionGD(learning_rate=1e-3 * n, alpha=2.0 / n, **common)
    summed.fit(X, y)
    mean.fit(X, y)
    np.testing.assert_allclose(summed.coef_, mean.coef_, rtol=1e-9)
    np.testing.assert_allclose(
        np.array(summed.history_["loss"]) / n, mean.history_["loss"]
    )


@pytest.mark.parametrize(
    "options",
    [
        dict(batch_size=16, momentum=0.9, nesterov=True),
        dict(batch_size=1, schedule="invscaling", learning_rate=0.05),
        dict(
            batch_size=32,
            schedule="line_search",
            learning_rate=5.0,
            penalty="l1",
            alpha=0.01,
        ),
        dict(
            init="normal",
            schedule="step",
            decay_steps=2,
            penalty="elasticnet",
            alpha=0.01,
        ),
    ],
)
def test_snapshots_equal_separate_runs_stopped_there(blobs, options):
    X, y = blobs
    full = LogisticRegressionGD(
        max_iter=8, snapshot_epochs=(3, 8), random_state=7, **options
    )
    full.fit(X, y)
    for epoch in (3, 8):
        short = LogisticRegressionGD(max_iter=epoch, random_state=7, **options).fit(
            X, y
        )
        np.testing.assert_array_equal(full.snapshots_[epoch][0], short.coef_)
        np.testing.assert_array_equal(full.snapshots_[epoch][1], short.intercept_)
    assert full.history_["loss"][-1] < full.initial_loss_


@pytest.mark.parametrize("batch_size", [None, 20, 1])
@pytest.mark.parametrize("schedule", ["constant", "exponential", "line_search"])
def test_every_option_combination_learns(blobs, batch_size, schedule):
    X, y = blobs
    clf = SoftmaxRegressionGD(
        learning_rate=0.1, batch_size=batch_size, schedule=schedule, decay_rate=0.9,
        momentum=0.5, max_iter=5, random_state=0, penalty="l2", alpha=1e-3,
    ).fit(X, y)  # fmt: skip
    assert clf.history_["loss"][-1] < 0.95 * clf.initial_loss_
    assert clf.score(X, y) > 0.7


def test_line_search_full_batch_never_increases_the_loss(blobs):
    X, y = blobs
    clf = LogisticRegressionGD(schedule="line_search", learning_rate=100.0, max_iter=30)
    clf.fit(X, y)
    losses = np.array([clf.initial_loss_, *clf.history_["loss"]])
    assert np.all(np.diff(losses) <= 1e-12)
    assert min(clf.history_["learning_rate"]) < 100.0  # it did backtrack


def test_gradient_tolerance_means_a_small_gradient(blobs):
    X, y = blobs
    clf = LogisticRegressionGD(
        learning_rate=1.0, tol=1e-5, stopping="gradient", max_iter=5000
    )
    clf.fit(X, y)
    _, gw, gb = binary_loss_grad(X, y.astype(float), clf.coef_[0], clf.intercept_[0])
    assert max(np.abs(gw).max(), abs(gb)) <= 1e-5
    assert clf.n_iter_ < 5000


def test_epoch_limit_with_tolerance_warns(blobs):
    X, y = blobs
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        LogisticRegressionGD(max_iter=3, tol=1e-12).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegressionGD(max_iter=3).fit(X, y)  # no tol asked: no warning


def test_early_stopping_restores_the_best_epoch():
    rng = np.random.default_rng(1)
    # few noisy samples, many features: training keeps improving, validation does not
    X = rng.normal(size=(150, 60))
    y = (X[:, 0] + rng.normal(scale=2.0, size=150) > 0).astype(int)
    X_val, y_val = X[100:], y[100:]
    clf = LogisticRegressionGD(
        learning_rate=0.5, max_iter=300, early_stopping=True, patience=5,
        snapshot_epochs=tuple(range(1, 301)),
    ).fit(X[:100], y[:100], eval_set=[("validation", X_val, y_val)])  # fmt: skip
    error = 1 - np.array(clf.history_["validation_accuracy"])
    assert clf.best_epoch_ == int(np.argmin(error)) + 1
    assert clf.n_iter_ == clf.best_epoch_ + 5 < 300
    np.testing.assert_array_equal(clf.coef_, clf.snapshots_[clf.best_epoch_][0])
    assert clf.score(X_val, y_val) == pytest.approx(1 - error.min())
    assert clf.history_["train_accuracy"][-1] >= clf.history_["train_accuracy"][0]


@pytest.mark.parametrize("rule, stop", [("no_improvement", 4), ("rises", 7)])
def test_the_two_early_stopping_rules_count_patience_their_own_way(rule, stop):
    """A plateau counts for the default rule; the paper's counts only rises IN A
    ROW, so a fall between two rises starts its count again."""
    errors = [0.5, 0.4, 0.4, 0.45, 0.44, 0.46, 0.47, 0.3]
    early = EarlyStopping(patience=2, rule=rule)
    epoch = next(
        e for e, err in enumerate(errors, 1) if early.update(e, err, lambda: "w")
    )
    assert (epoch, early.best_epoch, early.best_score) == (stop, 2, 0.4)


def test_early_stopping_holds_out_a_validation_fraction(blobs):
    X, y = blobs
    clf = SoftmaxRegressionGD(
        early_stopping=True, validation_fraction=0.2, max_iter=50, random_state=0
    ).fit(X, y, eval_set=[("test", X, y)])
    assert {"validation_loss", "validation_accuracy", "test_loss"} <= set(clf.history_)
    assert 1 <= clf.best_epoch_ <= clf.n_iter_ <= 50
    assert all(len(v) == clf.n_iter_ for v in clf.history_.values())


def test_eval_sets_are_scored_on_the_returned_weights(blobs):
    X, y = blobs
    clf = SoftmaxRegressionGD(max_iter=10).fit(
        X[:150], y[:150], eval_set=[("test", X[150:], y[150:])]
    )
    assert clf.history_["epoch"] == list(range(1, 11))
    assert clf.history_["test_accuracy"][-1] == pytest.approx(
        clf.score(X[150:], y[150:])
    )
    assert clf.history_["train_accuracy"][-1] == pytest.approx(
        clf.score(X[:150], y[:150])
    )
    assert np.all(np.diff(clf.history_["time"]) >= 0)


def test_a_huge_learning_rate_raises_divergence_naming_it(mnist):
    task = make_task(mnist, kind="pair", digits=(2, 3), n_train=2000)
    clf = LogisticRegressionGD(learning_rate=1e6, max_iter=10)
    with pytest.raises(DivergenceError, match=r"learning_rate=1e\+06.*smaller"):
        clf.fit(task.X_train, task.y_train)
    assert not hasattr(clf, "coef_")  # nothing half-fitted, no NaN weights left behind


def test_float32_stays_float32(blobs):
    X, y = blobs
    for cls in (LogisticRegressionGD, SoftmaxRegressionGD):
        clf = cls(dtype="float32", max_iter=20, batch_size=50, random_state=0).fit(X, y)
        ref = cls(max_iter=20, batch_size=50, random_state=0).fit(X, y)
        assert clf.coef_.dtype == np.float32 and clf.intercept_.dtype == np.float32
        assert clf.predict_proba(X).dtype == np.float32
        np.testing.assert_allclose(clf.coef_, ref.coef_, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("cls", [LogisticRegressionGD, SoftmaxRegressionGD])
def test_probabilities_sum_to_one_and_argmax_is_predict(blobs, cls):
    X, y = blobs
    clf = cls(max_iter=20).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-12)
    assert np.abs(clf.decision_function(X * 1e4)).max() > 1e3  # huge logits ...
    assert np.all(np.isfinite(clf.predict_log_proba(X * 1e4)))  # ... finite, no warning


def test_verbose_prints_the_homework_line_every_k_epochs(blobs, capsys):
    X, y = blobs
    clf = LogisticRegressionGD(learning_rate=0.1, max_iter=6, verbose=2)
    clf.fit(X, y, eval_set=[("test", X[:50], y[:50])])
    lines = capsys.readouterr().err.strip().splitlines()
    h = clf.history_
    assert lines == [
        f"Epoch {e}, Loss: {h['loss'][e - 1]:.4f}, test loss: "
        f"{h['test_loss'][e - 1]:.4f}"
        for e in (2, 4, 6)
    ]


needs_compiled = pytest.mark.skipif(
    not compiled.available(), reason="compiled kernel not built or LOGITLAB_COMPILED=0"
)


@pytest.fixture(scope="module")
def standardised_digits(mnist):
    """Three digits, standardised: every column has its own background value m_j."""
    task = make_task(mnist, kind="multiclass", n_train=1500, n_test=500)
    keep, keep_test = task.y_train < 3, task.y_test < 3
    _, X, X_test = standardize(task.X_train[keep], task.X_test[keep_test])
    return X, task.y_train[keep], X_test, task.y_test[keep_test]


class _CountingKernel(compiled.CompiledObjective):
    built = 0

    def __init__(self, *args, **kwargs):
        type(self).built += 1
        super().__init__(*args, **kwargs)


@needs_compiled
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("multiclass", [False, True])
@pytest.mark.parametrize(
    "options",
    [
        dict(schedule="line_search", learning_rate=10.0, penalty="l2", alpha=1e-3),
        dict(momentum_schedule="accelerated", penalty="l1", alpha=1e-3),
        dict(momentum=0.9, nesterov=True, tol=1e-9, stopping="gradient"),
    ],
)
def test_the_kernel_engine_equals_the_reference_engine(
    standardised_digits, monkeypatch, dtype, multiclass, options
):
    X, y, X_test, y_test = standardised_digits
    if not multiclass:
        X, y, X_test, y_test = (
            X[y < 2],
            y[y < 2],
            X_test[y_test < 2],
            y_test[y_test < 2],
        )
    cls = SoftmaxRegressionGD if multiclass else LogisticRegressionGD
    monkeypatch.setattr(compiled, "CompiledObjective", _CountingKernel)
    fits = {}
    for min_size in (0, X.size + X_test.size + 1):  # everything prepared, nothing
        monkeypatch.setattr(compiled, "_MIN_SIZE", min_size)
        _CountingKernel.built = 0
        clf = cls(max_iter=12, dtype=dtype, **options)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # tol=1e-9 not reached
            fits[min_size] = clf.fit(X, y, eval_set=[("test", X_test, y_test)])
        assert _CountingKernel.built == (2 if min_size == 0 else 0)  # train, test
    fast, plain = fits.values()
    rtol = 1e-10 if dtype == "float64" else 1e-4
    for key in ("loss", "data_loss", "learning_rate", "test_loss"):
        np.testing.assert_allclose(fast.history_[key], plain.history_[key], rtol=rtol)
    for key in ("train_accuracy", "test_accuracy"):
        np.testing.assert_allclose(
            fast.history_[key],
            plain.history_[key],
            atol=0 if dtype == "float64" else 2e-3,
        )
    scale = np.abs(plain.coef_).max()
    np.testing.assert_allclose(fast.coef_, plain.coef_, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(fast.intercept_, plain.intercept_, rtol=rtol, atol=rtol)
    assert fast.coef_.dtype == np.dtype(dtype)


class _PassCountingKernel(compiled.CompiledObjective):
    passes: ClassVar[dict[str, int]] = {}

    def _epoch(self, W, b, backward):
        key = ("train " if self.n_samples > 400 else "test ") + (
            "backward" if backward else "forward"
        )
        self.passes[key] = self.passes.get(key, 0) + 1
        return super()._epoch(W, b, backward)


@needs_compiled
@pytest.mark.parametrize(
    ("options", "train_backward", "train_forward"),
    [
        ({}, 13, 0),  # initial + 12 end-of-epoch measures give every gradient
        ({"momentum": 0.9, "nesterov": True}, 13, 0),
        ({"momentum_schedule": "accelerated"}, 12, 13),  # look-ahead gradients
    ],
)
def test_one_pass_per_epoch(
    standardised_digits, monkeypatch, options, train_backward, train_forward
):
    """The end-of-epoch measure's pass also gives the next epoch's gradient."""
    X, y, X_test, y_test = standardised_digits
    monkeypatch.setattr(compiled, "CompiledObjective", _PassCountingKernel)
    monkeypatch.setattr(compiled, "_MIN_SIZE", 0)
    _PassCountingKernel.passes = {}
    SoftmaxRegressionGD(max_iter=12, **options).fit(
        X, y, eval_set=[("test", X_test, y_test)]
    )
    assert _PassCountingKernel.passes == {
        "train backward": train_backward,
        "test forward": 12,
    } | ({"train forward": train_forward} if train_forward else {})


def _lipschitz(X, multiclass, alpha):
    """L of the mean cross-entropy + alpha/2 ||w||² (intercept as a column of ones)."""
    X1 = np.hstack([X, np.ones((X.shape[0], 1))])
    curvature = 0.5 if multiclass else 0.25  # max of the loss's second derivative
    return curvature * np.linalg.eigvalsh(X1.T @ X1 / X.shape[0])[-1] + alpha


@pytest.mark.parametrize("multiclass", [False, True])
def test_accelerated_reaches_sklearns_converged_objective(multiclass):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 8)) * rng.uniform(0.5, 3, size=8)  # ill-conditioned
    k = 3 if multiclass else 2
    y = (X @ rng.normal(size=(8, k)) + rng.gumbel(size=(300, k))).argmax(axis=1)
    alpha = 1e-3
    ref = LogisticRegression(C=1 / (alpha * X.shape[0]), tol=1e-12, max_iter=10_000)
    ref.fit(X, y)
    if multiclass:
        Y = np.eye(k)[y]
        ref_loss = multinomial_loss_grad(X, Y, ref.coef_.T, ref.intercept_)[0]
    else:
        ref_loss = binary_loss_grad(
            X, y.astype(float), ref.coef_[0], ref.intercept_[0]
        )[0]
    target = ref_loss + alpha / 2 * float(np.sum(ref.coef_**2))
    cls = SoftmaxRegressionGD if multiclass else LogisticRegressionGD
    step = 1 / _lipschitz(X, multiclass, alpha)
    fits = {
        schedule: cls(
            learning_rate=step, max_iter=1500, penalty="l2", alpha=alpha,
            momentum_schedule=schedule,
        ).fit(X, y)
        for schedule in ("accelerated", "constant")
    }  # fmt: skip
    ours = fits["accelerated"].history_["loss"][-1]
    assert ours == pytest.approx(target, rel=1e-6)
    assert ours >= target - 1e-9  # sklearn is at the minimum: we cannot be below it
    # the schedule is what gets there: plain steps of the same size are far behind
    assert fits["constant"].history_["loss"][-1] - target > 100 * (ours - target)


@pytest.mark.parametrize("batch_size", [None, 64])
def test_record_steps(standardised_digits, batch_size):
    """Each step's record is taken at the weights the step starts from: the first
    step of epoch e+1 shows what history shows for the end of epoch e."""
    X, y, X_test, y_test = standardised_digits
    X, y = X[y < 2], y[y < 2]
    X_test, y_test = X_test[y_test < 2], y_test[y_test < 2]
    clf = LogisticRegressionGD(
        max_iter=4, batch_size=batch_size, record_steps=True, random_state=0
    ).fit(X, y, eval_set=[("test", X_test, y_test)])
    steps, history = clf.step_history_, clf.history_
    per_epoch = 1 if batch_size is None else -(-len(y) // batch_size)
    assert steps["step"] == list(range(1, 4 * per_epoch + 1))
    assert set(steps) == {"step", "loss", "test_loss", "test_accuracy"}
    assert steps["loss"][0] == pytest.approx(np.log(2))  # zero weights
    assert steps["test_loss"][0] == pytest.approx(np.log(2))
    for e in range(1, 4):
        first = e * per_epoch  # 0-based index of epoch e+1's first step
        assert steps["test_loss"][first] == pytest.approx(history["test_loss"][e - 1])
        assert steps["test_accuracy"][first] == history["test_accuracy"][e - 1]
        if batch_size is None:  # the batch is the training set
            assert steps["loss"][first] == pytest.approx(history["data_loss"][e - 1])
    plain = LogisticRegressionGD(max_iter=4, batch_size=batch_size, random_state=0)
    plain.fit(X, y, eval_set=[("test", X_test, y_test)])
    assert plain.step_history_ == {}
    np.testing.assert_array_equal(plain.coef_, clf.coef_)  # recording changes nothing


@pytest.mark.parametrize("cls", [LogisticRegressionGD, SoftmaxRegressionGD])
def test_warm_start_continues_where_the_last_fit_stopped(standardised_digits, cls):
    """Two warm fits of 5 epochs = one fit of 10 (constant step, no momentum)."""
    X, y, _, _ = standardised_digits
    if cls is LogisticRegressionGD:
        X, y = X[y < 2], y[y < 2]
    params = dict(learning_rate=0.2, penalty="l2", alpha=1e-3, init="normal")
    once = cls(max_iter=10, random_state=1, **params).fit(X, y)
    warm = cls(max_iter=5, warm_start=True, random_state=1, **params).fit(X, y)
    first = warm.coef_.copy()
    warm.fit(X, y)
    np.testing.assert_allclose(warm.coef_, once.coef_, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(warm.intercept_, once.intercept_, rtol=1e-12)
    assert warm.initial_loss_ == pytest.approx(once.history_["loss"][4], rel=1e-12)
    cold = cls(max_iter=5, random_state=1, **params).fit(X, y)
    cold.fit(X, y)  # without warm_start a second fit starts again
    np.testing.assert_array_equal(cold.coef_, first)

    before = warm.predict(X)
    with pytest.raises(ValueError, match="features"):
        warm.fit(X[:, :-1], y)
    with pytest.raises(ValueError, match="classes"):
        warm.fit(X, np.where(y == 0, 7, y))
    np.testing.assert_array_equal(warm.predict(X), before)  # still the last fit

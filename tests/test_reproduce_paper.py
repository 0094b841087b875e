"""The paper's experiments on reduced settings, against direct NumPy loops."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, log_softmax
from threadpoolctl import threadpool_limits

from logitlab.estimators import LogisticRegressionGD, SoftmaxRegressionGD
from logitlab.experiments.paper import config
from logitlab.experiments.paper.config import paper_split
from logitlab.experiments.paper.pairs import difference_classifier, run_pair, run_sweep
from logitlab.experiments.paper.softmax import run_softmax, run_softmax_chain

DATA = {"n_train": 3000, "n_test": 600, "holdout_fraction": 0.1}


@pytest.fixture(autouse=True)
def _data(mnist):
    """MNIST in the session cache; one BLAS thread, as the job pool runs each job."""
    with threadpool_limits(limits=1):
        yield


def _logistic_loop(X, y, epochs, lr, grad_penalty=lambda w: 0.0):
    """The paper's code: zero start, mean loss, w -= lr * (X'(a-y)/m + penalty)."""
    w, b = np.zeros(X.shape[1]), 0.0
    losses, weights = [], []
    for _ in range(epochs):
        a = expit(X @ w + b)
        w, b = (
            w - lr * (X.T @ (a - y) / len(y) + grad_penalty(w)),
            b - lr * np.mean(a - y),
        )
        z = X @ w + b
        losses.append(np.mean(np.logaddexp(0, z) - y * z))
        weights.append((w.copy(), b))
    return losses, weights


def test_protocol_is_first_train_last_test_first_tenth_held_out(mnist):
    _, y_tr, X_val, y_val, _, y_te = paper_split((2, 3), 3000, 600, 0.1)
    first = mnist.train_labels[:3000]
    pair = np.flatnonzero(np.isin(first, (2, 3)))
    n_val = int(0.1 * len(pair))
    assert len(y_val) == n_val and len(y_tr) == len(pair) - n_val
    np.testing.assert_allclose(X_val[0], mnist.train_images[pair[0]].ravel() / 255)
    last = mnist.test_labels[-600:]
    assert len(y_te) == np.isin(last, (2, 3)).sum()
    assert y_te.tolist() == (last[np.isin(last, (2, 3))] == 3).astype(int).tolist()


def test_batch_gd_pair_matches_a_numpy_loop():
    settings = {
        **DATA,
        "digits": [2, 3],
        "learning_rate": 0.005,
        "epochs": 15,
        "batch_fraction": None,
        "seed": 0,
    }
    result = run_pair(settings)
    X, y, *_ = paper_split((2, 3), 3000, 600, 0.1)
    losses, weights = _logistic_loop(X, y, 15, 0.005)
    np.testing.assert_allclose(result["history.data_loss"], losses, rtol=1e-10)
    np.testing.assert_allclose(result["coef"], weights[-1][0], rtol=1e-10, atol=1e-14)
    assert result["batch_size"] == len(y)


def test_minibatch_uses_ten_percent_batches():
    settings = {
        **DATA,
        "digits": [2, 8],
        "learning_rate": 0.005,
        "epochs": 2,
        "batch_fraction": 0.1,
        "seed": 0,
    }
    result = run_pair(settings)
    assert result["batch_size"] == round(0.1 * result["n_train"])
    assert len(result["history.test_accuracy"]) == 2
    assert "steps.loss" not in result
    # Fig. 2: the costs at every update, from the weights each update starts from
    steps = run_pair({**settings, "record_steps": True})
    per_epoch = -(-steps["n_train"] // steps["batch_size"])
    for key in ("steps.loss", "steps.validation_loss", "steps.test_loss"):
        assert len(steps[key]) == 2 * per_epoch
        assert steps[key][0] == pytest.approx(np.log(2))  # zero weights
    assert steps["steps.test_loss"][per_epoch] == pytest.approx(
        steps["history.test_loss"][0]
    )
    np.testing.assert_array_equal(steps["coef"], result["coef"])


def paper_stopping(val_accuracy: list[float], patience: int) -> tuple[int, int]:
    """The paper's rule applied to a finished curve, written plainly as its code does:
    (stop epoch, kept epoch), 1-based. It stops after `patience` rises IN A ROW of the
    hold-out error and keeps the first epoch with the best hold-out accuracy."""
    errors = 1.0 - np.asarray(val_accuracy, dtype=np.float64)
    stop, rises = len(errors), 0
    for e in range(1, len(errors)):
        rises = rises + 1 if errors[e] > errors[e - 1] else 0
        if rises >= patience:
            stop = e + 1
            break
    return stop, int(np.argmin(errors[:stop])) + 1


def test_paper_stopping_counts_consecutive_rises_and_keeps_the_best():
    acc = [0.5, 0.6, 0.7, 0.7, 0.69, 0.68, 0.67, 0.66, 0.65, 0.9]
    assert paper_stopping(acc, 5) == (9, 3)  # 5 rises after epoch 4; best epoch 3
    assert paper_stopping(acc, 6) == (10, 10)  # never 6 in a row: runs out, best last
    assert paper_stopping([0.5, 0.5, 0.5], 1) == (3, 1)  # a plateau is not a rise


@pytest.mark.parametrize("penalty, method", [("l2", "proximal"), ("l1", "subgradient")])
def test_sweep_matches_the_papers_code_and_keeps_the_best_epoch(penalty, method):
    lam = 0.01
    settings = {
        **DATA,
        "digits": [2, 8],
        "learning_rate": 0.5,
        "epochs": 12,
        "patience": 2,
        "penalty": penalty,
        "lambda": lam,
        "l1_method": method,
        "l2_alpha_factor": 1.0,
        "seed": 0,
    }
    result = run_sweep(settings)
    X, y, Xv, yv, *_ = paper_split((2, 8), 3000, 600, 0.1)
    grad = (lambda w: lam * w) if penalty == "l2" else (lambda w: lam * np.sign(w))
    _, weights = _logistic_loop(X, y, 12, 0.5, grad)
    val_acc = [np.mean((Xv @ w + b > 0) == yv) for w, b in weights]
    stop, best = paper_stopping(val_acc, 2)
    assert (result["n_iter"], result["best_epoch"]) == (stop, best)
    np.testing.assert_allclose(
        result["coef"], weights[best - 1][0], rtol=1e-9, atol=1e-12
    )
    assert result["zero_share"] == np.mean(result["coef"] == 0)
    assert result["l1_norm"] == pytest.approx(np.abs(weights[best - 1][0]).sum())


@pytest.mark.parametrize(
    "estimator, params",
    [
        (LogisticRegressionGD, {"learning_rate": 2.0, "penalty": "l2", "alpha": 0.01}),
        (LogisticRegressionGD,
         {"learning_rate": 2.0, "penalty": "l1", "alpha": 0.01,
          "l1_method": "subgradient"}),
        (SoftmaxRegressionGD,  # the paper's annealed rate, as its softmax runs
         {"learning_rate": 0.003, "schedule": "invscaling", "decay_steps": 3.0,
          "loss_scale": "sum", "init": "normal", "random_state": 0}),
    ],
)  # fmt: skip
def test_stopping_while_training_equals_training_on_then_applying_the_rule(
    estimator, params
):
    """The estimator's rule "rises" stops where the paper's rule, applied to the whole
    run afterwards, would: the same kept weights, bit for bit, and the same history."""
    digits = None if estimator is SoftmaxRegressionGD else (2, 8)
    X, y, Xv, yv, Xt, yt = paper_split(digits, 3000, 600, 0.1)
    eval_set = [("validation", Xv, yv), ("test", Xt, yt)]
    full = estimator(**params, max_iter=200, snapshot_epochs=tuple(range(1, 201)))
    full.fit(X, y, eval_set=eval_set)
    stop, best = paper_stopping(full.history_["validation_accuracy"], 2)
    assert stop < 150  # the rule fires well before max_iter
    clf = estimator(**params, max_iter=200)
    assert config.fit_paper_stopping(clf, 2, X, y, eval_set) == (stop, best)
    np.testing.assert_array_equal(clf.coef_, full.snapshots_[best][0])
    np.testing.assert_array_equal(clf.intercept_, full.snapshots_[best][1])
    for key in ("validation_accuracy", "test_accuracy", "data_loss", "epoch"):
        assert clf.history_[key] == full.history_[key][:stop], key


def test_softmax_matches_the_papers_loop():
    """Summed gradient, η0/(1+t/T), seeded standard-normal start, L2 gradient λW."""
    lam, eta0, T, epochs = 1e-4, 0.0015, 3.0, 4
    settings = {
        **DATA,
        "digits": None,
        "penalty": "l2",
        "lambda": lam,
        "l2_alpha_factor": 1.0,
        "eta0": eta0,
        "decay_T": T,
        "epochs": epochs,
        "early_stopping": False,
        "patience": 5,
        "seed": 7,
    }
    result = run_softmax(settings)
    X, y, *_ = paper_split(None, 3000, 600, 0.1)
    rng = np.random.default_rng(7)  # the estimator's documented seeded start
    W, b = rng.standard_normal((784, 10)), rng.standard_normal(10)
    T_onehot = np.eye(10)[y]
    losses = []
    for t in range(epochs):
        A = X @ W + b
        P = np.exp(log_softmax(A, axis=1))
        eta = eta0 / (1 + t / T)
        W = W - eta * (-(X.T @ (T_onehot - P)) + lam * W)
        b = b - eta * (-(T_onehot - P).sum(axis=0))
        losses.append(-np.mean(log_softmax(X @ W + b, axis=1)[np.arange(len(y)), y]))
    np.testing.assert_allclose(result["coef"], W.T, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(result["history.train_loss"], losses, rtol=1e-8)


def test_difference_of_weights_classifies_threes_and_eights():
    pair = {
        **DATA,
        "learning_rate": 0.5,
        "epochs": 30,
        "batch_fraction": None,
        "seed": 0,
    }
    r23 = run_pair({**pair, "digits": [2, 3]})
    r28 = run_pair({**pair, "digits": [2, 8]})
    out = difference_classifier(r23, r28, DATA)
    *_, X_te, y_te = paper_split((3, 8), 3000, 600, 0.1)  # label 1 = an 8
    w, b = r23["coef"] - r28["coef"], r23["intercept"] - r28["intercept"]
    says_three = X_te @ w + b > 0
    assert out["test_accuracy"] == pytest.approx(np.mean(says_three == (y_te == 0)))
    assert out["test_accuracy_3s"] == pytest.approx(np.mean(says_three[y_te == 0]))
    assert (
        out["test_accuracy"] > 0.8
    )  # the paper's claim holds even this briefly trained


def test_code_protocol_is_every_pair_image_and_the_first_2000_test_images(mnist):
    from logitlab.experiments.paper.config import code_split

    _, y_tr, _, y_val, _, y_te = code_split((2, 3), 0.1)
    n_pair = int(np.isin(mnist.train_labels, (2, 3)).sum())
    assert len(y_tr) + len(y_val) == n_pair and len(y_val) == int(0.1 * n_pair)
    first = mnist.test_labels[np.isin(mnist.test_labels, (2, 3))][:2000]
    assert y_te.tolist() == (first == 3).astype(int).tolist()


class _WarmSoftmax(SoftmaxRegressionGD):
    """The estimator started from given internal weights (W, b) instead of its init."""

    start: tuple = ()

    def _initial_weights(self, n_features, dtype, rng):
        return self.start[0].astype(dtype), self.start[1].astype(dtype)


def _code_stop(val_accuracy, patience):
    """The listing's rule, verbatim: stop after `patience` epochs below `last`."""
    last, cnt = 0.0, 0
    for i, acc in enumerate(val_accuracy):
        if acc < last:
            cnt += 1
            if cnt >= patience:
                return i + 1
        else:
            cnt, last = 0, acc
    return len(val_accuracy)


def test_softmax_chain_continues_each_run_from_the_last_ones_weights():
    """The code's λ search = the estimator warm-started run after run, rate restarted,
    bias input 1/255, the best hold-out weights per penalty over all its runs."""
    eta0, T, epochs, patience = 0.01, 3.0, 12, 1
    settings = {**DATA, "digits": None, "penalties": ["l1", "l2"],
                "lambdas": [1e-2, 1e-3], "eta0": eta0, "decay_T": T,
                "epochs": epochs, "patience": patience, "seed": 3}  # fmt: skip
    out = run_softmax_chain(settings)
    X, y, Xv, yv, Xt, yt = (
        np.hstack([np.full((len(a), 1), 1 / 255), a]) if a.ndim == 2 else a
        for a in paper_split(None, 3000, 600, 0.1)
    )
    rng = np.random.default_rng(3)
    W = rng.standard_normal((785, 10)).astype(np.float32).astype(np.float64)
    stops = []
    for penalty in ("l1", "l2"):
        seen = []  # (hold-out accuracy, coef) of every epoch of this penalty's runs
        for lam in (1e-2, 1e-3):
            clf = _WarmSoftmax(
                learning_rate=eta0, max_iter=epochs, schedule="invscaling",
                decay_steps=T, loss_scale="sum", penalty=penalty, alpha=lam,
                l1_method="subgradient", fit_intercept=False,
                snapshot_epochs=tuple(range(1, epochs + 1)),
            )  # fmt: skip
            clf.start = (W, np.zeros(10))
            clf.fit(X, y, eval_set=[("validation", Xv, yv)])
            stop = _code_stop(clf.history_["validation_accuracy"], patience)
            stops.append(stop)
            seen += [
                (clf.history_["validation_accuracy"][e], clf.snapshots_[e + 1][0])
                for e in range(stop)
            ]
            W = clf.snapshots_[stop][0].T  # the next run starts where this one stopped
        best = int(np.argmax([a for a, _ in seen]))
        assert out[f"{penalty}.holdout_accuracy"] == pytest.approx(seen[best][0])
        np.testing.assert_allclose(out[f"{penalty}.coef"], seen[best][1], rtol=1e-7)
        test_acc = np.mean(np.argmax(Xt @ seen[best][1].T, axis=1) == yt)
        assert out[f"{penalty}.test_accuracy"] == pytest.approx(test_acc)
    assert out["runs.n_iter"] == stops
    assert any(s < epochs for s in stops)  # the stopping rule was exercised


def test_softmax_chain_without_a_stopping_rule_runs_every_epoch():
    settings = {**DATA, "digits": None, "penalties": ["l1", "l2"],
                "lambdas": [1e-2, 1e-3], "eta0": 0.01, "decay_T": 3.0,
                "epochs": 4, "patience": None, "seed": 3}  # fmt: skip
    out = run_softmax_chain(settings)
    assert out["runs.n_iter"] == [4, 4, 4, 4]
    stopped = run_softmax_chain({**settings, "patience": 1})
    assert min(stopped["runs.n_iter"]) < 4  # with the rule, some run stops early

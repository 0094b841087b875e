"""Learning-rate schedules and batch iteration."""

from __future__ import annotations

import numpy as np
import pytest

from logitlab.optim.batches import iter_batches, n_batches
from logitlab.optim.schedules import learning_rate_at


def test_paper_annealing():
    # the paper: η(t) = η0 / (1 + t/T), η0 = 0.0015, T = 3, t the 0-based epoch
    rates = [learning_rate_at("invscaling", 0.0015, t, decay_steps=3) for t in range(7)]
    assert rates[0] == 0.0015 and rates[3] == pytest.approx(0.00075)
    assert rates[6] == pytest.approx(0.0005)


def test_step_exponential_constant():
    step = [
        learning_rate_at("step", 1.0, t, decay_steps=2, decay_rate=0.5)
        for t in range(5)
    ]
    assert step == [1.0, 1.0, 0.5, 0.5, 0.25]
    expo = [learning_rate_at("exponential", 1.0, t, decay_rate=0.9) for t in range(3)]
    np.testing.assert_allclose(expo, [1.0, 0.9, 0.81])
    assert learning_rate_at("constant", 0.3, 99) == 0.3
    with pytest.raises(ValueError, match="unknown schedule"):
        learning_rate_at("cosine", 1.0, 0)


@pytest.mark.parametrize("batch_size", [1, 3, 7, 10])
def test_minibatches_cover_every_row_once_and_reshuffle(batch_size):
    rng = np.random.default_rng(0)
    first = list(iter_batches(10, batch_size, rng))
    second = list(iter_batches(10, batch_size, rng))
    assert len(first) == n_batches(10, batch_size)
    if batch_size >= 10:
        assert first == [None]
        return
    assert sorted(np.concatenate(first).tolist()) == list(range(10))
    assert max(len(b) for b in first) == batch_size
    assert not np.array_equal(np.concatenate(first), np.concatenate(second))
    again = list(iter_batches(10, batch_size, np.random.default_rng(0)))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))


def test_full_batch():
    assert list(iter_batches(5, None, np.random.default_rng(0))) == [None]
    assert n_batches(5, None) == 1

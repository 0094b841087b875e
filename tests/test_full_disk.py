"""Writes that fail — full disk, read-only filesystem, I/O error — are one line, exit 1.

Where the test runs as root it mounts a 64 KB tmpfs and really fills it (h5py writing
onto a full disk once crashed the interpreter); everywhere the same failures are also
injected as OSErrors.
"""

from __future__ import annotations

import errno
import os
import subprocess

import pytest
from click.testing import CliRunner

from logitlab import _atomic
from logitlab.cli import app

TRAIN = ["--quiet", "train", "--n-train", "600", "--n-test", "100", "--epochs", "2"]


def snapshot(folder):
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    } | {"entries": sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))}


def _one_line(result):
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("logitlab: error: "), lines
    return lines[0]


@pytest.fixture
def tiny_fs(tmp_path):
    """A 64 KB filesystem (tmpfs), or a skip where mounting is not allowed."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here; the injected-error tests cover it")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize("filled_kb", [0, 20, 40, 60])
def test_train_onto_a_full_disk(tiny_fs, filled_kb):
    """Whichever file the disk fills up on, the folder stays as it was."""
    out = tiny_fs / "out"
    out.mkdir()
    (out / "model.h5").write_bytes(b"the old model")
    (tiny_fs / "filler").write_bytes(b"\0" * filled_kb * 1024)
    before = snapshot(out)
    result = CliRunner().invoke(app, [*TRAIN, "--plots", "--out", str(out)])
    line = _one_line(result)
    assert line.startswith(f"logitlab: error: {out}/")
    assert line.endswith(": No space left on device")
    assert ".logitlab-tmp" not in line
    assert snapshot(out) == before
    assert [p.name for p in tiny_fs.iterdir()] == ["filler", "out"]


def test_data_fetch_into_a_full_cache_exits_1(tiny_fs, monkeypatch):
    monkeypatch.setenv("LOGITLAB_DATA_DIR", str(tiny_fs / "cache"))
    result = CliRunner().invoke(app, ["--quiet", "data", "fetch"])
    line = _one_line(result)
    assert line.startswith("logitlab: error: cannot write the cache")
    assert str(tiny_fs / "cache" / "mnist") in line
    assert "No space left on device" in line or "free space" in line  # NumPy's words
    assert "digests OK" not in result.stdout
    assert not list((tiny_fs / "cache").rglob("*.npy"))
    assert not [p for p in (tiny_fs / "cache").rglob(".logitlab-tmp*")]


def test_data_fetch_into_a_read_only_cache_exits_1(tiny_fs, monkeypatch):
    (tiny_fs / "cache").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_fs)], check=True)
    monkeypatch.setenv("LOGITLAB_DATA_DIR", str(tiny_fs / "cache"))
    result = CliRunner().invoke(app, ["--quiet", "data", "fetch"])
    line = _one_line(result)
    assert "Read-only file system" in line and str(tiny_fs / "cache") in line


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "No space left on device"),
        (errno.EIO, "Input/output error"),
        (errno.EACCES, "Permission denied"),
    ],
)
def test_injected_failures_name_the_users_file(tmp_path, monkeypatch, code, words):
    out = tmp_path / "out"
    out.mkdir()
    (out / "history.csv").write_text("the old history")
    before = snapshot(out)
    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith("history.csv"):
            raise OSError(code, os.strerror(code), str(src))
        real_replace(src, dst)

    monkeypatch.setattr(_atomic.os, "replace", failing_replace)
    result = CliRunner().invoke(app, [*TRAIN, "--out", str(out)])
    assert _one_line(result) == f"logitlab: error: {out / 'history.csv'}: {words}"
    assert snapshot(out) == before

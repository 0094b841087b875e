"""All-or-nothing outputs: a failure or signal at any point leaves the folder alone."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys

import pytest

from logitlab import _atomic, _signals
from logitlab._atomic import OutputError, output_transaction, sweep_temporaries


def snapshot(folder):
    """Every entry under `folder`: relative path -> (bytes or "dir", mode)."""
    if not folder.exists():
        return None
    out = {}
    for path in sorted(folder.rglob("*")):
        data = "dir" if path.is_dir() else path.read_bytes()
        out[str(path.relative_to(folder))] = (data, path.stat().st_mode)
    return out


@pytest.fixture
def out(tmp_path):
    """An output folder holding two files a run would replace and one it would not."""
    folder = tmp_path / "out"
    (folder / "figures").mkdir(parents=True)
    (folder / "model.h5").write_bytes(b"old model")
    (folder / "figures" / "a.png").write_bytes(b"old figure")
    (folder / "notes.txt").write_text("the user's own file")
    return folder


def _stage_all(tx):
    tx.write_text("model.h5", "new model")
    tx.write_text("figures/a.png", "new figure")
    tx.write_text("figures/b.png", "another new figure")
    tx.write_text("metrics.json", "{}")


@pytest.fixture
def handlers():
    """The CLI's SIGINT/SIGTERM handlers, for this test only."""
    saved = {s: signal.getsignal(s) for s in _signals.HANDLED}
    _signals.install()
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


def test_commit_replaces_adds_and_leaves_no_temporary(out):
    with output_transaction(out) as tx:
        _stage_all(tx)
        assert (out / "model.h5").read_bytes() == b"old model"  # nothing before commit
    assert (out / "model.h5").read_text() == "new model"
    assert (out / "figures" / "b.png").read_text() == "another new figure"
    assert (out / "notes.txt").read_text() == "the user's own file"
    assert not [p for p in out.rglob("*") if p.name.startswith(".logitlab")]


def test_failure_while_staging_changes_nothing(out):
    before = snapshot(out)
    with pytest.raises(RuntimeError), output_transaction(out) as tx:
        _stage_all(tx)
        raise RuntimeError("plotting failed")
    assert snapshot(out) == before


def test_a_folder_the_run_created_is_removed_on_failure(tmp_path):
    target = tmp_path / "new" / "deeper"
    with pytest.raises(RuntimeError), output_transaction(target) as tx:
        tx.write_text("model.h5", "x")
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
def test_failure_half_way_through_the_renames_rolls_back(out, monkeypatch, fail_at):
    before = snapshot(out)
    real_replace = os.replace
    calls = []

    def flaky_replace(src, dst):
        calls.append(dst)
        if len(calls) == fail_at:
            raise OSError(errno.EIO, "Input/output error", str(src))
        real_replace(src, dst)

    monkeypatch.setattr(_atomic.os, "replace", flaky_replace)
    with pytest.raises(OutputError, match=r"out/\S+: Input/output error"):
        with output_transaction(out) as tx:
            _stage_all(tx)
    monkeypatch.undo()
    assert snapshot(out) == before


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_the_commit_rolls_it_all_back(out, handlers, monkeypatch, signum):
    """The signal is held until the renames end, then undoes them: wholly old."""
    before = snapshot(out)
    real_replace = os.replace

    def replace_then_signal(src, dst):
        real_replace(src, dst)
        os.kill(os.getpid(), signum)  # arrives after the first file is in place

    monkeypatch.setattr(_atomic.os, "replace", replace_then_signal)
    with pytest.raises(_signals.Interrupted) as caught:
        with output_transaction(out) as tx:
            _stage_all(tx)
    monkeypatch.undo()
    assert caught.value.exit_code == 128 + signum
    assert snapshot(out) == before


def test_signal_while_staging_changes_nothing(out, handlers):
    before = snapshot(out)
    with pytest.raises(_signals.Interrupted), output_transaction(out) as tx:
        tx.write_text("model.h5", "half")
        os.kill(os.getpid(), signal.SIGTERM)
        tx.write_text("metrics.json", "never")  # pragma: no cover
    assert snapshot(out) == before


def test_read_only_file_is_refused_not_replaced(out):
    (out / "model.h5").chmod(0o444)
    before = snapshot(out)
    with pytest.raises(OutputError, match=r"model\.h5: is read-only"):
        with output_transaction(out) as tx:
            _stage_all(tx)
    assert snapshot(out) == before


def _dead_pid():
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    return int(child.stdout)


def test_stale_temporaries_of_dead_runs_are_swept(out):
    dead = _dead_pid()
    (out / f".logitlab-tmp-{dead}-out.abc").mkdir()
    (out / f".logitlab-tmp-{dead}-out.abc" / "loss.png").write_bytes(b"partial")
    (out / f".logitlab-tmp-{dead}-model.h5.x1.h5").write_bytes(b"partial")
    (out / ".logitlab-homework-xyz").mkdir()  # an earlier version's temp folder
    live = out / f".logitlab-tmp-{os.getpid()}-other.h5"  # a run still going
    live.write_bytes(b"in progress")
    sweep_temporaries(out)
    left = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert left == [live.name]


def test_an_error_names_the_users_file_not_the_temporary(out, monkeypatch):
    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    with pytest.raises(OutputError) as caught:
        with output_transaction(out) as tx:
            monkeypatch.setattr(type(tx.path("metrics.json")), "write_bytes", full)
            tx.write_text("metrics.json", "{}")
    assert str(caught.value) == f"{out / 'metrics.json'}: No space left on device"

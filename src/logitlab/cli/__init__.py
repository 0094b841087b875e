"""The `logitlab` command: one subcommand per job.

Every subcommand lives in its own module under `logitlab.cli` and is registered here.
User errors (`LogitlabError`, bad files, bad numbers) become one line on stderr and exit
code 1; click's usage errors exit with 2; nothing prints a traceback.
"""

from __future__ import annotations

import math
from typing import Any

import click

from logitlab import __version__
from logitlab._console import set_quiet
from logitlab.errors import LogitlabError


class Number(click.FloatRange):
    """A finite float option with bounds ("'abc' is not a valid number", no nan/inf)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: Any) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


class Command(click.Command):
    """A command whose invalid option *values* are bad input: one line, exit code 1.

    A malformed command line (unknown option, missing argument) stays click's usage
    error with exit code 2.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.BadParameter as exc:
            if isinstance(exc, click.MissingParameter):
                raise
            click.echo(f"logitlab: error: {exc.format_message()}", err=True)
            ctx.exit(1)


class _Group(click.Group):
    """Reports user errors as one line instead of a traceback; subcommands alike."""

    command_class = Command
    group_class = type  # subgroups (`logitlab data ...`) behave the same

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except LogitlabError as exc:
            click.echo(f"logitlab: error: {exc}", err=True)
            ctx.exit(1)
        except OSError as exc:  # unreadable or unwritable paths the user gave
            where = f" {exc.filename}" if exc.filename else ""
            click.echo(f"logitlab: error:{where}: {exc.strerror or exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("logitlab: interrupted; nothing half-written was kept", err=True)
            ctx.exit(130)


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


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version, whether the compiled kernel is built, and exit.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="No progress bars or progress messages."
)
def app(quiet: bool) -> None:
    """Logistic and softmax regression on handwritten digits, from scratch in NumPy."""
    set_quiet(quiet)


# Each subcommand module adds its commands to `app` when imported.
from logitlab.cli import augment, data, homework, reproduce, train  # noqa: E402, F401


def main() -> None:
    """Console-script entry point."""
    app(prog_name="logitlab")  # click exits with the command's code

"""The `logitlab` command: one subcommand per job.

Every subcommand lives in its own module under `logitlab.cli` and is registered here.
User errors (`LogitlabError`, bad files, bad numbers) become one line on stderr and exit
code 1; click's usage errors exit with 2; nothing prints a traceback.
"""

from __future__ import annotations

import sys

import click

from logitlab import __version__
from logitlab._console import set_quiet
from logitlab.errors import LogitlabError


class _Group(click.Group):
    """A click group that reports user errors as one line instead of a traceback."""

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


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="logitlab")
@click.option(
    "--quiet", "-q", is_flag=True, help="No progress bars or progress messages."
)
def app(quiet: bool) -> None:
    """Logistic and softmax regression on handwritten digits, from scratch in NumPy."""
    set_quiet(quiet)


def _register() -> None:
    """Import each subcommand module; each one adds its commands to `app`."""
    import importlib

    for name in ("data", "homework", "train", "reproduce"):
        try:
            importlib.import_module(f"logitlab.cli.{name}")
        except ModuleNotFoundError as exc:  # a command not written yet
            if exc.name != f"logitlab.cli.{name}":
                raise


_register()


def main() -> None:
    """Console-script entry point."""
    app(prog_name="logitlab")
    sys.exit(0)

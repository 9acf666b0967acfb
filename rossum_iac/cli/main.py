"""The ``rossum-iac`` click group. Each command lives in its own module, imported only when that command runs
(so ``validate`` never pays for importing the HTTP client or the emulator)."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any

import click

from rossum_iac import __version__
from rossum_iac.cli.exit_codes import ExitCode


@contextlib.contextmanager
def _usage_errors_exit_1() -> Iterator[None]:
    try:
        yield
    except click.UsageError as exc:
        exc.show()
        raise click.exceptions.Exit(int(ExitCode.ERROR)) from None


COMMANDS: dict[str, str] = {
    "validate": "rossum_iac.cli.validate:validate",
    "plan": "rossum_iac.cli.plan:plan",
    "apply": "rossum_iac.cli.apply:apply",
    "drift": "rossum_iac.cli.drift:drift",
    "import": "rossum_iac.cli.adopt:import_object",
    "pull": "rossum_iac.cli.pull:pull",
    "schema": "rossum_iac.cli.validate:schema",
    "documents": "rossum_iac.cli.documents:documents",
    "annotations": "rossum_iac.cli.annotations:annotations_group",
    "tasks": "rossum_iac.cli.tasks:tasks",
    "emulator": "rossum_iac.cli.emulator:emulator",
}
"""Command name -> ``module:attribute`` of its click command, in the order ``--help`` lists them."""


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is looked up.

    Usage errors anywhere below it (unknown option, missing argument, bad value) exit with code 1, not click's
    2: this tool reserves 2 for "changes present" (``plan --detailed-exitcode``, ``drift``), so a typo in a CI
    script must never read as drift.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        with _usage_errors_exit_1():
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        with _usage_errors_exit_1():
            return super().invoke(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="rossum-iac")
@click.option("--debug", is_flag=True, help="Show tracebacks of errors (also ROSSUM_IAC_DEBUG=1).")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Configuration-as-code for Rossum: plan and apply YAML manifests, and work with documents."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug

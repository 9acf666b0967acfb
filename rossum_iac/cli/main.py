"""The ``rossum-iac`` click group. Each command lives in its own module, imported only when that command runs
(so ``validate`` never pays for importing the HTTP client or the emulator)."""

from __future__ import annotations

import importlib

import click

from rossum_iac import __version__

COMMANDS: dict[str, str] = {
    "validate": "rossum_iac.cli.validate:validate",
    "plan": "rossum_iac.cli.plan:plan",
    "apply": "rossum_iac.cli.apply:apply",
    "drift": "rossum_iac.cli.drift:drift",
    "import": "rossum_iac.cli.adopt:import_object",
    "schema": "rossum_iac.cli.validate:schema",
    "documents": "rossum_iac.cli.documents:documents",
    "annotations": "rossum_iac.cli.annotations:annotations_group",
    "tasks": "rossum_iac.cli.tasks:tasks",
    "emulator": "rossum_iac.cli.emulator:emulator",
}
"""Command name -> ``module:attribute`` of its click command, in the order ``--help`` lists them."""


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is looked up."""

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

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

SUMMARIES: dict[str, str] = {
    "validate": "Check the manifests in DIRECTORY (default: .) without contacting any API.",
    "plan": "Compare the manifests in DIRECTORY with the organization and show the changes apply would make.",
    "apply": "Apply the manifests in DIR (after showing the plan), or apply a plan file saved by `plan --out`.",
    "drift": "Check that every object the manifests in DIRECTORY own matches them (exit 0 clean, 2 drift, 1 error).",
    "import": "Record that existing objects are objects of the manifests in DIR (default: the current directory).",
    "pull": "Write the organization's configuration as manifests in DIRECTORY (a new or empty directory), or with "
    "--update bring the manifests of the stack in DIRECTORY in step with the organization.",
    "schema": "Print the JSON Schema of the manifest format (for editor completion and validation).",
    "documents": "Upload documents to a queue, list them, show one, download the original file.",
    "annotations": "List, show, search, edit, confirm and export annotations (documents being extracted in a queue).",
    "tasks": "Asynchronous API jobs: show one, or wait until it ends.",
    "emulator": "A local Rossum API (HTTP on loopback, state in SQLite) for trying things out and for tests.",
}
"""Command name -> the first paragraph of its help, so that ``rossum-iac --help`` imports no command module (some
import the API client and httpx). A command missing here is imported to list it; a test keeps both in step."""


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

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's command list, from ``SUMMARIES`` (without importing the commands)."""
        commands: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            summary = SUMMARIES.get(name)
            command = click.Command(name, help=summary) if summary is not None else self.get_command(ctx, name)
            if command is not None and not command.hidden:
                commands.append((name, command))
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in commands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        from rossum_iac.cli.examples import attach

        return attach(command, cmd_name)  # --help ends with examples


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="rossum-iac")
@click.option("--debug", is_flag=True, help="Show tracebacks of errors (also ROSSUM_IAC_DEBUG=1).")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Configuration-as-code for Rossum: plan and apply YAML manifests, and work with documents."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug

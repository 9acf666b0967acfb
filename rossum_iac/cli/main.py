"""The ``rossum-iac`` click group. Each command lives in its own module and is registered here."""

from __future__ import annotations

import click

from rossum_iac import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="rossum-iac")
@click.option("--debug", is_flag=True, help="Show tracebacks of errors (also ROSSUM_IAC_DEBUG=1).")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Configuration-as-code for Rossum: plan and apply YAML manifests, and work with documents."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


# Command registration: one line per command module.
from rossum_iac.cli.emulator import emulator  # noqa: E402

main.add_command(emulator)
from rossum_iac.cli.adopt import import_object  # noqa: E402
from rossum_iac.cli.apply import apply  # noqa: E402
from rossum_iac.cli.drift import drift  # noqa: E402
from rossum_iac.cli.plan import plan  # noqa: E402

main.add_command(plan)
main.add_command(apply)
main.add_command(drift)
main.add_command(import_object)
from rossum_iac.cli.validate import schema, validate  # noqa: E402

main.add_command(validate)
main.add_command(schema)
from rossum_iac.cli.annotations import annotations_group  # noqa: E402
from rossum_iac.cli.documents import documents  # noqa: E402
from rossum_iac.cli.tasks import tasks  # noqa: E402

main.add_command(documents)
main.add_command(annotations_group)
main.add_command(tasks)

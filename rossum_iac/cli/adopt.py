"""``rossum-iac import KIND/KEY ID``: adopt an existing object as a manifest object."""

from __future__ import annotations

from pathlib import Path

import click

from rossum_iac.cli.common import env_base_url, env_name, env_option, load_manifests
from rossum_iac.cli.errors import handle_errors
from rossum_iac.cli.target import TargetOptions, api_target, api_target_options, run_with_client


@click.command("import")
@click.argument("address", metavar="KIND/KEY")
@click.argument("object_id", metavar="ID", type=int)
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path))
@env_option
@api_target_options
@handle_errors
def import_object(
    address: str, object_id: int, directory: Path, env: str | None, target_options: TargetOptions
) -> None:
    """Record that the live object ID is KIND/KEY of the manifests in DIRECTORY.

    Only the ownership record is written; the next plan shows the real differences between the object and its
    manifest.
    """
    from rossum_iac.engine import adopt

    stack = load_manifests(directory, env)
    with api_target(target_options, env_base_url=env_base_url(stack), env_name=env_name(stack)) as target:
        result = run_with_client(target, lambda client: adopt(client, stack, address, object_id))
    click.echo(result.message + ("." if result.changed else ""))
    if result.changed:
        click.echo("Run `rossum-iac plan` to see how it differs from its manifest.")

"""``rossum-iac import``: adopt existing objects as manifest objects (one by id, or every unambiguous natural
twin with ``--match``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from rossum_iac.cli.common import env_option, interactive, load_manifests
from rossum_iac.cli.errors import handle_errors
from rossum_iac.cli.execute import confirmed
from rossum_iac.cli.exit_codes import ExitCode
from rossum_iac.cli.target import TargetOptions, api_target, api_target_options, run_with_client
from rossum_iac.errors import UsageError


@click.command("import")
@click.argument("arguments", nargs=-1, metavar="[KIND/KEY ID] [DIR]")
@click.option(
    "--match",
    "match",
    is_flag=True,
    help="Adopt every manifest object that has exactly one unmanaged twin (same kind, name and parent).",
)
@click.option("--auto-approve", is_flag=True, help="With --match: do not ask before writing ownership records.")
@click.option("--json", "as_json", is_flag=True, help="With --match: print the result as JSON.")
@env_option
@api_target_options
@handle_errors
def import_object(
    arguments: tuple[str, ...],
    match: bool,
    auto_approve: bool,
    as_json: bool,
    env: str | None,
    target_options: TargetOptions,
) -> None:
    """Record that existing objects are objects of the manifests in DIR (default: the current directory).

    Only ownership records are written; the next plan shows the real differences between the objects and their
    manifests.

    \b
    Examples:
      rossum-iac import Queue/invoices-eu 123456 ./manifests
      rossum-iac import --match ./manifests       # every unambiguous twin, after showing the list
    """
    if match:
        if len(arguments) > 1:
            raise UsageError("import --match takes only the manifests directory (no KIND/KEY ID)")
        _import_matches(Path(arguments[0]) if arguments else Path("."), env, auto_approve, as_json, target_options)
        return
    if len(arguments) not in (2, 3):
        raise UsageError("import needs KIND/KEY and ID (and optionally DIR), or --match [DIR]")
    address, raw_id = arguments[0], arguments[1]
    try:
        object_id = int(raw_id)
    except ValueError:
        raise UsageError(f"ID must be a number, not {raw_id!r}") from None
    directory = Path(arguments[2]) if len(arguments) == 3 else Path(".")
    from rossum_iac.engine.adopt import adopt

    stack = load_manifests(directory, env)
    with api_target(target_options, stack=stack) as target:
        result = run_with_client(target, lambda client: adopt(client, stack, address, object_id))
    click.echo(result.message + ("." if result.changed else ""))
    if result.changed:
        click.echo("Run `rossum-iac plan` to see how it differs from its manifest.")


def _import_matches(
    directory: Path, env: str | None, auto_approve: bool, as_json: bool, target_options: TargetOptions
) -> None:
    from rossum_iac.engine import adopt_matches, find_matches

    stack = load_manifests(directory, env)
    if not auto_approve and not interactive():
        raise UsageError("import --match needs a confirmation, and there is no terminal to ask: pass --auto-approve")
    say = lambda text: click.echo(text, err=as_json)  # noqa: E731
    with api_target(target_options, stack=stack) as target:
        found, live, ownership = run_with_client(target, lambda client: find_matches(client, stack))
        for address, twins in found.ambiguous.items():
            listed = ", ".join(f"{t.describe()} (rossum-iac import {address} {t.id})" for t in twins)
            say(f"  ? {address}: {len(twins)} candidates, not adopted: {listed}")
        if not found.adopt:
            say("No manifest object has exactly one unmanaged twin; nothing to adopt.")
        else:
            say(f"These {len(found.adopt)} existing objects will be recorded as managed by stack {stack.name!r}:")
            for address, obj in found.adopt.items():
                say(f"  ~ {address} <- {obj.describe()}")
            if auto_approve or confirmed("Record them?", err=as_json):
                found = run_with_client(target, lambda client: adopt_matches(client, stack, found, live, ownership))
                for address, error in found.failed.items():
                    say(f"  ! {address}: FAILED: {error}")
                say(
                    f"Adopted {len(found.results)} objects. Run `rossum-iac plan {directory}` to see how they "
                    "differ from their manifests."
                )
            else:
                say("Nothing was adopted.")
                found.adopt = {}
    if as_json:
        click.echo(json.dumps(_summary(found), indent=2, ensure_ascii=False))
    if found.ambiguous or found.failed:
        sys.exit(int(ExitCode.ERROR))


def _summary(found: Any) -> dict[str, Any]:
    return {
        "adopted": [{"address": r.address, "id": r.id} for r in found.results],
        "ambiguous": {a: [{"id": t.id, "name": t.name, "url": t.url} for t in ts] for a, ts in found.ambiguous.items()},
        "failed": found.failed,
    }

"""``rossum-iac plan``: show what apply would change; optionally save the plan."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from rossum_iac.cli.common import (
    env_option,
    load_manifests,
    log,
    object_targets_option,
    parse_queue_delete_after,
    queue_delete_after_option,
    use_color,
)
from rossum_iac.cli.errors import handle_errors
from rossum_iac.cli.exit_codes import ExitCode
from rossum_iac.cli.output_format import compact_option, format_option, output_format
from rossum_iac.cli.target import TargetOptions, api_target, api_target_options, run_with_client


@click.command("plan")
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path))
@env_option
@click.option(
    "-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan (JSON) here."
)
@format_option("plan")
@compact_option
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes (0 none, 1 error).")
@click.option(
    "--fail-on-breaking",
    is_flag=True,
    help="Exit 1 when a schema change breaks something that uses it (the plan's 'breaking' warnings); for CI.",
)
@object_targets_option
@queue_delete_after_option
@api_target_options
@handle_errors
def plan(
    directory: Path,
    env: str | None,
    out: Path | None,
    output_format_name: str | None,
    as_json: bool,
    compact: bool,
    detailed_exitcode: bool,
    fail_on_breaking: bool,
    targets: tuple[str, ...],
    queue_delete_after: str | None,
    target_options: TargetOptions,
) -> None:
    """Compare the manifests in DIRECTORY with the organization and show the changes apply would make."""
    from rossum_iac.engine import PlanOptions, make_plan

    shown_as = output_format(output_format_name, as_json, compact)
    stack = load_manifests(directory, env)
    options = PlanOptions(targets=targets, queue_delete_after=parse_queue_delete_after(queue_delete_after))
    with api_target(target_options, stack=stack) as target:
        result, _ = run_with_client(target, lambda client: make_plan(client, stack, options, base_url=target.base_url))
    full = shown_as == "json"  # the renderings show neither fingerprints nor actions that change nothing
    data = result.to_json(fingerprints=full, no_ops=full)
    if shown_as == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif shown_as == "markdown":
        from rossum_iac.engine.render_markdown import render_plan_markdown

        click.echo(render_plan_markdown(data, compact=compact), nl=False)
    else:
        from rossum_iac.engine.render import render_plan

        click.echo(render_plan(data, color=use_color(), compact=compact), nl=False)
    if out is not None:
        from rossum_iac.engine.planfile import stack_secret_values, write_plan

        write_plan(out, result, secrets=stack_secret_values(stack))
        message = f"Saved the plan to {out}. Apply exactly this plan with: rossum-iac apply {out}"
        if shown_as != "text":
            log(message)
        else:
            click.echo(f"\n{message}")
    breaking = [w for w in result.warnings if w.get("type") == "breaking"]
    if fail_on_breaking and breaking:
        log(f"error: {len(breaking)} breaking schema change{'s' if len(breaking) != 1 else ''} (--fail-on-breaking):")
        for warning in breaking:
            log(f"  {warning['message']}")
        sys.exit(int(ExitCode.ERROR))
    if detailed_exitcode and result.has_changes:
        sys.exit(int(ExitCode.CHANGES))

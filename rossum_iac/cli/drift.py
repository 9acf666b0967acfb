"""``rossum-iac drift``: report how the organization differs from the manifests (exit 2 when it does)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from rossum_iac.cli.common import env_option, load_manifests, use_color
from rossum_iac.cli.errors import handle_errors
from rossum_iac.cli.exit_codes import ExitCode
from rossum_iac.cli.output_format import format_option, output_format
from rossum_iac.cli.target import TargetOptions, api_target, api_target_options, run_with_client


@click.command("drift")
@click.argument("directory", required=False, default=".", type=click.Path(path_type=Path))
@env_option
@format_option("report")
@click.option("--include-unmanaged", is_flag=True, help="Also list objects that no stack owns.")
@api_target_options
@handle_errors
def drift(
    directory: Path,
    env: str | None,
    output_format_name: str | None,
    as_json: bool,
    include_unmanaged: bool,
    target_options: TargetOptions,
) -> None:
    """Check that every object the manifests in DIRECTORY own matches them (exit 0 clean, 2 drift, 1 error)."""
    from rossum_iac.engine import check_drift
    from rossum_iac.engine.render import render_drift
    from rossum_iac.engine.render_markdown import render_drift_markdown

    shown_as = output_format(output_format_name, as_json)
    stack = load_manifests(directory, env)
    with api_target(target_options, stack=stack) as target:
        report = run_with_client(
            target, lambda client: check_drift(client, stack, include_unmanaged=include_unmanaged)
        )
    if shown_as == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    elif shown_as == "markdown":
        click.echo(render_drift_markdown(report.to_json()), nl=False)
    else:
        click.echo(render_drift(report.to_json(), color=use_color()), nl=False)
    if report.has_drift:
        sys.exit(int(ExitCode.CHANGES))

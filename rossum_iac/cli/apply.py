"""``rossum-iac apply``: make the organization match the manifests (or apply a saved plan file)."""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from rossum_iac.cli.common import (
    env_option,
    interactive,
    load_manifests,
    log,
    object_targets_option,
    parse_queue_delete_after,
    queue_delete_after_option,
    use_color,
)
from rossum_iac.cli.errors import handle_errors
from rossum_iac.cli.execute import confirmed, progress, report_interruption
from rossum_iac.cli.exit_codes import ExitCode
from rossum_iac.cli.target import TargetOptions, api_target, api_target_options, run_with_client
from rossum_iac.errors import UsageError


@dataclass(frozen=True)
class Run:
    parallelism: int
    force_unlock: bool


@click.command("apply")
@click.argument("source", required=False, default=".", type=click.Path(path_type=Path), metavar="[DIR | PLAN.json]")
@env_option
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation (required without a terminal).")
@object_targets_option
@click.option(
    "--parallelism", type=click.IntRange(1, 64), default=4, show_default=True, help="Changes made at the same time."
)
@click.option(
    "--force-unlock", is_flag=True, help="Break the lease of another apply of this stack (only when that run is gone)."
)
@queue_delete_after_option
@click.option("--json", "as_json", is_flag=True, help="Print the per-object results as JSON.")
@api_target_options
@handle_errors
def apply(
    source: Path,
    env: str | None,
    auto_approve: bool,
    targets: tuple[str, ...],
    parallelism: int,
    force_unlock: bool,
    queue_delete_after: str | None,
    as_json: bool,
    target_options: TargetOptions,
) -> None:
    """Apply the manifests in DIR (after showing the plan), or apply a plan file saved by `plan --out`."""
    from rossum_iac.engine.planfile import looks_like_plan_file

    delete_after = parse_queue_delete_after(queue_delete_after)
    # N changes at once need N requests in flight (the client's bound would otherwise cap --parallelism).
    target_options = dataclasses.replace(target_options, max_in_flight=max(parallelism, target_options.max_in_flight))
    if source.suffix.lower() == ".json" and not source.exists():
        raise UsageError(f"{source}: no such plan file")
    if looks_like_plan_file(source):
        result = _apply_saved(
            source, env, targets, delete_after, Run(parallelism, force_unlock), target_options, as_json
        )
    else:
        result = _apply_directory(
            source, env, auto_approve, targets, delete_after, Run(parallelism, force_unlock), target_options, as_json
        )
    if result is None:  # nothing to do; --json still prints a result
        _print_empty_result(as_json)
        return
    from rossum_iac.engine.render import render_results

    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        click.echo(render_results(result.to_json(), color=use_color()), nl=False)
    for warning in result.warnings:
        log(f"Warning: {warning}")
    if not result.ok:
        sys.exit(int(ExitCode.ERROR))


def _print_empty_result(as_json: bool) -> None:
    if as_json:
        from rossum_iac.engine import ApplyResult

        click.echo(json.dumps(ApplyResult().to_json(), indent=2))


def _cancelled(as_json: bool) -> NoReturn:
    """The confirmation was declined: nothing was applied, so exit 1 (as Terraform does) and scripts never read
    a cancelled apply as a success."""
    click.echo("Apply cancelled.", err=as_json)
    _print_empty_result(as_json)
    sys.exit(int(ExitCode.ERROR))


def _apply_directory(
    directory: Path,
    env: str | None,
    auto_approve: bool,
    targets: tuple[str, ...],
    delete_after: str | None,
    run: Run,
    target_options: TargetOptions,
    as_json: bool,
) -> Any:
    from rossum_iac.engine import PlanOptions, execute, make_plan
    from rossum_iac.engine.render import render_plan

    stack = load_manifests(directory, env)
    if not auto_approve and not interactive():
        raise UsageError(
            "apply needs a confirmation, and there is no terminal to ask: pass --auto-approve, or save a reviewed "
            "plan with `plan --out PLAN.json` and run `apply PLAN.json`"
        )
    options = PlanOptions(targets=targets, queue_delete_after=delete_after)
    with api_target(target_options, stack=stack) as target:
        plan, context = run_with_client(
            target, lambda client: make_plan(client, stack, options, base_url=target.base_url)
        )
        text = render_plan(plan.to_json(fingerprints=False, no_ops=False), color=use_color())
        if as_json:
            log(text.rstrip("\n"))
        else:
            click.echo(text)
        if not plan.has_changes:
            return None
        if not auto_approve and not confirmed("Do you want to perform these actions?", err=as_json):
            _cancelled(as_json)
        with report_interruption():
            return run_with_client(
                target,
                lambda client: execute(
                    client,
                    plan,
                    context,
                    parallelism=run.parallelism,
                    on_result=progress,
                    force_unlock=run.force_unlock,
                ),
            )


def _apply_saved(
    path: Path,
    env: str | None,
    targets: tuple[str, ...],
    delete_after: str | None,
    run: Run,
    target_options: TargetOptions,
    as_json: bool,
) -> Any:
    from rossum_iac.engine import apply_saved_plan, read_plan
    from rossum_iac.engine.render import summary_line

    saved = read_plan(path)
    if targets:
        raise UsageError("--target cannot be combined with a plan file: make the plan with --target instead")
    if delete_after is not None and delete_after != saved.queue_delete_after:
        raise UsageError(
            "--queue-delete-after differs from the plan's; make the plan with `plan --queue-delete-after ...`"
        )
    if env is not None and env != saved.environment:
        if saved.environment is None:
            raise UsageError(f"the plan was made without --env (stack defaults only), not for environment {env!r}")
        raise UsageError(f"the plan was made for environment {saved.environment!r}, not {env!r}")
    stack = load_manifests(_saved_manifests_dir(path, saved.manifests_dir), saved.environment)
    if not saved.has_changes:
        click.echo("No changes in the plan; nothing to apply.", err=as_json)
        return None
    log(f"Applying the saved plan {path} ({summary_line(saved.summary.to_json())})")
    with (
        api_target(target_options, stack=stack) as target,
        report_interruption(),
    ):
        return run_with_client(
            target,
            lambda client: apply_saved_plan(
                client, saved, stack, parallelism=run.parallelism, on_result=progress, force_unlock=run.force_unlock
            ),
        )


def _saved_manifests_dir(plan_path: Path, recorded: str) -> Path:
    """The manifests directory of a plan file. ``plan`` records it as given on its command line, so a relative one
    is relative to where plan ran: that is usually where apply runs, else usually where the plan file was saved."""
    directory = Path(recorded)
    if directory.is_absolute() or directory.is_dir():
        if not directory.is_dir():
            raise UsageError(f"{plan_path}: the plan's manifests directory {recorded} does not exist")
        return directory
    beside_plan = plan_path.parent / directory
    if beside_plan.is_dir():
        return beside_plan
    raise UsageError(
        f"{plan_path}: the plan's manifests directory {recorded!r} is relative to the directory plan ran in, and "
        "is neither here nor next to the plan file; run apply from the directory plan ran in"
    )

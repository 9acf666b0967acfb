"""``rossum-iac pull DIR``: write an organization (or part of it) as a stack of manifests; ``--adopt`` then takes
its objects under management, so that ``plan`` says "No changes."."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from rossum_iac.cli.common import env_option, interactive, log, use_color
from rossum_iac.cli.errors import handle_errors
from rossum_iac.cli.execute import confirmed, progress, report_interruption
from rossum_iac.cli.exit_codes import ExitCode
from rossum_iac.cli.target import TargetOptions, api_target, api_target_options, run_with_client
from rossum_iac.errors import UsageError


def default_stack_name(directory: Path) -> str:
    from rossum_iac.pull.keys import slugify

    return slugify(directory.resolve().name, "stack")


@click.command("pull")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--workspace",
    "workspaces",
    multiple=True,
    metavar="ID|NAME",
    help="Only the queues of this workspace, with what they use (repeatable).",
)
@click.option(
    "--queue",
    "queues",
    multiple=True,
    metavar="ID|NAME",
    help="Only this queue, with its hooks, inbox, templates, rules and what they use (repeatable).",
)
@click.option(
    "--kinds",
    metavar="KIND,...",
    default=None,
    help="Only objects of these kinds (e.g. Queue,Hook), with what they refer to.",
)
@click.option(
    "--stack",
    "stack_name",
    metavar="NAME",
    default=None,
    help="Name of the stack (default: the directory's name as a key).",
)
@click.option("--force", is_flag=True, help="Write into a directory that has files (files of other names are kept).")
@click.option("--adopt", is_flag=True, help="Then record every pulled object as managed by the stack.")
@click.option(
    "--auto-approve",
    is_flag=True,
    help="Do not ask before --adopt writes ownership records or --update changes files.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@click.option(
    "--update",
    is_flag=True,
    help="DIRECTORY is a stack: write the live values of its objects into its manifests where they differ, in "
    "place (comments, placeholders and includes kept); --auto-approve where there is no terminal to confirm on.",
)
@click.option("--dry-run", is_flag=True, help="With --update: show the changes (a diff) and write nothing.")
@env_option
@api_target_options
@handle_errors
def pull(
    directory: Path,
    workspaces: tuple[str, ...],
    queues: tuple[str, ...],
    kinds: str | None,
    stack_name: str | None,
    force: bool,
    adopt: bool,
    auto_approve: bool,
    as_json: bool,
    update: bool,
    dry_run: bool,
    env: str | None,
    target_options: TargetOptions,
) -> None:
    """Write the organization's configuration as manifests in DIRECTORY (a new or empty directory), or with
    --update bring the manifests of the stack in DIRECTORY in step with the organization.

    \b
    Examples:
      rossum-iac pull ./org --adopt            # everything, then manage it: `plan ./org` says No changes.
      rossum-iac pull ./ap --workspace "Accounts Payable" --stack ap
      rossum-iac pull ./ap --update --dry-run  # what changed in the UI, as a diff of the manifests
    """
    if update or dry_run or env is not None:
        others = {
            "--workspace": workspaces,
            "--queue": queues,
            "--kinds": kinds,
            "--stack": stack_name,
            "--force": force,
            "--adopt": adopt,
        }
        _update(directory, env, dry_run, auto_approve, as_json, target_options, update, others)
        return
    from rossum_iac.kinds.base import KEY_MAX_LENGTH, KEY_PATTERN
    from rossum_iac.pull import Selection, parse_kinds, read_and_pull
    from rossum_iac.pull.write import check_target, write_files

    stack = stack_name or default_stack_name(directory)
    if not re.match(KEY_PATTERN, stack) or len(stack) > KEY_MAX_LENGTH:
        raise UsageError(f"--stack {stack!r}: use lowercase letters, digits, '-' and '_' (like ap-automation)")
    selection = Selection(workspaces=workspaces, queues=queues, kinds=parse_kinds(kinds))
    check_target(directory, force)
    if adopt and not auto_approve and not interactive():
        raise UsageError("--adopt needs a confirmation, and there is no terminal to ask: pass --auto-approve")
    with api_target(target_options) as target:
        if sys.stderr.isatty():
            log("Reading the organization...")
        pulled = run_with_client(target, lambda client: read_and_pull(client, stack, selection))
        files = pulled.files
        write_files(directory, files, force=force)
        summary: dict[str, Any] = {**pulled.summary(), "directory": str(directory), "files": len(files)}
        if not as_json:
            _report(pulled, directory, len(files))
        if adopt:
            summary["adopt"] = _adopt(target, pulled, directory, auto_approve, as_json)
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    if adopt and not summary["adopt"].get("ok", True):
        sys.exit(int(ExitCode.ERROR))


def _report(pulled: Any, directory: Path, file_count: int) -> None:
    org = pulled.organization
    click.echo(
        f"Pulled {len(pulled.objects)} objects of organization {org.get('name')!r} (id {org.get('id')}) into "
        f"{directory} ({file_count} files) as stack {pulled.stack!r}."
    )
    reasons: dict[str, list[str]] = {}
    for obj, why in pulled.skipped:
        reasons.setdefault(why, []).append(obj.describe())
    for why, objects in reasons.items():
        shown = ", ".join(objects[:3]) + (f" and {len(objects) - 3} more" if len(objects) > 3 else "")
        click.echo(f"  left out ({why}): {shown}")
    for address, field, why in pulled.notes.left_out:
        click.echo(f"  not written: {address} {field} ({why})")
    if pulled.notes.secrets:
        click.echo(
            "Set these environment variables to the current values before plan or apply (write-only values "
            "are never written to files):"
        )
        width = max(len(s.name) for s in pulled.notes.secrets)
        for secret in pulled.notes.secrets:
            click.echo(f"  {secret.name:<{width}}  {secret.address} {secret.path}")


def _adopt(target: Any, pulled: Any, directory: Path, auto_approve: bool, as_json: bool) -> dict[str, Any]:
    """Record ownership of every pulled object not owned yet, through a plan that must change nothing else."""
    from rossum_iac.engine import PlanOptions, execute, make_plan
    from rossum_iac.engine.render import render_plan
    from rossum_iac.manifest import load_stack

    # The stack as pulled, with its secrets set to the live values they came from (they are only hashed).
    environ = {**os.environ, **{s.name: s.live_value for s in pulled.notes.secrets if s.live_value is not None}}
    stack = load_stack(directory, environ=environ)
    adopt = {obj.address: obj.live.tail for obj in pulled.objects if not obj.owned}
    options = PlanOptions(adopt=adopt, adopt_reason="pull")
    plan, context = run_with_client(target, lambda client: make_plan(client, stack, options))
    # `protect` (a tool option, e.g. on by default for users) is written with the ownership record itself
    unexpected = [a for a in plan.changes if a.action.value != "update" or any(c.format != "option" for c in a.changes)]
    if unexpected:
        listed = ", ".join(
            f"{a.address} ({a.action.value}: {', '.join(c.path for c in a.changes)})" for a in unexpected
        )
        raise UsageError(
            f"the pulled manifests differ from the organization for {listed}; nothing was adopted. The files are "
            f"in {directory}: run `rossum-iac plan {directory}` to see the differences"
        )
    if not plan.has_changes:
        click.echo("Every pulled object is already managed by this stack.", err=as_json)
        return {"ok": True, "adopted": 0}
    text = render_plan(plan.to_json(fingerprints=False, no_ops=False), color=use_color())
    click.echo(text, err=as_json)
    if not auto_approve and not confirmed(
        f"Record these {len(plan.changes)} objects as managed by stack {pulled.stack!r}?", err=as_json
    ):
        click.echo("Nothing was adopted.", err=as_json)
        return {"ok": False, "adopted": 0, "cancelled": True}
    with report_interruption():
        result = run_with_client(target, lambda client: execute(client, plan, context, on_result=progress))
    counts = result.counts()
    if result.ok:
        click.echo(
            f"Adopted {counts['adopted']} objects: `rossum-iac plan {directory}` now compares them with the manifests.",
            err=as_json,
        )
    return {"ok": result.ok, **result.to_json()}


# --- pull --update -------------------------------------------------------------------------------------------------


def _update(
    directory: Path,
    env: str | None,
    dry_run: bool,
    auto_approve: bool,
    as_json: bool,
    target_options: TargetOptions,
    update: bool,
    others: dict[str, Any],
) -> None:
    """``pull DIR --update``: see ``rossum_iac.pull.update``."""
    from rossum_iac.pull.update import load_for_update, read_and_update

    if not update:
        given = "--dry-run" if dry_run else "--env"
        raise UsageError(f"{given} goes with --update (bring an existing stack up to date)")
    clashing = [name for name, value in others.items() if value]
    if clashing:
        raise UsageError(f"--update works on the whole stack in {directory}; it does not take {', '.join(clashing)}")
    if not dry_run and not auto_approve and not interactive():
        raise UsageError(
            "--update asks before changing files, and there is no terminal to ask: pass --auto-approve "
            "(or --dry-run to only see the changes)"
        )
    stack = load_for_update(directory, env, os.environ)
    with api_target(target_options, stack=stack) as target:
        if sys.stderr.isatty():
            log("Reading the organization...")
        result = run_with_client(target, lambda client: read_and_update(client, stack))
    diff = result.diff()
    written = False
    if as_json:
        summary = {**result.to_json(), "directory": str(directory), "dry_run": dry_run}
    else:
        click.echo(_colored(diff), nl=False)
    if result.changes and not dry_run:
        prompt = f"Write these changes to {_count(len(result.changes), 'file')}?"
        if auto_approve or confirmed(prompt, err=as_json):
            result.write()
            written = True
        else:
            click.echo("Nothing was written.", err=as_json)
    if as_json:
        summary["written"] = written
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        _update_report(result, directory, dry_run, written)


def _colored(diff: str) -> str:
    if not use_color():
        return diff
    colors = {"+": "green", "-": "red", "@": "cyan"}
    out = []
    for line in diff.splitlines(keepends=True):
        color = None if line.startswith(("+++", "---")) else colors.get(line[:1])
        out.append(click.style(line, fg=color) if color else click.style(line, bold=line.startswith(("+++", "---"))))
    return "".join(out)


def _update_report(result: Any, directory: Path, dry_run: bool, written: bool) -> None:
    from rossum_iac.pull.update import import_hint

    org = result.organization
    objects = _count(len(result.updated), "object")
    files = _count(len(result.changes), "file")
    where = f"organization {org.get('name')!r} (id {org.get('id')})"
    if not result.changes:
        click.echo(f"The manifests of stack {result.stack.name!r} are in step with {where}; nothing to change.")
    elif dry_run:
        click.echo(f"Would change {files} for {objects} of {where} (--dry-run: nothing was written).")
    elif written:
        click.echo(f"Changed {files} for {objects} of {where}. `rossum-iac plan {directory}` compares them again.")
    if result.kept:
        click.echo("Not overwritten (the manifest decides how these values are written):")
        for kept in result.kept:
            click.echo(f"  {kept}")
    if result.not_in_stack:
        click.echo("Not in the stack (created outside it; not written):")
        for obj, refers in result.not_in_stack:
            click.echo(f"  {obj.describe()}, uses {', '.join(refers)}")
        click.echo(f"  ({import_hint(directory)})")
    if result.other_unmanaged:
        click.echo(
            f"{_count(result.other_unmanaged, 'other object')} of the organization "
            f"{'is' if result.other_unmanaged == 1 else 'are'} in no stack (see rossum-iac drift {directory} "
            "--include-unmanaged)."
        )
    if result.missing:
        click.echo("Not found in the organization (deleted outside the stack, or never applied; manifests kept):")
        for obj in result.missing:
            click.echo(
                f"  {obj.address} ({result.location(obj)}): apply creates it again; remove its manifest to "
                "accept the deletion"
            )
    if result.unrecorded:
        click.echo("Not updated: not recorded as owned yet (apply or rossum-iac import records them):")
        for obj, owned in result.unrecorded:
            click.echo(f"  {obj.address} would take over {owned.live.describe()}")
    if result.orphans:
        click.echo("Owned by the stack but without a manifest (plan would delete them):")
        for address, obj in result.orphans:
            click.echo(f"  {address}: {obj.describe()}")
    for address, fields in result.still_differs:
        click.echo(f"Warning: {address} still differs after the update in {', '.join(fields)}; plan shows it")
    for warning in result.warnings:
        click.echo(f"Warning: {warning}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"

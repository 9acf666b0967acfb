"""``rossum-iac tasks show|wait``: asynchronous API jobs (uploads, email imports, document downloads)."""

from __future__ import annotations

import sys

import click

from rossum_iac.cli._docs_common import json_option, run, timeout_option
from rossum_iac.cli._render import echo_json, render_table, status_style
from rossum_iac.cli.errors import handle_errors
from rossum_iac.cli.exit_codes import ExitCode
from rossum_iac.cli.target import TargetOptions, environment_target_options
from rossum_iac.client import APIClientError, AsyncRossumAPIClient
from rossum_iac.client.models import Task
from rossum_iac.ops.errors import operation_error
from rossum_iac.ops.inputs import check_positive, parse_id
from rossum_iac.ops.polling import Deadline, poll


@click.group("tasks")
def tasks() -> None:
    """Asynchronous API jobs: show one, or wait until it ends."""


def _task_rows(task: Task) -> list[list[str]]:
    rows = [["id", str(task.id)], ["type", task.type], ["status", task.status], ["expires at", task.expires_at]]
    for key, value in (task.content or {}).items():
        rows.append([f"content.{key}", str(value)])
    if task.result_url:
        rows.append(["result", task.result_url])
    if task.detail:
        rows.append(["detail", task.detail])
    return rows


def _print_task(task: Task, as_json: bool) -> None:
    if as_json:
        echo_json(task)
    else:
        click.echo(render_table(["field", "value"], _task_rows(task), max_width=100))


async def _retrieve(client: AsyncRossumAPIClient, task_id: int) -> Task:
    try:
        return await client.retrieve_task(task_id)
    except APIClientError as exc:
        raise operation_error(exc, f"task {task_id}") from None


@tasks.command("show")
@click.argument("task_id", metavar="ID")
@json_option
@environment_target_options
@handle_errors
def show(task_id: str, as_json: bool, target_options: TargetOptions) -> None:
    """Show task ID (type, status, what it produced)."""
    tid = parse_id(task_id, "task")
    _print_task(run(target_options, lambda client: _retrieve(client, tid)), as_json)


@tasks.command("wait")
@click.argument("task_id", metavar="ID")
@timeout_option("Give up after this many seconds (exit 1).")
@json_option
@environment_target_options
@handle_errors
def wait(task_id: str, timeout: float, as_json: bool, target_options: TargetOptions) -> None:
    """Wait until task ID has succeeded or failed; exit 1 when it failed or the timeout passed."""
    tid = parse_id(task_id, "task")
    check_positive(timeout, "--timeout")

    async def work(client: AsyncRossumAPIClient) -> Task:
        return await poll(
            lambda: _retrieve(client, tid),
            lambda t: t.status in ("succeeded", "failed"),
            deadline=Deadline(timeout),
            what=f"task {tid}",
            describe=lambda t: f"status {t.status}",
        )

    task = run(target_options, work)
    if as_json:
        echo_json(task)
    else:
        suffix = f": {task.detail}" if task.detail else ""
        click.echo(f"task {task.id} {status_style(task.status)}{suffix}")
    if task.status == "failed":
        sys.exit(int(ExitCode.ERROR))

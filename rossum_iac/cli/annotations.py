"""``rossum-iac annotations list|show|search|update|bulk-update|wait|export`` and lifecycle actions
(``start``, ``confirm``, ``cancel``, ``postpone``, ``delete``)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from typing import Any

import click

from rossum_iac.cli._docs_common import json_option, queue_options, queue_ref, run, timeout_option
from rossum_iac.cli._render import echo_json, note, progress, render_table, render_tree, status_style
from rossum_iac.cli.errors import handle_errors
from rossum_iac.cli.exit_codes import ExitCode
from rossum_iac.cli.target import TargetOptions, environment_target_options
from rossum_iac.client import APIClientError, AsyncRossumAPIClient
from rossum_iac.client.models import Annotation, Document
from rossum_iac.errors import UsageError
from rossum_iac.ops import annotations as ops
from rossum_iac.ops import inputs
from rossum_iac.ops.content import outline
from rossum_iac.ops.errors import operation_error
from rossum_iac.ops.exports import ExportJob, ExportSummary
from rossum_iac.ops.files import atomic_writer
from rossum_iac.ops.polling import Deadline
from rossum_iac.ops.queues import resolve_queue
from rossum_iac.ops.urls import id_from_url

LIST_HEADERS = ["id", "status", "file name", "document", "created at", "modified at"]


@click.group("annotations")
def annotations_group() -> None:
    """List, show, search, edit, confirm and export annotations (documents being extracted in a queue)."""


# -- shared helpers --------------------------------------------------------------------------------------


def _file_name(annotation: Annotation) -> str:
    doc = annotation.document
    if isinstance(doc, Document):
        return doc.original_file_name
    if isinstance(doc, dict):
        return str(doc.get("original_file_name") or doc.get("file_name") or "")
    return ""


def _ref_id(value: Any) -> str:
    if isinstance(value, str) and value:
        with contextlib.suppress(ValueError):
            return str(id_from_url(value))
        return value
    if value is None:
        return ""
    found = value.get("id") if isinstance(value, dict) else getattr(value, "id", None)
    return "" if found is None else str(found)


def _list_row(annotation: Annotation) -> list[Any]:
    return [
        annotation.id,
        annotation.status,
        _file_name(annotation),
        _ref_id(annotation.document),
        annotation.created_at or "",
        annotation.modified_at or "",
    ]


def _print_annotations(found: list[Annotation], as_json: bool) -> None:
    if as_json:
        echo_json([a.model_dump(by_alias=True, mode="json") for a in found])
        return
    click.echo(render_table(LIST_HEADERS, [_list_row(a) for a in found], styles={1: status_style}))
    if not found:
        note("No annotations found.")


async def _take(source: AsyncIterator[Annotation], limit: int | None) -> list[Annotation]:
    found: list[Annotation] = []
    async with contextlib.aclosing(source) as stream:  # type: ignore[type-var]
        async for item in stream:
            found.append(item)
            if limit is not None and len(found) >= limit:
                break
    return found


def _check_limit(limit: int | None) -> None:
    if limit is not None and limit < 1:
        raise UsageError(f"--limit must be a positive number, got {limit}")


# -- list / show / search --------------------------------------------------------------------------------


@annotations_group.command("list")
@queue_options(required=False)
@click.option("--status", metavar="S[,S...]", help="Only these statuses, e.g. to_review,postponed.")
@click.option("--arrived-after", metavar="DATE", help="Only annotations that arrived after this ISO 8601 date/time.")
@click.option("--arrived-before", metavar="DATE", help="Only annotations that arrived before this ISO 8601 date/time.")
@click.option("--ordering", metavar="KEYS", help="Sort keys, e.g. -created_at,id (default: the API's order).")
@click.option("--limit", type=int, default=None, metavar="N", help="Show at most N annotations.")
@json_option
@environment_target_options
@handle_errors
def list_annotations(
    queue: str | None,
    stack: str | None,
    status: str | None,
    arrived_after: str | None,
    arrived_before: str | None,
    ordering: str | None,
    limit: int | None,
    as_json: bool,
    target_options: TargetOptions,
) -> None:
    """List the annotations of a queue (a table; --json for all fields)."""
    ref = queue_ref(queue, stack)
    if ref is None:
        raise UsageError("--queue is required (a queue id or the queue's manifest key)")
    statuses = inputs.parse_statuses(status)
    after = inputs.parse_timestamp(arrived_after, "--arrived-after")
    before = inputs.parse_timestamp(arrived_before, "--arrived-before")
    order = inputs.parse_ordering(ordering)
    _check_limit(limit)

    async def work(client: AsyncRossumAPIClient) -> list[Annotation]:
        queue_id = await resolve_queue(client, ref)
        filters = ops.list_filters(queue_id=queue_id, statuses=statuses, arrived_after=after, arrived_before=before)
        if limit is not None and limit < 100:
            filters["page_size"] = limit
        try:
            return await _take(client.list_annotations(ordering=order, sideloads=["documents"], **filters), limit)
        except APIClientError as exc:
            raise operation_error(exc, f"annotations of queue {queue_id}", "list") from None

    _print_annotations(run(target_options, work), as_json)


def _detail_rows(annotation: Annotation) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["id", annotation.id],
        ["status", status_style(annotation.status)],
        ["file name", _file_name(annotation)],
        ["document", _ref_id(annotation.document)],
        ["queue", _ref_id(annotation.queue)],
        ["created at", annotation.created_at or ""],
        ["modified at", annotation.modified_at or ""],
    ]
    for label, value in (
        ("confirmed at", annotation.confirmed_at),
        ("exported at", annotation.exported_at),
        ("deleted at", annotation.deleted_at),
    ):
        if value:
            rows.append([label, value])
    if annotation.metadata:
        import json

        rows.append(["metadata", json.dumps(annotation.metadata, ensure_ascii=False, separators=(",", ":"))])
    if annotation.messages:
        for message in annotation.messages:
            rows.append(["message", f"{message.get('type', '')}: {message.get('content', '')}"])
    return rows


@annotations_group.command("show")
@click.argument("annotation_id", metavar="ID")
@click.option("--content", "with_content", is_flag=True, help="Also show the extracted fields as a tree.")
@json_option
@environment_target_options
@handle_errors
def show(annotation_id: str, with_content: bool, as_json: bool, target_options: TargetOptions) -> None:
    """Show annotation ID (status, file, queue; with --content the extracted fields)."""
    aid = inputs.parse_id(annotation_id, "annotation")

    async def work(client: AsyncRossumAPIClient) -> tuple[Annotation, list[Any] | None]:
        try:
            annotation = await client.retrieve_annotation(aid, sideloads=["documents"])
            content = (await client.retrieve_annotation_content(aid)).get("content") if with_content else None
        except APIClientError as exc:
            raise operation_error(exc, ops.subject(aid)) from None
        return annotation, content if isinstance(content, list) else ([] if with_content else None)

    annotation, content = run(target_options, work)
    if as_json:
        data = annotation.model_dump(by_alias=True, mode="json")
        if content is not None:
            data["content"] = content
        echo_json(data)
        return
    rows = _detail_rows(annotation)
    click.echo(render_table(["field", "value"], rows, max_width=100))
    if content is not None:
        click.echo("")
        click.echo(render_tree(outline(content)) if content else "(no content)")


@annotations_group.command("search")
@click.option("--query", metavar="JSON", help='Search query, e.g. {"status": {"$in": ["to_review"]}}.')
@click.option("--text", metavar="STRING", help="Full-text search string.")
@click.option("--ordering", metavar="KEYS", help="Sort keys, e.g. -created_at.")
@click.option("--limit", type=int, default=None, metavar="N", help="Show at most N annotations.")
@json_option
@environment_target_options
@handle_errors
def search(
    query: str | None,
    text: str | None,
    ordering: str | None,
    limit: int | None,
    as_json: bool,
    target_options: TargetOptions,
) -> None:
    """Search annotations in every queue by a query (--query JSON) or by text (--text)."""
    if (query is None) == (text is None):
        raise UsageError("give exactly one of --query JSON and --text STRING")
    query_obj = inputs.parse_json(query, "--query") if query is not None else None
    if text is not None and not text.strip():
        raise UsageError("--text: give a non-empty search string")
    order = inputs.parse_ordering(ordering)
    _check_limit(limit)

    async def work(client: AsyncRossumAPIClient) -> list[Annotation]:
        query_string = {"string": text} if text is not None else None
        try:
            return await _take(
                client.search_for_annotations(query_obj, query_string, ordering=order, sideloads=["documents"]), limit
            )
        except APIClientError as exc:
            raise operation_error(exc, "annotations", "search") from None

    _print_annotations(run(target_options, work), as_json)


# -- lifecycle actions -----------------------------------------------------------------------------------


def _action_command(action: str) -> click.Command:
    @click.argument("annotation_ids", nargs=-1, metavar="ID...")
    @json_option
    @environment_target_options
    @handle_errors
    def command(annotation_ids: tuple[str, ...], as_json: bool, target_options: TargetOptions) -> None:
        ids = inputs.parse_ids(annotation_ids, "annotation")

        async def work(client: AsyncRossumAPIClient) -> list[ops.ActionOutcome]:
            return list(await asyncio.gather(*(ops.run_action(client, action, aid) for aid in ids)))

        outcomes = run(target_options, work)
        if as_json:
            echo_json([o.to_json() for o in outcomes])
        for outcome in outcomes:
            if outcome.ok and not as_json:
                status = f" (status {status_style(outcome.status)})" if outcome.status else ""
                click.echo(f"{outcome.message}{status}")
            elif not outcome.ok:
                click.echo(f"Error: {outcome.message}", err=True)
        if not all(o.ok for o in outcomes):
            sys.exit(int(ExitCode.ERROR))

    return click.command(action, help=_ACTION_HELP[action])(command)


_ACTION_HELP = {
    "start": "Start reviewing annotations ID... (status reviewing; refused unless to_review, postponed or confirmed).",
    "confirm": "Confirm annotations ID... (status exported, or confirmed when the queue uses that state).",
    "cancel": "Cancel the review of annotations ID... (back to to_review or postponed).",
    "delete": "Delete annotations ID... (status deleted; they stay visible until purged).",
    "postpone": "Postpone annotations ID... (status postponed).",
}

for _action in ops.ACTIONS:
    annotations_group.add_command(_action_command(_action))


# -- edits -----------------------------------------------------------------------------------------------


@annotations_group.command("update")
@click.argument("annotation_id", metavar="ID")
@click.option("--set", "assignments", multiple=True, metavar="SCHEMA_ID=VALUE", help="Set a field's value (repeat).")
@click.option("--data", metavar="JSON", help='Update the annotation object itself (PATCH), e.g. {"metadata": {...}}.')
@json_option
@environment_target_options
@handle_errors
def update(
    annotation_id: str, assignments: tuple[str, ...], data: str | None, as_json: bool, target_options: TargetOptions
) -> None:
    """Set field values of annotation ID (--set schema_id=value ...) or patch the annotation (--data JSON)."""
    aid = inputs.parse_id(annotation_id, "annotation")
    if bool(assignments) == (data is not None):
        raise UsageError("give either --set SCHEMA_ID=VALUE (repeatable) or --data JSON, not both")
    pairs = inputs.parse_assignments(assignments)
    patch = inputs.parse_json(data, "--data") if data is not None else None
    if patch is not None and not patch:
        raise UsageError("--data: the JSON object is empty; nothing to update")

    async def work(client: AsyncRossumAPIClient) -> Any:
        if patch is not None:
            return await ops.patch(client, aid, patch)
        return await ops.set_fields(client, aid, pairs)

    result = run(target_options, work)
    if patch is not None:
        if as_json:
            echo_json(result)
        else:
            click.echo(f"annotation {aid} updated ({', '.join(sorted(patch))})")
        return
    if as_json:
        echo_json({"id": aid, "operations": result})
    else:
        for name, value in pairs:
            click.echo(f"annotation {aid}: {name} = {value!r}")


@annotations_group.command("bulk-update")
@click.argument("annotation_id", metavar="ID")
@click.option("--operations", "operations_file", metavar="FILE", help="JSON file of content operations.")
@environment_target_options
@handle_errors
def bulk_update(annotation_id: str, operations_file: str | None, target_options: TargetOptions) -> None:
    """Apply content operations (replace / add / remove, as the API documents them) to annotation ID."""
    aid = inputs.parse_id(annotation_id, "annotation")
    if operations_file is None:
        raise UsageError("--operations FILE is required")
    operations = inputs.parse_operations(operations_file)
    run(target_options, lambda client: ops.bulk_update(client, aid, operations))
    noun = "operation" if len(operations) == 1 else "operations"
    click.echo(f"annotation {aid}: {len(operations)} {noun} applied")


@annotations_group.command("wait")
@click.argument("annotation_id", metavar="ID")
@click.option(
    "--until",
    default="imported",
    show_default=True,
    metavar="imported|STATUS",
    help="What to wait for: the end of the import, or a status (e.g. exported).",
)
@timeout_option("Give up after this many seconds (exit 1).")
@json_option
@environment_target_options
@handle_errors
def wait(annotation_id: str, until: str, timeout: float, as_json: bool, target_options: TargetOptions) -> None:
    """Wait until annotation ID is imported (or reaches --until STATUS); print its status."""
    aid = inputs.parse_id(annotation_id, "annotation")
    if until != "imported":
        inputs.check_status(until, "--until")
    inputs.check_positive(timeout, "--timeout")
    annotation = run(target_options, lambda client: ops.wait_for_status(client, aid, until, Deadline(timeout)))
    if as_json:
        echo_json({"id": aid, "status": annotation.status})
    else:
        click.echo(f"annotation {aid} {status_style(annotation.status)}")
    if until == "imported" and annotation.status == "failed_import":
        sys.exit(int(ExitCode.ERROR))


# -- export ----------------------------------------------------------------------------------------------


@annotations_group.command("export")
@queue_options(required=False)
@click.option("--format", "fmt", metavar="csv|xml|xlsx|json", help="Export format.")
@click.option(
    "-o",
    "--out",
    "--output",
    "output",
    metavar="FILE",
    help="Write to FILE (replaced only once complete); default stdout.",
)
@click.option("--status", metavar="S[,S...]", help="Only these statuses (e.g. confirmed).")
@click.option("--id", "ids", metavar="ID[,ID...]", multiple=True, help="Only these annotations.")
@click.option("--arrived-after", metavar="DATE", help="Only annotations that arrived after this ISO 8601 date/time.")
@click.option("--arrived-before", metavar="DATE", help="Only annotations that arrived before this ISO 8601 date/time.")
@click.option("--columns", metavar="IDS", help="CSV/XLSX: schema ids and meta_* columns, comma-separated.")
@click.option("--to-status", metavar="exporting|exported", help="Switch the exported annotations to this status.")
@environment_target_options
@handle_errors
def export(
    queue: str | None,
    stack: str | None,
    fmt: str | None,
    output: str | None,
    status: str | None,
    ids: tuple[str, ...],
    arrived_after: str | None,
    arrived_before: str | None,
    columns: str | None,
    to_status: str | None,
    target_options: TargetOptions,
) -> None:
    """Export a queue's annotations as CSV, XML, XLSX or JSON (streamed; never held in memory)."""
    ref = queue_ref(queue, stack)
    if ref is None:
        raise UsageError("--queue is required (a queue id or the queue's manifest key)")
    if fmt is None:
        raise UsageError(f"--format is required ({', '.join(inputs.EXPORT_FORMATS)})")
    fmt = fmt.lower()
    if fmt not in inputs.EXPORT_FORMATS:
        raise UsageError(f"--format: unknown format {fmt!r} (use {', '.join(inputs.EXPORT_FORMATS)})")
    if to_status is not None and to_status not in inputs.EXPORT_TO_STATUSES:
        raise UsageError(f"--to-status: must be {' or '.join(inputs.EXPORT_TO_STATUSES)}, got {to_status!r}")
    if columns is not None and fmt not in ("csv", "xlsx"):
        raise UsageError("--columns only applies to --format csv or xlsx")
    statuses = inputs.parse_statuses(status)
    id_list = inputs.parse_ids(ids, "annotation") if ids else []
    after = inputs.parse_timestamp(arrived_after, "--arrived-after")
    before = inputs.parse_timestamp(arrived_before, "--arrived-before")
    target = inputs.check_output_file(output, "-o") if output not in (None, "-") else None
    if target is None and fmt == "xlsx" and sys.stdout.isatty():
        raise UsageError("--format xlsx is binary: give -o FILE (or redirect stdout)")

    filters = ops.list_filters(
        queue_id=None, statuses=statuses, arrived_after=after, arrived_before=before, ids=id_list
    )

    async def work(client: AsyncRossumAPIClient) -> ExportSummary:
        queue_id = await resolve_queue(client, ref, check_exists=True)
        show = None if target is not None or not sys.stdout.isatty() else False
        unit = "annotations" if fmt == "json" else "bytes"
        with progress(f"Exporting queue {queue_id}", unit=unit, enabled=show) as bar:
            job = ExportJob(queue_id, fmt, filters, to_status=to_status, columns=columns)
            job.on_progress = lambda size, count: bar.advance((count if fmt == "json" else size) - bar.done)
            if target is not None:
                with atomic_writer(target) as handle:
                    summary = await job.run(client, handle)
            else:
                stdout = sys.stdout.buffer
                summary = await job.run(client, stdout)
                stdout.flush()
        await job.switch_statuses(client, summary)
        return summary

    summary = run(target_options, work)
    if target is not None:
        count = f"{summary.annotations} annotations, " if summary.annotations is not None else ""
        note(f"Exported {count}{summary.bytes_written} bytes to {target}")
    if summary.switched:
        note(f"{len(summary.switched)} annotations moved to status {to_status}")

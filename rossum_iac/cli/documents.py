"""``rossum-iac documents upload|show|download|list``."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import Any

import click

from rossum_iac.cli._docs_common import json_option, queue_options, queue_ref, run, timeout_option
from rossum_iac.cli._render import echo_json, note, progress, render_table, status_style
from rossum_iac.cli.errors import handle_errors
from rossum_iac.cli.exit_codes import ExitCode
from rossum_iac.cli.target import TargetOptions, environment_target_options
from rossum_iac.client import APIClientError, AsyncRossumAPIClient
from rossum_iac.client.models import Document
from rossum_iac.errors import UsageError
from rossum_iac.ops import inputs
from rossum_iac.ops.errors import operation_error
from rossum_iac.ops.files import atomic_writer
from rossum_iac.ops.queues import resolve_queue
from rossum_iac.ops.uploads import IMPORTED, PENDING, SENDING, UPLOADED, UploadBatch, UploadResult
from rossum_iac.ops.urls import id_from_url

MAX_CONCURRENCY = 32


@click.group("documents")
def documents() -> None:
    """Upload documents to a queue, list them, show one, download the original file."""


# -- upload ------------------------------------------------------------------------------------------------


def _upload_rows(results: list[UploadResult], wait: bool) -> tuple[list[str], list[list[Any]]]:
    if wait:
        headers = ["file", "state", "annotation", "status", "document", "error"]
        rows: list[list[Any]] = [
            [
                r.path.name,
                r.state,
                ", ".join(str(a) for a, _ in r.annotations),
                ", ".join(s for _, s in r.annotations),
                ", ".join(map(str, r.document_ids)),
                r.error or "",
            ]
            for r in results
        ]
    else:
        headers = ["file", "state", "task", "task status", "error"]
        rows = [[r.path.name, r.state, r.task_id or "", r.task_status or "", r.error or ""] for r in results]
    if not any(r.error for r in results):
        headers, rows = headers[:-1], [row[:-1] for row in rows]
    return headers, rows


def _print_upload_report(batch: UploadBatch, queue_id: int | None, as_json: bool, shown: list[UploadResult]) -> None:
    if as_json:
        echo_json({"queue": queue_id, "results": [r.to_json() for r in shown]})
        return
    if shown:
        headers, rows = _upload_rows(shown, batch.wait)
        styles = {1: status_style}
        if batch.wait:
            styles[3] = status_style
        click.echo(render_table(headers, rows, styles=styles))


@documents.command("upload")
@click.argument("files", nargs=-1, metavar="FILE...")
@queue_options(required=False)
@click.option("--wait", is_flag=True, help="Wait until each document is imported; print its annotation and status.")
@timeout_option("With --wait: give up on a file this many seconds after its upload.")
@click.option("--metadata", metavar="JSON", help="JSON object set as the metadata of each created annotation.")
@click.option("--values", metavar="JSON", help='JSON object of initial values, e.g. {"upload:organization_unit": "x"}.')
@click.option("--concurrency", type=int, default=4, show_default=True, help="Files uploaded at the same time.")
@json_option
@environment_target_options
@handle_errors
def upload(
    files: tuple[str, ...],
    queue: str | None,
    stack: str | None,
    wait: bool,
    timeout: float,
    metadata: str | None,
    values: str | None,
    concurrency: int,
    as_json: bool,
    target_options: TargetOptions,
) -> None:
    """Upload FILE... to a queue (one upload per file, several at a time).

    Exit 1 when any file failed; on Ctrl-C the files already uploaded are listed.
    """
    ref = queue_ref(queue, stack)
    if ref is None:
        raise UsageError("--queue is required (a queue id or the queue's manifest key)")
    paths = inputs.check_upload_files(files)
    metadata_obj = inputs.parse_json(metadata, "--metadata") if metadata is not None else None
    values_obj = inputs.parse_json(values, "--values") if values is not None else None
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise UsageError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}, got {concurrency}")
    inputs.check_positive(timeout, "--timeout")

    batch = UploadBatch(paths, values_obj, metadata_obj, concurrency=concurrency, wait=wait, timeout_s=timeout)
    resolved: list[int] = []

    async def work(client: AsyncRossumAPIClient) -> None:
        queue_id = await resolve_queue(client, ref, check_exists=True)
        resolved.append(queue_id)
        await batch.run(client, queue_id)

    label = "Uploading and importing" if wait else "Uploading"
    with progress(label, len(paths)) as bar:
        batch.on_done = lambda _result: bar.advance()
        try:
            run(target_options, work, max_in_flight=concurrency)
        except KeyboardInterrupt:
            interrupted = True
        else:
            interrupted = False
    queue_id = resolved[0] if resolved else None
    if interrupted:
        sent = [r for r in batch.results if r.state not in (PENDING, SENDING)]
        unknown = [r for r in batch.results if r.state == SENDING]
        _print_upload_report(batch, queue_id, as_json, sent)
        note(
            f"Interrupted: {sum(r.reached_server for r in sent)} of {len(paths)} files were uploaded"
            + (f"; {len(unknown)} were being sent and may or may not have arrived" if unknown else "")
            + "; the others were not sent."
        )
        sys.exit(130)
    _print_upload_report(batch, queue_id, as_json, batch.results)
    failed = batch.failed
    done_word = "imported" if wait else "uploaded"
    ok = sum(1 for r in batch.results if r.state == (IMPORTED if wait else UPLOADED))
    if not as_json:
        note(f"{ok} of {len(paths)} files {done_word}" + (f", {len(failed)} failed" if failed else "") + ".")
    if failed:
        for result in failed:
            click.echo(f"Error: {result.path}: {result.error}", err=True)
        sys.exit(int(ExitCode.ERROR))


# -- show / list -----------------------------------------------------------------------------------------


def _document_rows(doc: Document) -> list[list[Any]]:
    return [
        ["id", doc.id],
        ["file name", doc.original_file_name],
        ["mime type", doc.mime_type],
        ["created at", doc.created_at],
        ["annotations", ", ".join(str(id_from_url(u)) for u in doc.annotations)],
        ["content", doc.content],
        ["metadata", _compact_json(doc.metadata) if doc.metadata else ""],
    ]


def _compact_json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def _retrieve_document(client: AsyncRossumAPIClient, document_id: int) -> Document:
    try:
        return await client.retrieve_document(document_id)
    except APIClientError as exc:
        raise operation_error(exc, f"document {document_id}") from None


@documents.command("show")
@click.argument("document_id", metavar="ID")
@json_option
@environment_target_options
@handle_errors
def show(document_id: str, as_json: bool, target_options: TargetOptions) -> None:
    """Show document ID (file name, type, annotations, metadata)."""
    did = inputs.parse_id(document_id, "document")
    doc = run(target_options, lambda client: _retrieve_document(client, did))
    if as_json:
        echo_json(doc)
    else:
        click.echo(render_table(["field", "value"], _document_rows(doc), max_width=100))


@documents.command("list")
@queue_options(required=False)
@click.option("--file-name", metavar="NAME", help="Only documents with this original file name.")
@click.option("--arrived-after", metavar="DATE", help="Only documents that arrived after this ISO 8601 date/time.")
@click.option("--arrived-before", metavar="DATE", help="Only documents that arrived before this ISO 8601 date/time.")
@click.option("--ordering", metavar="KEYS", help="Sort keys, e.g. -created_at,original_file_name.")
@click.option("--limit", type=int, default=None, metavar="N", help="Show at most N documents.")
@json_option
@environment_target_options
@handle_errors
def list_documents(
    queue: str | None,
    stack: str | None,
    file_name: str | None,
    arrived_after: str | None,
    arrived_before: str | None,
    ordering: str | None,
    limit: int | None,
    as_json: bool,
    target_options: TargetOptions,
) -> None:
    """List documents (with --queue: the documents of the queue's annotations, filtered and ordered as those)."""
    ref = queue_ref(queue, stack)
    after = inputs.parse_timestamp(arrived_after, "--arrived-after")
    before = inputs.parse_timestamp(arrived_before, "--arrived-before")
    order = inputs.parse_ordering(ordering)
    if limit is not None and limit < 1:
        raise UsageError(f"--limit must be a positive number, got {limit}")
    filters: dict[str, Any] = {}
    if after:
        filters["arrived_at_after"] = after
    if before:
        filters["arrived_at_before"] = before
    if limit is not None and limit < 100:
        filters["page_size"] = limit

    async def from_queue(client: AsyncRossumAPIClient) -> AsyncGenerator[Document, None]:
        assert ref is not None
        queue_id = await resolve_queue(client, ref)
        seen: set[int] = set()
        listing = client.list_annotations(ordering=order, sideloads=["documents"], queue=queue_id, **filters)
        async for annotation in listing:
            doc = annotation.document
            wanted = isinstance(doc, Document) and (file_name is None or doc.original_file_name == file_name)
            if isinstance(doc, Document) and wanted and doc.id not in seen:
                seen.add(doc.id)
                yield doc

    async def documents_of(client: AsyncRossumAPIClient) -> AsyncGenerator[Document, None]:
        if ref is not None:
            source: AsyncIterator[Document] = from_queue(client)
        else:
            extra = {"original_file_name": file_name} if file_name is not None else {}
            source = client.list_documents(ordering=order, **filters, **extra)
        async with contextlib.aclosing(source) as stream:  # type: ignore[type-var]
            async for doc in stream:
                yield doc

    async def work(client: AsyncRossumAPIClient) -> list[Document]:
        found: list[Document] = []
        async with contextlib.aclosing(documents_of(client)) as stream:
            async for doc in stream:
                found.append(doc)
                if limit is not None and len(found) >= limit:
                    break
        return found

    try:
        docs = run(target_options, work)
    except APIClientError as exc:
        raise operation_error(exc, "documents", "list") from None
    if as_json:
        echo_json([d.model_dump(by_alias=True, mode="json") for d in docs])
        return
    rows = [
        [d.id, d.original_file_name, d.mime_type, d.created_at, ", ".join(str(id_from_url(u)) for u in d.annotations)]
        for d in docs
    ]
    click.echo(render_table(["id", "file name", "mime type", "created at", "annotations"], rows))
    if not as_json and not docs:
        note("No documents found.")


# -- download --------------------------------------------------------------------------------------------


def _safe_name(name: str, document_id: int) -> str:
    """The file name part of ``original_file_name`` (never a path), or ``document-ID``."""
    base = Path(name.replace("\\", "/")).name.strip()
    return base if base not in ("", ".", "..") else f"document-{document_id}"


@documents.command("download")
@click.argument("document_id", metavar="ID")
@click.option(
    "-o",
    "--out",
    "--output",
    "output",
    metavar="PATH",
    help="Where to save the file ('-' for stdout; default: its original file name in the current directory, "
    "which must not exist yet).",
)
@environment_target_options
@handle_errors
def download(document_id: str, output: str | None, target_options: TargetOptions) -> None:
    """Download the original file of document ID (written to a temporary file, then renamed)."""
    did = inputs.parse_id(document_id, "document")
    target: Path | None = None
    if output not in (None, "-"):
        target = inputs.check_output_file(output, "-o")

    async def work(client: AsyncRossumAPIClient) -> tuple[Path | None, int]:
        path = target
        if output is None:
            doc = await _retrieve_document(client, did)
            path = Path(_safe_name(doc.original_file_name, did))
            if path.exists():
                raise UsageError(f"{path} already exists; choose another name with -o PATH")
        try:
            data = await client.retrieve_document_content(did)
        except APIClientError as exc:
            raise operation_error(exc, f"document {did}") from None
        if path is None:
            stdout = sys.stdout.buffer
            stdout.write(data)
            stdout.flush()
        else:
            with atomic_writer(path) as handle:
                handle.write(data)
        return path, len(data)

    path, size = run(target_options, work)
    if path is not None:
        note(f"Saved document {did} ({size} bytes) to {path}")

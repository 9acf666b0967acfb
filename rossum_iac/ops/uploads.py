"""Uploading many files to a queue with a bounded number in flight, one result per file.

``UploadBatch.results`` is filled in as files progress, so a caller interrupted half-way (Ctrl-C) can still
report which files reached the server. At most ``concurrency`` files are read into memory at a time (one per
worker); a failed file is recorded and the others go on.

Flow per file: ``POST uploads?queue=`` (the client's ``upload_document``) -> task. With ``wait``: poll the
task until it succeeded, read the upload for its documents and annotations (the API may list annotations
only after a while), then poll each annotation until it left ``importing``. ``timeout`` bounds the wait of
each file, counted from the moment its upload was accepted.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rossum_iac.client import APIClientError, AsyncRossumAPIClient
from rossum_iac.client.models import Task, Upload
from rossum_iac.ops.errors import api_error_message
from rossum_iac.ops.polling import Deadline, WaitTimeoutError, poll
from rossum_iac.ops.urls import id_from_url

PENDING, SENDING, UPLOADED, IMPORTED, FAILED = "pending", "sending", "uploaded", "imported", "failed"


def _id(url: str) -> int:
    return id_from_url(url)


@dataclass
class UploadResult:
    path: Path
    state: str = PENDING
    """``pending`` (not sent), ``sending`` (request in flight), ``uploaded`` (accepted by the API), ``imported``
    (waited for and imported), ``failed``."""
    task_id: int | None = None
    task_status: str | None = None
    document_ids: list[int] = field(default_factory=list)
    annotations: list[tuple[int, str]] = field(default_factory=list)
    """``(annotation id, status)`` pairs (filled with ``wait``)."""
    error: str | None = None

    @property
    def reached_server(self) -> bool:
        return self.task_id is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "state": self.state,
            "task": self.task_id,
            "task_status": self.task_status,
            "documents": self.document_ids,
            "annotations": [{"id": aid, "status": status} for aid, status in self.annotations],
            "error": self.error,
        }


@dataclass
class UploadBatch:
    paths: Sequence[Path]
    values: Mapping[str, Any] | None = None
    metadata: Mapping[str, Any] | None = None
    concurrency: int = 4
    wait: bool = False
    timeout_s: float | None = None
    on_done: Callable[[UploadResult], None] | None = None
    results: list[UploadResult] = field(init=False)

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        self.results = [UploadResult(path) for path in self.paths]

    @property
    def failed(self) -> list[UploadResult]:
        return [r for r in self.results if r.state == FAILED]

    async def run(self, client: AsyncRossumAPIClient, queue_id: int) -> list[UploadResult]:
        pending = iter(self.results)

        async def worker() -> None:
            for result in pending:  # a shared iterator: each file is taken by exactly one worker
                await self._one(client, queue_id, result)
                if self.on_done is not None:
                    self.on_done(result)

        async with asyncio.TaskGroup() as group:
            for _ in range(min(self.concurrency, len(self.results))):
                group.create_task(worker())
        return self.results

    async def _one(self, client: AsyncRossumAPIClient, queue_id: int, result: UploadResult) -> None:
        result.state = SENDING
        try:
            tasks = await client.upload_document(
                queue_id,
                [(result.path, result.path.name)],
                values=dict(self.values) if self.values is not None else None,
                metadata=dict(self.metadata) if self.metadata is not None else None,
            )
        except APIClientError as exc:
            result.state, result.error = FAILED, api_error_message(exc, f"upload of {result.path.name}", "upload")
            return
        except OSError as exc:
            result.state, result.error = FAILED, f"cannot read {result.path}: {exc.strerror or exc}"
            return
        task = tasks[0]
        result.state, result.task_id, result.task_status = UPLOADED, task.id, task.status
        if not self.wait:
            return
        try:
            await self._wait(client, result, task)
        except (APIClientError, WaitTimeoutError) as exc:
            result.state = FAILED
            result.error = api_error_message(exc, f"task {task.id}") if isinstance(exc, APIClientError) else str(exc)

    async def _wait(self, client: AsyncRossumAPIClient, result: UploadResult, task: Task) -> None:
        deadline = Deadline(self.timeout_s)
        name = result.path.name
        task = await poll(
            lambda: client.retrieve_task(task.id),
            lambda t: t.status in ("succeeded", "failed"),
            deadline=deadline,
            what=f"upload of {name} (task {task.id})",
            describe=lambda t: f"task {t.status}",
        )
        result.task_status = task.status
        if task.status == "failed":
            result.state, result.error = FAILED, f"upload of {name} failed: {task.detail or 'task failed'}"
            return
        upload_url = (task.content or {}).get("upload") or task.result_url
        if not upload_url:
            result.state, result.error = FAILED, f"task {task.id} succeeded but names no upload"
            return
        upload: Upload = await poll(
            lambda: client.retrieve_upload(_id(upload_url)),
            lambda u: bool(u.annotations),
            deadline=deadline,
            what=f"annotations of {name}",
        )
        result.document_ids = [_id(url) for url in upload.documents]
        for annotation_id in [_id(url) for url in upload.annotations]:
            annotation = await poll(
                functools.partial(client.retrieve_annotation, annotation_id),
                lambda a: a.status not in ("created", "importing"),
                deadline=deadline,
                what=f"import of {name} (annotation {annotation_id})",
                describe=lambda a: f"status {a.status}",
            )
            result.annotations.append((annotation_id, annotation.status))
        failed = [aid for aid, status in result.annotations if status == "failed_import"]
        if failed:
            result.state = FAILED
            result.error = f"import of {name} failed (annotation {', '.join(map(str, failed))}: failed_import)"
        else:
            result.state = IMPORTED

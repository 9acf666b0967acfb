"""Exporting a queue's annotations to a byte sink without holding the export in memory.

* CSV, XML, XLSX: one streamed request (the client's ``export_annotations_to_file``), chunks written as they
  arrive. With ``to_status`` the request is a ``POST`` and the API switches the status of what it exports.
* JSON: the API paginates JSON exports (at most 100 per page), so the pages are fetched in order and written
  as one document ``{"results": [...]}``, one annotation at a time. With ``to_status`` the statuses are switched
  only after every page was written, by ``POST`` requests naming the exported ids: switching page by page
  would shift later pages whenever the filter selects by status (``--status confirmed``), and an export cut
  short leaves nothing marked exported that was not written (call ``switch_statuses`` once the output is
  safely in place).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from rossum_iac.client import APIClientError, AsyncRossumAPIClient
from rossum_iac.ops.errors import operation_error
from rossum_iac.ops.urls import id_from_url

STATUS_SWITCH_BATCH = 100
"""Ids per ``to_status`` request after a JSON export (the JSON export's page-size limit)."""


class ByteSink(Protocol):
    def write(self, data: bytes, /) -> Any: ...


@dataclass
class ExportSummary:
    bytes_written: int = 0
    annotations: int | None = None
    """Number of annotations (JSON only: the other formats are not parsed)."""
    to_switch: list[int] = field(default_factory=list)
    """JSON with ``to_status``: ids exported, whose status ``switch_statuses`` changes afterwards."""
    switched: list[int] = field(default_factory=list)
    """Ids whose status change the API accepted."""


@dataclass
class ExportJob:
    queue_id: int
    fmt: str
    filters: Mapping[str, Any] = field(default_factory=dict)
    to_status: str | None = None
    columns: str | None = None
    on_progress: Callable[[int, int], None] | None = None
    """Called with (bytes written so far, annotations so far) after each chunk or annotation."""

    async def run(self, client: AsyncRossumAPIClient, sink: ByteSink) -> ExportSummary:
        try:
            if self.fmt == "json":
                return await self._json(client, sink)
            return await self._file(client, sink)
        except APIClientError as exc:
            raise operation_error(exc, f"queue {self.queue_id}", "export") from None

    def _progress(self, summary: ExportSummary) -> None:
        if self.on_progress is not None:
            self.on_progress(summary.bytes_written, summary.annotations or 0)

    async def _file(self, client: AsyncRossumAPIClient, sink: ByteSink) -> ExportSummary:
        filters: dict[str, Any] = dict(self.filters)
        if self.columns:
            filters["columns"] = self.columns
        if self.to_status:
            filters["to_status"] = self.to_status
        summary = ExportSummary()
        async for chunk in client.export_annotations_to_file(self.queue_id, self.fmt, **filters):
            sink.write(chunk)
            summary.bytes_written += len(chunk)
            self._progress(summary)
        return summary

    async def _json(self, client: AsyncRossumAPIClient, sink: ByteSink) -> ExportSummary:
        summary = ExportSummary(annotations=0)
        ids: list[int] = []

        def write(data: bytes) -> None:
            sink.write(data)
            summary.bytes_written += len(data)

        write(b'{"results": [')
        separator = b"\n  "
        async for record in client.request_paginated(
            f"queues/{self.queue_id}/export", format="json", **dict(self.filters)
        ):
            write(separator + json.dumps(record, ensure_ascii=False).encode())
            separator = b",\n  "
            summary.annotations = (summary.annotations or 0) + 1
            if self.to_status and isinstance(record.get("url"), str):
                ids.append(id_from_url(record["url"]))
            self._progress(summary)
        write(b"\n]}\n" if summary.annotations else b"]}\n")
        summary.to_switch = ids
        return summary

    async def switch_statuses(self, client: AsyncRossumAPIClient, summary: ExportSummary) -> None:
        """After a JSON export was written: ask the API to move the exported annotations to ``to_status``."""
        try:
            for start in range(0, len(summary.to_switch), STATUS_SWITCH_BATCH):
                batch = summary.to_switch[start : start + STATUS_SWITCH_BATCH]
                await client.request_json(
                    "POST",
                    f"queues/{self.queue_id}/export",
                    params={
                        "format": "json",
                        "to_status": self.to_status,
                        "id": ",".join(map(str, batch)),
                        "page_size": STATUS_SWITCH_BATCH,
                    },
                )
                summary.switched.extend(batch)
        except APIClientError as exc:
            raise operation_error(exc, f"queue {self.queue_id}", f"set status {self.to_status} after export") from None

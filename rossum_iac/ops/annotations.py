"""Annotation operations: lifecycle actions, field edits, waiting for a status, list filters."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rossum_iac.client import APIClientError, AsyncRossumAPIClient
from rossum_iac.client.models import Annotation
from rossum_iac.ops.content import replace_operations
from rossum_iac.ops.errors import OperationError, api_error_message, operation_error
from rossum_iac.ops.polling import Deadline, poll

#: CLI verb -> (client method, past tense for messages).
ACTIONS: dict[str, tuple[str, str]] = {
    "start": ("start_annotation", "started"),
    "confirm": ("confirm_annotation", "confirmed"),
    "cancel": ("cancel_annotation", "cancelled"),
    "delete": ("delete_annotation", "deleted"),
    "postpone": ("postpone_annotation", "postponed"),
}

#: Statuses an annotation does not leave by itself: waiting for another status ends there with an error.
SETTLED_STATUSES = frozenset({"failed_import", "failed_export", "deleted", "purged", "split"})
NOT_IMPORTED = frozenset({"created", "importing"})


@dataclass
class ActionOutcome:
    annotation_id: int
    ok: bool
    status: str | None = None
    """The annotation's status after the action (``None`` when it could not be read)."""
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.annotation_id, "ok": self.ok, "status": self.status, "message": self.message}


def subject(annotation_id: int) -> str:
    return f"annotation {annotation_id}"


async def annotation_status(client: AsyncRossumAPIClient, annotation_id: int) -> str:
    try:
        return (await client.retrieve_annotation(annotation_id)).status
    except APIClientError as exc:
        raise operation_error(exc, subject(annotation_id)) from None


async def run_action(client: AsyncRossumAPIClient, action: str, annotation_id: int) -> ActionOutcome:
    """Run one lifecycle action; a refusal becomes ``annotation 77 is in status exported; cannot start``."""
    method, done = ACTIONS[action]
    try:
        await getattr(client, method)(annotation_id)
    except APIClientError as exc:
        message = api_error_message(exc, subject(annotation_id), action)
        status: str | None = None
        if exc.status_code == 409:
            with contextlib.suppress(OperationError):
                status = await annotation_status(client, annotation_id)
                message = f"{subject(annotation_id)} is in status {status}; cannot {action}"
        return ActionOutcome(annotation_id, False, status, message)
    try:
        after: str | None = await annotation_status(client, annotation_id)
    except OperationError:
        after = None
    return ActionOutcome(annotation_id, True, after, f"{subject(annotation_id)} {done}")


async def set_fields(
    client: AsyncRossumAPIClient, annotation_id: int, assignments: Sequence[tuple[str, str]]
) -> list[dict[str, Any]]:
    """Replace the values of the named fields (by schema id); returns the operations sent."""
    try:
        data = await client.retrieve_annotation_content(annotation_id)
    except APIClientError as exc:
        raise operation_error(exc, subject(annotation_id)) from None
    content = data.get("content")
    if not isinstance(content, list):
        raise OperationError(f"{subject(annotation_id)} has no content yet (is it still importing?)")
    operations = replace_operations(content, assignments, annotation_id)
    await bulk_update(client, annotation_id, operations)
    return operations


async def bulk_update(client: AsyncRossumAPIClient, annotation_id: int, operations: list[dict[str, Any]]) -> None:
    try:
        await client.bulk_update_annotation_data(annotation_id, operations)
    except APIClientError as exc:
        raise operation_error(exc, subject(annotation_id), "update") from None


async def patch(client: AsyncRossumAPIClient, annotation_id: int, data: dict[str, Any]) -> Annotation:
    try:
        return await client.update_part_annotation(annotation_id, data)
    except APIClientError as exc:
        raise operation_error(exc, subject(annotation_id), "update") from None


async def wait_for_status(
    client: AsyncRossumAPIClient, annotation_id: int, until: str, deadline: Deadline
) -> Annotation:
    """Poll until the annotation is imported (``until="imported"``: any status past ``importing``) or has
    status ``until``. Reaching a settled status (``failed_import``, ``deleted`` ...) other than the one
    awaited ends the wait with an error."""

    async def fetch() -> Annotation:
        try:
            return await client.retrieve_annotation(annotation_id)
        except APIClientError as exc:
            raise operation_error(exc, subject(annotation_id)) from None

    def done(annotation: Annotation) -> bool:
        if until == "imported":
            return annotation.status not in NOT_IMPORTED
        return annotation.status == until or annotation.status in SETTLED_STATUSES

    annotation = await poll(
        fetch,
        done,
        deadline=deadline,
        what=f"waiting for {subject(annotation_id)} to become {until}",
        describe=lambda a: f"status {a.status}",
    )
    if until != "imported" and annotation.status != until:
        raise OperationError(f"{subject(annotation_id)} reached status {annotation.status} while waiting for {until}")
    return annotation


def list_filters(
    *,
    queue_id: int | None,
    statuses: Sequence[str] = (),
    arrived_after: str | None = None,
    arrived_before: str | None = None,
    ids: Sequence[int] = (),
) -> dict[str, Any]:
    """Query filters of ``GET annotations`` / ``queues/{id}/export`` (comma lists as the API documents)."""
    filters: dict[str, Any] = {}
    if queue_id is not None:
        filters["queue"] = queue_id
    if statuses:
        filters["status"] = ",".join(statuses)
    if arrived_after:
        filters["arrived_at_after"] = arrived_after
    if arrived_before:
        filters["arrived_at_before"] = arrived_before
    if ids:
        filters["id"] = ",".join(str(i) for i in ids)
    return filters

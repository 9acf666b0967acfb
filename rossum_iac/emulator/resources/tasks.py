"""tasks: ``GET /tasks/{id}`` only.

A task is created by ``POST /uploads`` (``upload_created``) and ``POST /emails/import``
(``email_imported``); it is ``running`` until its annotations have left ``importing`` (see
``_importing``), then ``succeeded``. ``content`` is ``{"upload": URL}`` for uploads (present from the
start, so pollers can follow it early) and ``{"email": URL}`` for email imports; ``result_url`` is set
once the task succeeded. A succeeded task answers **303** with ``Location: result_url`` unless
``no_redirect`` is true (``true``/``True``/``1``), then 200 with the task. ``expires_at`` = creation + 24 h.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rossum_iac.emulator.fields import Field, f_derived, format_datetime
from rossum_iac.emulator.http import Request, Response
from rossum_iac.emulator.resource import Resource, register
from rossum_iac.emulator.resources._importing import settle_imports

TASK_TYPES = ("documents_download", "upload_created", "email_imported")
TASK_LIFETIME = timedelta(hours=24)


def _content(req: Request, obj: dict[str, Any]) -> dict[str, Any]:
    if obj.get("_upload") is not None:
        return {"upload": req.url_for("uploads", obj["_upload"])}
    if obj.get("_email") is not None:
        return {"email": req.url_for("emails", obj["_email"])}
    return dict(obj.get("_content") or {})


def result_url(req: Request, obj: dict[str, Any]) -> str | None:
    if obj.get("status") != "succeeded":
        return None
    if obj.get("_upload") is not None:
        return req.url_for("uploads", obj["_upload"])
    if obj.get("_email") is not None:
        return req.url_for("emails", obj["_email"])
    return obj.get("_result_url")


def _expires_at(req: Request, obj: dict[str, Any]) -> str:
    created = datetime.fromtimestamp(float(obj.get("_created") or 0), UTC)
    return format_datetime(created + TASK_LIFETIME)


class Tasks(Resource):
    collection = "tasks"
    write_roles = None
    fields = [
        Field("type", "str", read_only=True, choices=TASK_TYPES),
        Field("status", "str", read_only=True),
        f_derived("expires_at", _expires_at),
        Field("detail", "str", read_only=True, nullable=True),
        f_derived("content", _content),
        Field("code", "str", read_only=True, nullable=True),
        f_derived("result_url", result_url),
    ]

    def handle_retrieve(self, req: Request) -> Any:
        settle_imports(req.tx)
        task = req.tx.require("tasks", req.path_params["id"])
        rendered = self.render(req, task)
        if task.get("status") == "succeeded" and rendered["result_url"] and not req.bool_param("no_redirect"):
            return Response(303, None, headers={"Location": rendered["result_url"]})
        return rendered


TASKS = register(Tasks(), ("retrieve",))

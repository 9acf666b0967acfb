"""workspaces: CRUD. ``queues`` is derived from ``queue.workspace`` (queues scheduled for deletion are
unlinked, so they do not count); DELETE with queues -> 409. ``organization`` defaults to the caller's.
``autopilot`` is read-only (deprecated) and always false.
"""

from __future__ import annotations

from typing import Any

from rossum_iac.emulator.fields import Field, f_derived, f_str
from rossum_iac.emulator.http import Conflict, Request
from rossum_iac.emulator.listing import Exact, Ids, Ref, orderings_for
from rossum_iac.emulator.resource import Resource, register
from rossum_iac.emulator.resources.common import f_metadata


def _queues(req: Request, obj: dict[str, Any]) -> list[str | None]:
    return [req.url_for("queues", i) for i in req.tx.ids_where("queues", "workspace", obj["id"])]


class Workspaces(Resource):
    collection = "workspaces"
    fields = [
        f_str("name", required=True, allow_blank=False, max_length=255),
        Field("autopilot", "bool", read_only=True, default=False),
        Field("organization", "ref", target="organizations"),
        f_derived("queues", _queues),
        f_metadata(),
    ]
    filters = {"id": Ids(), "name": Exact("name"), "organization": Ref("organization")}
    orderings = orderings_for("id", "name")

    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        if obj.get("organization") is None and req.user is not None:
            obj["organization"] = req.user["organization"]

    def before_delete(self, req: Request, obj: dict[str, Any]) -> None:
        if req.tx.ids_where("queues", "workspace", obj["id"]):
            raise Conflict("Workspace cannot be deleted because it contains queues.")


WORKSPACES = register(Workspaces())

"""connectors: CRUD. ``queues`` is writable and mirrors ``queue.connector`` (a queue has at most one
connector: listing a queue here moves it from its previous connector). ``client_ssl_key`` is write-only
(stored, never returned); ``authorization_token`` is returned to admins only (hidden for other roles).
"""

from __future__ import annotations

from typing import Any

from rossum_iac.emulator.fields import Field, f_bool, f_str, f_virtual_refs
from rossum_iac.emulator.http import Request
from rossum_iac.emulator.listing import Exact, Ids, orderings_for
from rossum_iac.emulator.resource import Resource, has_role, register
from rossum_iac.emulator.resources.common import f_metadata, modified_fields
from rossum_iac.emulator.resources.groups import ADMIN_ROLES


def _queues(req: Request, obj: dict[str, Any]) -> list[str | None]:
    return [req.url_for("queues", i) for i in req.tx.ids_where("queues", "connector", obj["id"])]


class Connectors(Resource):
    collection = "connectors"
    fields = [
        f_str("name", required=True, allow_blank=False, max_length=255),
        f_virtual_refs("queues", "queues", _queues),
        Field("service_url", "url", required=True),
        Field("params", "str", nullable=True),
        Field("client_ssl_certificate", "str", nullable=True),
        Field("client_ssl_key", "str", nullable=True, write_only=True),
        Field("authorization_type", "str", default="secret_key", choices=("secret_key", "Basic")),
        Field("authorization_token", "str", nullable=True),
        f_bool("asynchronous", default=True),
        f_metadata(),
        *modified_fields(),
    ]
    filters = {"id": Ids(), "name": Exact("name"), "service_url": Exact("service_url")}
    orderings = orderings_for("id", "name", "service_url")

    def post_render(self, req: Request, obj: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
        if req.user is not None and not has_role(req.tx, req.user, ADMIN_ROLES):
            out.pop("authorization_token", None)
        return out

    def after_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        if "queues" not in values:
            return
        tx = req.tx
        wanted = set(values["queues"])
        for queue_id in tx.ids_where("queues", "connector", obj["id"]):
            if queue_id not in wanted:
                queue = tx.require("queues", queue_id)
                queue["connector"] = None
                tx.save("queues", queue)
        for queue_id in wanted:
            queue = tx.require("queues", queue_id)
            if queue.get("connector") != obj["id"]:
                queue["connector"] = obj["id"]
                tx.save("queues", queue)


CONNECTORS = register(Connectors())

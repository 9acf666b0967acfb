"""organizations (GET, PUT/PATCH of name/metadata/ui_settings/settings/sandbox; no POST/DELETE),
``/organizations/{id}/limits``, and organization_groups (GET).

``workspaces`` and ``users`` are derived (workspaces/users whose ``organization`` is this one).
``/organizations/create`` (needs a Rossum-issued create_key) is not emulated.
"""

from __future__ import annotations

from typing import Any

from rossum_iac.emulator.fields import Field, f_bool, f_derived, f_dict, f_str
from rossum_iac.emulator.http import Request
from rossum_iac.emulator.listing import Exact, Ids, orderings_for
from rossum_iac.emulator.resource import READ_ONLY_METHODS, Resource, register
from rossum_iac.emulator.resources.common import f_metadata, modified_fields
from rossum_iac.emulator.routing import route


def _reverse(collection: str, field: str) -> Any:
    def derive(req: Request, obj: dict[str, Any]) -> list[str | None]:
        return [req.url_for(collection, i) for i in req.tx.ids_where(collection, field, obj["id"])]

    return derive


class Organizations(Resource):
    collection = "organizations"
    fields = [
        f_str("name", required=True, allow_blank=False, max_length=255),
        f_derived("workspaces", _reverse("workspaces", "organization")),
        f_derived("users", _reverse("users", "organization")),
        Field("organization_group", "ref", target="organization_groups", read_only=True, nullable=True),
        f_dict("ui_settings"),
        f_metadata(),
        Field("is_trial", "bool", read_only=True, default=False),
        Field("created_at", "datetime", read_only=True, nullable=True),
        Field("trial_expires_at", "datetime", read_only=True, nullable=True),
        Field("oidc_provider", "str", read_only=True, nullable=True),
        Field("internal_info", "dict", read_only=True, nullable=True, default=dict),
        Field("creator", "ref", target="users", read_only=True, nullable=True),
        *modified_fields(),
        f_dict("settings", default={"annotation_list_table": {}}),
        f_bool("sandbox"),
    ]
    filters = {"id": Ids(), "name": Exact("name")}
    orderings = orderings_for("id", "name")


ORGANIZATIONS = register(Organizations(), ("list", "retrieve", "update", "partial_update"))


@route("GET", "/organizations/{id}/limits")
def organization_limits(req: Request) -> Any:
    org = req.tx.require("organizations", req.path_params["id"])
    limits = org.get("_email_limits") or {}
    return {
        "email_limits": {
            "count_today": limits.get("count_today", 0),
            "count_today_notification": limits.get("count_today_notification", 0),
            "count_total": limits.get("count_total", 0),
            "email_per_day_limit": limits.get("email_per_day_limit", 10),
            "email_per_day_limit_notification": limits.get("email_per_day_limit_notification", 10),
            "email_total_limit": limits.get("email_total_limit", 20),
            "last_sent_at": limits.get("last_sent_at"),
            "last_sent_at_notification": limits.get("last_sent_at_notification"),
        }
    }


class OrganizationGroups(Resource):
    collection = "organization_groups"
    fields = [
        f_str("name", required=True),
        Field("is_trial", "bool", read_only=True, default=False),
        Field("is_production", "bool", read_only=True, default=True),
        Field("deployment_location", "str", read_only=True, default="emulator"),
        Field("features", "dict", read_only=True, nullable=True),
        Field("usage", "dict", read_only=True, default=dict),
        *modified_fields(),
    ]
    filters = {"id": Ids(), "name": Exact("name")}
    orderings = orderings_for("id", "name")


ORGANIZATION_GROUPS = register(OrganizationGroups(), READ_ONLY_METHODS)

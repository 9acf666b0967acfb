"""inboxes: CRUD with a generated address.

Behaviour: ``queues`` must hold exactly one queue on create (the API keeps a list for backward
compatibility); it is stored as ``queue.inbox`` and cannot be changed afterwards (400; sending the same
value is accepted). A queue already having an inbox -> 400. ``email`` is generated as
``<email_prefix>-<6 hex>@<organization domain>`` unless given on create (then its domain must be the
organization's); it never changes afterwards. ``email_prefix`` (<= 57 chars) is required unless ``email`` is
given. Emails are unique. Deleting an inbox clears ``queue.inbox``.
"""

from __future__ import annotations

import secrets
from typing import Any

from rossum_iac.emulator.fields import Field, f_bool, f_dict, f_str, f_virtual_refs
from rossum_iac.emulator.http import BadRequest, Request
from rossum_iac.emulator.listing import Bool, Exact, Ids, orderings_for
from rossum_iac.emulator.resource import Resource, register
from rossum_iac.emulator.resources.common import f_metadata, modified_fields
from rossum_iac.emulator.seed import ORG_DOMAIN

DEFAULT_FILTERS = {
    "allowed_senders": [],
    "denied_senders": [],
    "document_rejection_conditions": {
        "enabled": True,
        "resolution_lower_than_px": [1200, 600],
        "file_size_less_than_b": None,
        "mime_types": ["image/gif"],
        "file_name_regexes": None,
    },
}


def _queues(req: Request, obj: dict[str, Any]) -> list[str | None]:
    return [req.url_for("queues", i) for i in req.tx.ids_where("queues", "inbox", obj["id"])]


class Inboxes(Resource):
    collection = "inboxes"
    fields = [
        f_str("name", required=True, allow_blank=False, max_length=255),
        f_virtual_refs("queues", "queues", _queues),
        Field("email", "email", create_only=True, default=""),
        Field("email_prefix", "str", max_length=57, default=""),
        Field("bounce_email_to", "email", nullable=True),
        f_bool("bounce_unprocessable_attachments"),
        f_bool("bounce_postponed_annotations"),
        f_bool("bounce_deleted_annotations"),
        f_bool("bounce_email_with_no_attachments", default=True),
        f_metadata(),
        f_dict("filters", default=DEFAULT_FILTERS),
        Field("dmarc_check_action", "str", default="accept", choices=("accept", "drop")),
        *modified_fields(),
    ]
    filters = {
        "id": Ids(),
        "name": Exact("name"),
        "email": Exact("email"),
        "email_prefix": Exact("email_prefix"),
        "bounce_email_to": Exact("bounce_email_to"),
        "bounce_unprocessable_attachments": Bool("bounce_unprocessable_attachments"),
        "bounce_postponed_annotations": Bool("bounce_postponed_annotations"),
        "bounce_deleted_annotations": Bool("bounce_deleted_annotations"),
    }
    orderings = orderings_for("id", "name", "email", "email_prefix", "bounce_email_to")

    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        tx = req.tx
        domain = self._domain(req)
        if old is None:
            queues = values.get("queues")
            if queues is None or len(queues) != 1:
                raise BadRequest({"queues": ["An inbox must be linked to exactly one queue."]})
            queue = tx.require("queues", queues[0])
            if queue.get("inbox") is not None:
                raise BadRequest({"queues": ["This queue already has an inbox."]})
            if values.get("email"):
                if values["email"].rsplit("@", 1)[1].lower() != domain:
                    raise BadRequest({"email": [f"The email domain must be {domain}."]})
            elif not obj.get("email_prefix"):
                raise BadRequest({"email_prefix": ["This field is required when email is not given."]})
            else:
                obj["email"] = f"{obj['email_prefix']}-{secrets.token_hex(3)}@{domain}"
            if tx.find("inboxes", email=obj["email"]):
                raise BadRequest({"email": ["Inbox with this email already exists."]})
        elif "queues" in values:
            current = tx.ids_where("queues", "inbox", old["id"])
            if sorted(values["queues"]) != current:
                raise BadRequest({"queues": ["The queue of an inbox cannot be changed after creation."]})

    def after_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        if old is None:
            queue = req.tx.require("queues", values["queues"][0])
            queue["inbox"] = obj["id"]
            req.tx.save("queues", queue)

    @staticmethod
    def _domain(req: Request) -> str:
        org_id = req.user["organization"] if req.user else req.tx.meta_get("organization")
        org = req.tx.get("organizations", org_id) if org_id else None
        return str((org or {}).get("_domain") or ORG_DOMAIN)


INBOXES = register(Inboxes())

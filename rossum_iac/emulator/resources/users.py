"""users (+ roles helpers). DELETE is a soft delete (``deleted: true``, ``is_active: false``, tokens revoked).

Choices: ``email`` and ``password`` are accepted on create only (the API forbids changing them; later
values are ignored); ``username`` must be unique (400); ``organization`` defaults to the caller's;
deleting the last active admin of an organization -> 403; non-admins may only delete themselves (403).
``queues`` is the same M2M as ``queue.users`` (writable from both sides).
"""

from __future__ import annotations

from typing import Any

from rossum_iac.emulator.fields import Field, f_bool, f_dict, f_refs, f_str, now_iso
from rossum_iac.emulator.http import BadRequest, Forbidden, Request, no_content
from rossum_iac.emulator.listing import Bool, Contains, DateCmp, Exact, Ids, Linked, Ref, orderings_for
from rossum_iac.emulator.resource import Resource, has_role, register
from rossum_iac.emulator.resources.common import f_metadata
from rossum_iac.emulator.resources.groups import ADMIN_ROLES
from rossum_iac.emulator.security import hash_password
from rossum_iac.emulator.store import Tx, field_sql

QUEUE_USER = "queue_user"  # links: a = queue id, b = user id


def is_admin(tx: Tx, user: dict[str, Any] | None) -> bool:
    return user is not None and has_role(tx, user, ADMIN_ROLES)


class Users(Resource):
    collection = "users"
    fields = [
        f_str("first_name", max_length=150),
        f_str("last_name", max_length=150),
        Field("email", "email", default="", create_only=True),
        Field("phone_number", "str", nullable=True, max_length=50),
        Field("password", "str", write_only=True, create_only=True, nullable=True),
        Field("date_joined", "datetime", nullable=True),
        f_str("username", required=True, allow_blank=False, max_length=150),
        f_refs("groups", "groups"),
        Field("organization", "ref", target="organizations"),
        Field("queues", "m2m", target="queues", relation=QUEUE_USER, side="b", default=[]),
        f_bool("is_active", default=True),
        Field("last_login", "datetime", read_only=True, nullable=True),
        f_dict("ui_settings"),
        f_metadata(),
        Field("oidc_id", "str", nullable=True),
        Field("auth_type", "str", default="password", choices=("password", "sso")),
        Field("deleted", "bool", read_only=True, default=False),
    ]
    filters = {
        "id": Ids(),
        "organization": Ref("organization"),
        "username": Exact("username"),
        "first_name": Exact("first_name"),
        "last_name": Exact("last_name"),
        "email": Exact("email"),
        "is_active": Bool("is_active"),
        "last_login": Exact("last_login"),
        "last_login_before": DateCmp("last_login", "<"),
        "last_login_after": DateCmp("last_login", ">"),
        "groups": Contains("groups"),
        "queue": Linked(QUEUE_USER, "b"),
        "deleted": Bool("deleted"),
    }
    orderings = {
        **orderings_for("id", "username", "first_name", "last_name", "email", "last_login", "date_joined", "deleted"),
        "not_deleted": f"NOT {field_sql('deleted')}",
    }

    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        password = obj.pop("password", None)
        if old is None:
            if password:
                obj["_password"] = hash_password(password)
            if obj.get("organization") is None:
                obj["organization"] = req.user["organization"] if req.user else None
            if not obj.get("date_joined"):
                obj["date_joined"] = now_iso()
        if "username" in values:
            clash = [
                u for u in req.tx.find("users", username=values["username"]) if old is None or u["id"] != old["id"]
            ]
            if clash:
                raise BadRequest({"username": ["A user with that username already exists."]})

    def check_write(self, req: Request, obj: dict[str, Any] | None) -> None:
        if obj is not None and req.user is not None and obj["id"] == req.user["id"]:
            return  # everyone may edit (and delete) themselves
        super().check_write(req, obj)

    def handle_destroy(self, req: Request) -> Any:
        tx = req.tx
        user = tx.require("users", req.path_params["id"])
        me = req.user or {}
        if user["id"] != me.get("id") and not is_admin(tx, me):
            raise Forbidden()
        if user.get("deleted"):
            return no_content()
        if is_admin(tx, user):
            admins = [
                u
                for u in tx.find("users", organization=user.get("organization"))
                if u["id"] != user["id"] and not u.get("deleted") and u.get("is_active", True) and is_admin(tx, u)
            ]
            if not admins:
                raise Forbidden("The last admin of an organization cannot be deleted.")
        user["deleted"] = True
        user["is_active"] = False
        tx.save("users", user)
        tx.delete_user_tokens(user["id"])
        return no_content()


USERS = register(Users())

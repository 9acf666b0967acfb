"""User: a person or technical account of the organization, its roles and state (API reference "User").

- Identity across organizations: the manifest key. ``username`` is unique in the whole Rossum deployment, so the
  same person cannot have the same username in a dev and a prod organization of one deployment: write it per
  environment (``username: ${var.ap_clerk_username}``, or ``ap-clerk@${var.user_domain}``).
- Roles (``groups``) are named (``annotator``, ``admin``...): every organization has the same role names, with ids
  of its own.
- Queue access is written on the queue side (``Queue.users``), like hooks' queues.
- Passwords are never managed: users set theirs (reset-password email) or sign in with SSO.
- Protected by default: the API's delete is an irreversible soft delete, so a user leaves the organization only
  when its manifest first says ``protect: false`` (apply), and is then removed from the manifests.
"""

from __future__ import annotations

from rossum_iac.kinds.base import READ_ONLY, SET_BY_API, Field, KindDef
from rossum_iac.kinds.fragments import boolean, enum, metadata, nullable, obj, string

ROLE_NAMES = [
    "viewer",
    "annotator",
    "admin",
    "manager",
    "annotator_limited",
    "organization_group_admin",
    "approver",
    "annotator_embedded",
]
"""The user roles the API reference lists ("User Role"); organizations may differ in which they offer."""

KIND = KindDef(
    rank=35,
    name="User",
    collection="users",
    description="A user of the organization: username, name, roles (by name) and whether it is active. Queue "
    "access is written on the queue (Queue.users); passwords are never managed.",
    folder="users",
    label="user",
    organization_field="organization",
    natural_key=("username",),
    name_field="username",
    protect_by_default=True,
    soft_delete="deleted",
    pull_when_referenced=True,
    fields={
        "username": Field(
            string("Login name, unique in the whole Rossum deployment: use ${var...} per environment.", maxLength=150),
            required=True,
        ),
        "email": Field(
            string("Email address; the API takes it on create only (it cannot be changed through the API)."),
            create_only=True,
        ),
        "first_name": Field(string("First name.", maxLength=150)),
        "last_name": Field(string("Last name.", maxLength=150)),
        "phone_number": Field(nullable("string", "Phone number.", maxLength=50)),
        "groups": Field(
            {
                "type": "array",
                "items": {"type": "string", "examples": ROLE_NAMES},
                "description": "Roles by name: " + ", ".join(ROLE_NAMES) + ".",
            },
            catalog="groups",
            many=True,
            set_like=True,
            default=[],
        ),
        "is_active": Field(boolean("Whether the user may sign in (false disables the user)."), default=True),
        "auth_type": Field(enum(["password", "sso"], "Sign-in method."), default="password"),
        "oidc_id": Field(nullable("string", "OIDC provider id matching the user (SSO)."), default=None),
        "ui_settings": Field(obj("User UI settings (Rossum internal, e.g. locale)."), default={}),
        "metadata": Field(metadata(), default={}),
        "queues": Field(read_only="is written from the queue side: list the user under 'users' of the Queue"),
        "password": Field(
            read_only="is never managed by rossum-iac: users set their own password (reset-password email) or "
            "sign in with SSO"
        ),
        "organization": Field(read_only="is set by rossum-iac to the organization of the target environment"),
        "date_joined": Field(read_only=SET_BY_API),
        "last_login": Field(read_only=READ_ONLY),
        "deleted": Field(read_only=READ_ONLY + "; a user leaves the manifests to be deleted (soft delete)"),
    },
)

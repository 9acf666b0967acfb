"""First-start data: organization group, organization, roles, admin user + fixed token, a generic engine,
hook templates and an engine with fields (so those client methods return something).

Idempotent: the base data is created once per DB (``meta.seeded``); the configured admin
username/password/token are applied at every start so the printed credentials always work.

Every new DB gets its own organization: a random id in :data:`ORG_ID_RANGE` (outside the per-collection id
ranges of ``store.first_id``) and the name ``Emulator organization <id in hex>``, so a plan made against one
emulator DB is refused as "another organization" when applied to another, as it would be between two real
organizations. A DB file keeps its organization across restarts. Tests that need a fixed organization
pass ``organization_id``/``organization_name`` (an explicit id must match an existing DB's; an explicit
name renames the organization at every start).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from rossum_iac.emulator.fields import now_iso
from rossum_iac.emulator.resource import RESOURCES
from rossum_iac.emulator.security import hash_password
from rossum_iac.emulator.store import Store, Tx

ORG_DOMAIN = "emulator.rossum.local"
ORG_ID_RANGE = (1_000_000_000, 2_000_000_000)
"""New organizations get a random id in [low, high) (below 2**31, like Django's AutoField)."""
GROUP_IDS = {
    "viewer": 1, "annotator": 2, "admin": 3, "manager": 4, "annotator_limited": 5,
    "organization_group_admin": 6, "approver": 7, "annotator_embedded": 8,
}  # fmt: skip


def _new(collection: str, **values: Any) -> dict[str, Any]:
    res = RESOURCES.get(collection)
    base = res.new_object() if res is not None else {}
    base.update(values)
    return base


def new_organization_id() -> int:
    low, high = ORG_ID_RANGE
    return low + secrets.randbelow(high - low)


def default_organization_name(org_id: int) -> str:
    return f"Emulator organization {org_id:x}"


def seed_database(
    store: Store,
    *,
    username: str,
    password: str,
    token: str,
    organization_id: int | None = None,
    organization_name: str | None = None,
) -> int:
    """Seed a new DB (or re-apply the admin credentials to an existing one); returns the organization id.

    ValueError when ``organization_id`` differs from the organization an existing DB already has."""
    if organization_id is not None and (
        isinstance(organization_id, bool) or not isinstance(organization_id, int) or not 0 < organization_id < 2**63
    ):
        raise ValueError(f"organization_id must be a positive integer, got {organization_id!r}")
    if organization_name is not None and not organization_name.strip():
        raise ValueError("organization_name must not be blank")
    with store.transaction() as tx:
        if not tx.meta_get("seeded"):
            org_id = organization_id if organization_id is not None else new_organization_id()
            _seed_base(tx, org_id, organization_name or default_organization_name(org_id))
            tx.meta_set("seeded", True)
        else:
            org_id = int(tx.meta_get("organization"))
            if organization_id is not None and organization_id != org_id:
                raise ValueError(
                    f"this emulator database already has organization {org_id}; "
                    f"it cannot be started with organization_id={organization_id}"
                )
            if organization_name is not None:
                org = tx.require("organizations", org_id)
                if org.get("name") != organization_name:
                    org.update(name=organization_name, modified_at=now_iso())
                    tx.save("organizations", org)
        _ensure_admin(tx, username=username, password=password, token=token)
    return org_id


def _seed_base(tx: Tx, org_id: int, org_name: str) -> None:
    now = now_iso()
    group = tx.insert(
        "organization_groups",
        _new("organization_groups", name="Emulator organization group", is_trial=False, is_production=False,
             deployment_location="emulator", features=None, usage={}, modified_at=now),
    )  # fmt: skip
    org = tx.insert(
        "organizations",
        _new("organizations", name=org_name, organization_group=group["id"], created_at=now,
             is_trial=False, trial_expires_at=None, oidc_provider=None,
             internal_info={"cs_account_classification": None, "customer_type": None, "market_category": None,
                            "overdue_payment_date": None, "sso_active": False},
             modified_at=now, _domain=ORG_DOMAIN,
             _email_limits={"email_per_day_limit": 10, "email_per_day_limit_notification": 10,
                            "email_total_limit": 20}),
        obj_id=org_id,
    )  # fmt: skip
    tx.meta_set("organization", org["id"])
    for name, gid in GROUP_IDS.items():
        tx.insert("groups", {"name": name}, obj_id=gid)
    generic = tx.insert(
        "generic_engines",
        _new("generic_engines", name="Generic engine (emulator)", description="Default generic extraction engine.",
             documentation_url=None, schema=None),
    )  # fmt: skip
    tx.meta_set("default_generic_engine", generic["id"])
    for template in _hook_templates():
        tx.insert("hook_templates", _new("hook_templates", **template, organization=org["id"]))
    engine = tx.insert(
        "engines",
        _new("engines", name="Invoice extractor (emulator)", type="extractor", learning_enabled=True,
             training_queues=[], description="Seeded engine.", agenda_id="emulator-agenda-1",
             organization=org["id"], modified_at=now),
    )  # fmt: skip
    for name, label, ftype in (
        ("document_id", "Invoice number", "string"),
        ("date_issue", "Issue date", "date"),
        ("amount_total", "Total amount", "number"),
    ):
        tx.insert(
            "engine_fields",
            _new("engine_fields", engine=engine["id"], name=name, label=label, type=ftype, subtype=None,
                 tabular=False, multiline="false", pre_trained_field_id=name, schemas=[]),
        )  # fmt: skip


def _ensure_admin(tx: Tx, *, username: str, password: str, token: str) -> None:
    org_id = tx.meta_get("organization")
    users = tx.find("users", username=username)
    if users:
        user = users[0]
        user.update(deleted=False, is_active=True, _password=hash_password(password))
        if GROUP_IDS["admin"] not in (user.get("groups") or []):
            user["groups"] = [*(user.get("groups") or []), GROUP_IDS["admin"]]
        tx.save("users", user)
    else:
        email = username if "@" in username else ""
        user = tx.insert(
            "users",
            _new("users", username=username, email=email, first_name="Emulator", last_name="Admin",
                 organization=org_id, groups=[GROUP_IDS["admin"]], date_joined=now_iso(), is_active=True,
                 deleted=False, _password=hash_password(password)),
        )  # fmt: skip
        user.pop("password", None)
        tx.save("users", user)
        org = tx.get("organizations", org_id)
        if org is not None and org.get("creator") is None:
            org["creator"] = user["id"]
            tx.save("organizations", org)
    previous = tx.meta_get("fixed_token")
    if previous and previous != token:
        tx.delete_token(previous)
    tx.add_token(token, user["id"], time.time(), None)
    tx.meta_set("fixed_token", token)


def _hook_templates() -> list[dict[str, Any]]:
    return [
        {
            "name": "Duplicate detection (emulator)",
            "type": "function",
            "description": "Marks annotations whose document was already imported.",
            "events": ["annotation_content.initialize", "annotation_content.started"],
            "sideload": [],
            "config": {"runtime": "python3.12", "code": "def rossum_hook_request_handler(payload):\n    return {}\n"},
            "settings": {},
            "settings_schema": None,
            "secrets_schema": {"type": "object", "additionalProperties": {"type": "string"}},
            "guide": "Enable it on the queues that need duplicate detection.",
            "read_more_url": None,
            "extension_image_url": None,
            "settings_description": [],
            "store_description": "Find duplicate documents.",
            "external_description": "",
            "use_token_owner": False,
            "install_action": "copy",
            "token_lifetime_s": None,
            "order": 1,
            "extension_source": "rossum_store",
            "metadata": {},
        },
        {
            "name": "Webhook notifier (emulator)",
            "type": "webhook",
            "description": "Posts annotation status changes to a URL.",
            "events": ["annotation_status.changed"],
            "sideload": [],
            "config": {"url": "http://127.0.0.1:9/notify", "insecure_ssl": False},
            "settings": {},
            "settings_schema": None,
            "secrets_schema": {"type": "object", "additionalProperties": {"type": "string"}},
            "guide": "",
            "read_more_url": None,
            "extension_image_url": None,
            "settings_description": [],
            "store_description": "Notify a system of record.",
            "external_description": "",
            "use_token_owner": True,
            "install_action": "request_access",
            "token_lifetime_s": None,
            "order": 2,
            "extension_source": "rossum_store",
            "metadata": {},
        },
    ]

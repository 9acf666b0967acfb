"""groups (user roles): read-only, seeded with the documented ids 1..8. Filter/ordering ``name``."""

from __future__ import annotations

from rossum_iac.emulator.fields import Field
from rossum_iac.emulator.listing import Exact, Ids, orderings_for
from rossum_iac.emulator.resource import READ_ONLY_METHODS, Resource, register

ROLE_NAMES = (
    "viewer",
    "annotator",
    "admin",
    "manager",
    "annotator_limited",
    "organization_group_admin",
    "approver",
    "annotator_embedded",
)
ADMIN_ROLES = ("admin", "organization_group_admin")


class Groups(Resource):
    collection = "groups"
    fields = [Field("name", "str", read_only=True, default="")]
    filters = {"id": Ids(), "name": Exact("name", multi=True)}
    orderings = orderings_for("id", "name")


GROUPS = register(Groups(), READ_ONLY_METHODS)

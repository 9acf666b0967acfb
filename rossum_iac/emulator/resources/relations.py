"""relations: CRUD between annotations (``edit``, ``attachment``, ``duplicate``).

Filters ``id, type, parent, annotation`` (comma lists) and ``key``; orderings ``type, parent, key`` (+ id).
``duplicate`` relations are also created by imports of identical files (key = MD5 of the content, see
``_importing``). Not reproduced: the documented exclusion of annotations of non-active queues from the list.
Deleting an annotation removes it from ``annotations`` (and clears ``parent``).
"""

from __future__ import annotations

from rossum_iac.emulator.fields import Field
from rossum_iac.emulator.listing import Contains, Exact, Ids, Ref, orderings_for
from rossum_iac.emulator.resource import Resource, register

RELATION_TYPES = ("edit", "attachment", "duplicate")


class Relations(Resource):
    collection = "relations"
    write_roles = None
    fields = [
        Field("type", "str", default="edit", choices=RELATION_TYPES),
        Field("key", "str", nullable=True),
        Field("parent", "ref", target="annotations", nullable=True),
        Field("annotations", "refs", target="annotations", required=True, default=[]),
    ]
    filters = {
        "id": Ids(),
        "type": Exact("type", multi=True),
        "parent": Ref("parent"),
        "key": Exact("key"),
        "annotation": Contains("annotations"),
    }
    orderings = orderings_for("id", "type", "parent", "key")


RELATIONS = register(Relations())

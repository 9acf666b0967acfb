"""document_relations: CRUD between an annotation and extra documents (``export``, ``einvoice``).

``(type, key, annotation)`` must be unique (400 ``non_field_errors``, DRF's unique-together message).
Default ordering ``-id``; orderings ``id, type, annotation``. Filters ``id, type, annotation, documents``
(comma lists) and ``key``. DELETE while ``documents`` is not empty -> 409 (documented: "the caller must
first delete those documents or update the document relation").
"""

from __future__ import annotations

from typing import Any

from rossum_iac.emulator.fields import Field
from rossum_iac.emulator.http import BadRequest, Conflict, Request
from rossum_iac.emulator.listing import Contains, Exact, Ids, Ref, orderings_for
from rossum_iac.emulator.resource import Resource, register
from rossum_iac.emulator.store import field_sql

DOCUMENT_RELATION_TYPES = ("export", "einvoice")


class DocumentRelations(Resource):
    collection = "document_relations"
    write_roles = None
    default_ordering = "id DESC"
    fields = [
        Field("type", "str", default="export", choices=DOCUMENT_RELATION_TYPES),
        Field("key", "str", nullable=True),
        Field("annotation", "ref", target="annotations", required=True, on_delete="cascade"),
        Field("documents", "refs", target="documents", default=[]),
    ]
    filters = {
        "id": Ids(),
        "type": Exact("type", multi=True),
        "annotation": Ref("annotation"),
        "key": Exact("key"),
        "documents": Contains("documents"),
    }
    orderings = orderings_for("id", "type", "annotation")

    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        clause = f"{field_sql('type')} = ? AND {field_sql('key')} IS ? AND {field_sql('annotation')} = ?"
        params: list[Any] = [obj.get("type") or "export", obj.get("key"), obj.get("annotation")]
        if old is not None:
            clause += " AND id != ?"
            params.append(old["id"])
        if req.tx.count(self.collection, clause, params):
            raise BadRequest(["The fields type, key, annotation must make a unique set."])

    def before_delete(self, req: Request, obj: dict[str, Any]) -> None:
        if obj.get("documents"):
            raise Conflict("Document relation still has related documents; remove them first.")


DOCUMENT_RELATIONS = register(DocumentRelations())

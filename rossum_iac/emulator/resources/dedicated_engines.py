"""dedicated_engines: CRUD of the API reference's "Dedicated Engine" (``POST /dedicated_engines/request`` with
sample uploads, and dedicated engine schemas, are not emulated).

Behaviour:
* ``name`` is required; ``description`` defaults to ""; ``status`` is read-only, ``draft`` for a created engine.
* ``schema`` is the URL of a dedicated engine schema, stored as given (there is no dedicated_engine_schemas
  collection here).
* "If status is not draft, the whole engine and its schema become read-only": a PUT, PATCH or DELETE of an engine
  in another status answers 400 (the reference names no status code). Tests set another status in the store.
* ``queues`` is derived: the queues whose ``dedicated_engine`` is this engine. Deleting an engine clears
  ``queue.dedicated_engine`` (the queue then falls back to the default generic engine on its next write).
* Dedicated engines belong to the caller's organization (``organization`` is read-only, set on create).
"""

from __future__ import annotations

from typing import Any

from rossum_iac.emulator.fields import Field, f_derived, f_str
from rossum_iac.emulator.http import BadRequest, Request
from rossum_iac.emulator.listing import Exact, Ids, orderings_for
from rossum_iac.emulator.resource import Resource, register

STATUSES = (
    "draft", "schema_review", "annotating_initial", "annotating_review", "annotating_training", "training_started",
    "training_finished", "retraining", "sample_review",
)  # fmt: skip


def _queues(req: Request, obj: dict[str, Any]) -> list[str | None]:
    return [req.url_for("queues", i) for i in req.tx.ids_where("queues", "dedicated_engine", obj["id"])]


class DedicatedEngines(Resource):
    collection = "dedicated_engines"
    fields = [
        f_str("name", required=True, allow_blank=False, max_length=255),
        f_str("description"),
        Field("status", "str", read_only=True, default="draft", choices=STATUSES),
        Field("schema", "url", nullable=True),
        Field("organization", "ref", target="organizations", read_only=True, nullable=True),
        f_derived("queues", _queues),
    ]
    filters = {"id": Ids(), "name": Exact("name"), "status": Exact("status", multi=True)}
    orderings = orderings_for("id", "name")

    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        if old is None:
            obj["organization"] = req.user["organization"] if req.user else None
            return
        _only_drafts(old)

    def before_delete(self, req: Request, obj: dict[str, Any]) -> None:
        _only_drafts(obj)


def _only_drafts(obj: dict[str, Any]) -> None:
    if obj.get("status", "draft") != "draft":
        raise BadRequest(
            {"status": [f'A dedicated engine in status "{obj["status"]}" is read-only; only drafts can be changed.']}
        )


DEDICATED_ENGINES = register(DedicatedEngines())

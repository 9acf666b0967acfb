"""engines (+ engine_fields CRUD, generic_engines read-only). Internal API per the SDK; shapes follow the
SDK models: engine ``name, type (extractor|splitter), learning_enabled, training_queues, description,
agenda_id (generated if absent), organization`` (defaults to the caller's). Engine fields need at least
one schema on create ("engine field must be linked to at least one schema"); deleting an engine deletes
its fields and clears ``queue.engine``. ``GET /queues?engine=<id>`` lists the queues using an engine.
"""

from __future__ import annotations

import secrets
from typing import Any

from rossum_iac.emulator.fields import Field, f_bool, f_refs, f_str
from rossum_iac.emulator.http import BadRequest, Request
from rossum_iac.emulator.listing import Exact, Ids, Ref, orderings_for
from rossum_iac.emulator.resource import READ_ONLY_METHODS, Resource, register
from rossum_iac.emulator.resources.common import modified_fields


class Engines(Resource):
    collection = "engines"
    fields = [
        f_str("name", required=True, allow_blank=False, max_length=255),
        Field("type", "str", default="extractor", choices=("extractor", "splitter")),
        f_bool("learning_enabled", default=True),
        f_refs("training_queues", "queues"),
        f_str("description"),
        f_str("agenda_id"),
        Field("organization", "ref", target="organizations", nullable=True),
        *modified_fields(),
    ]
    filters = {
        "id": Ids(),
        "type": Exact("type"),
        "agenda_id": Exact("agenda_id"),
        "name": Exact("name"),
        "organization": Ref("organization"),
    }
    orderings = orderings_for("id", "name", "type")

    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        if obj.get("organization") is None and req.user is not None:
            obj["organization"] = req.user["organization"]
        if not obj.get("agenda_id"):
            obj["agenda_id"] = secrets.token_hex(8)


ENGINES = register(Engines())


class EngineFields(Resource):
    collection = "engine_fields"
    fields = [
        Field("engine", "ref", target="engines", required=True, on_delete="cascade"),
        f_str("name", required=True, allow_blank=False, max_length=255),
        f_str("label"),
        Field("type", "str", default="string", choices=("string", "number", "date", "enum")),
        Field("subtype", "str", nullable=True),
        f_bool("tabular"),
        Field("multiline", "str", default="false", choices=("true", "false", "")),
        Field("pre_trained_field_id", "str", nullable=True),
        f_refs("schemas", "schemas"),
    ]
    filters = {"id": Ids(), "engine": Ref("engine"), "name": Exact("name"), "type": Exact("type")}
    orderings = orderings_for("id", "name")

    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        if not obj.get("schemas"):
            raise BadRequest({"schemas": ["An engine field must be linked to at least one schema."]})


ENGINE_FIELDS = register(EngineFields())


class GenericEngines(Resource):
    collection = "generic_engines"
    fields = [
        Field("name", "str", read_only=True, default=""),
        Field("description", "str", read_only=True, default=""),
        Field("documentation_url", "str", read_only=True, nullable=True),
        Field("schema", "str", read_only=True, nullable=True),
    ]
    filters = {"id": Ids()}
    orderings = orderings_for("id", "name")


GENERIC_ENGINES = register(GenericEngines(), READ_ONLY_METHODS)

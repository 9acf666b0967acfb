"""Engine: an AI extraction (or splitting) engine of the organization, which queues name in ``Queue.engine``.

The engines endpoints are internal API with no public reference (the SDK says so); their shape here follows the SDK
models, which are all that is known. What rossum-iac manages is what identifies and configures an engine: name,
type, description and whether it learns. Not managed:

- ``training_queues``: a queue names its engine (``Queue.engine``), and an engine naming its queues back would be a
  cycle no apply order resolves; it stays as the Rossum UI sets it (pull lists it as left out).
- engine fields (``engine_fields``): they map schema datapoints to what a trained engine outputs, are linked to
  schemas and trained models, and have no public description; set them in the Rossum UI.

Engines have no ``metadata``: ownership is recorded in the organization's metadata (``rossum_iac.engines``). An
engine holds what training made of it, which a new engine does not have: engines are protected by default (a stack
deletes one only after its manifest says ``protect: false``), and a pull of everything takes only the engines its
queues use.
"""

from __future__ import annotations

from rossum_iac.kinds.base import READ_ONLY, SET_BY_API, Field, Identity, KindDef
from rossum_iac.kinds.fragments import boolean, enum, string, strings

KIND = KindDef(
    rank=32,
    name="Engine",
    collection="engines",
    description="An AI engine of the organization (internal API): name, type, description, whether it learns. "
    "Queues name it in Queue.engine.",
    identity=Identity.ORGANIZATION_RECORD,
    listed_on_demand=True,
    folder="engines",
    organization_field="organization",
    protect_by_default=True,
    pull_when_referenced=True,
    fields={
        "name": Field(string("Name of the engine.", minLength=1, maxLength=255), required=True),
        "type": Field(enum(["extractor", "splitter"], "What the engine does.")),
        "description": Field(string("Description of the engine.")),
        "learning_enabled": Field(boolean("Whether the engine learns from its training queues.")),
        "training_queues": Field(
            strings("URLs of the queues the engine learns from."),
            unportable="holds queue URLs: a queue names its engine (Queue.engine), and the engine naming its queues "
            "back would be a cycle the apply order cannot resolve",
        ),
        "agenda_id": Field(read_only=READ_ONLY + " (the engine's internal identifier)"),
        "organization": Field(read_only="is set by rossum-iac to the organization of the target environment"),
        "metadata": Field(read_only="does not exist on engines"),
        "created_by": Field(read_only=SET_BY_API),
        "created_at": Field(read_only=SET_BY_API),
    },
)

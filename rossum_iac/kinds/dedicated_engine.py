"""DedicatedEngine: a dedicated AI engine of the organization, which queues name in ``Queue.dedicated_engine``
(API reference "Dedicated Engine").

Dedicated engines are trained by Rossum from an organization's documents: ``POST /dedicated_engines`` creates a
draft, and once its ``status`` leaves ``draft`` the engine and its schema are read-only. A stack manages a dedicated
engine's ``name`` and ``description`` (while the API lets it), and above all lets queues refer to it by key: take
the trained engine of each environment with ``rossum-iac import DedicatedEngine/KEY ID``. Its ``schema`` (a
dedicated engine schema, which no kind describes) stays per organization.

No ``metadata``: ownership is recorded in the organization's metadata (``rossum_iac.dedicated_engines``).
Protected by default (training cannot be created again), and a pull of everything takes only the dedicated
engines its queues use.
"""

from __future__ import annotations

from rossum_iac.kinds.base import READ_ONLY, Field, Identity, KindDef
from rossum_iac.kinds.fragments import nullable, string

KIND = KindDef(
    rank=33,
    name="DedicatedEngine",
    collection="dedicated_engines",
    description="A dedicated AI engine trained by Rossum (a draft until training starts, then read-only): name and "
    "description. Queues name it in Queue.dedicated_engine.",
    identity=Identity.ORGANIZATION_RECORD,
    listed_on_demand=True,
    label="dedicated engine",
    folder="dedicated-engines",
    protect_by_default=True,
    pull_when_referenced=True,
    fields={
        "name": Field(string("Name of the engine.", minLength=1, maxLength=255), required=True),
        "description": Field(string("Description of the engine.")),
        "schema": Field(
            nullable("string", "URL of the dedicated engine schema."),
            default=None,
            unportable="holds the URL of a dedicated engine schema of one organization",
        ),
        "status": Field(read_only=READ_ONLY + " (draft, schema_review, ..., training_finished)"),
        "queues": Field(read_only="is computed by the API: set 'dedicated_engine' on the Queue"),
        "metadata": Field(read_only="does not exist on dedicated engines in the Rossum API"),
    },
)

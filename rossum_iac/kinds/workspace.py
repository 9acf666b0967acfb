"""Workspace: a container of queues (API reference "Workspace")."""

from __future__ import annotations

from rossum_iac.kinds.base import READ_ONLY, Field, KindDef
from rossum_iac.kinds.fragments import metadata, string

KIND = KindDef(
    rank=10,
    name="Workspace",
    collection="workspaces",
    description="A container of queues.",
    folder="workspaces",
    organization_field="organization",
    fields={
        "name": Field(string("Name of the workspace."), required=True),
        "metadata": Field(metadata(), default={}),
        "organization": Field(read_only="is set by rossum-iac to the organization of the target environment"),
        "queues": Field(read_only="is computed by the API from each queue's workspace: set 'workspace' on the Queue"),
        "autopilot": Field(read_only=READ_ONLY + " (deprecated)"),
    },
)

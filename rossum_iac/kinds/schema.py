"""Schema: the fields extracted from documents (API reference "Schema", "Document Schema").

Any number of queues may share one schema. The content is a tree of sections, multivalues, tuples and datapoints;
its structure rules and JSON Schema are in ``schema_content``.
"""

from __future__ import annotations

from rossum_iac.kinds.base import Content, Field, KindDef
from rossum_iac.kinds.fragments import content, metadata, ref, string
from rossum_iac.kinds.schema_content import check_schema_content, schema_content_defs

KIND = KindDef(
    rank=20,
    name="Schema",
    collection="schemas",
    description="The fields extracted from documents; any number of queues may share one schema.",
    folder="schemas",
    defs=schema_content_defs(),
    fields={
        "name": Field(string("Name of the schema (not visible in the UI)."), required=True),
        "content": Field(
            content(ref("schema_content"), "Sections of the schema, inline or {file: path.json|yaml}."),
            content=Content(
                (".json", ".yaml", ".yml"),
                structured=True,
                nested_files=("formula",),
                check=check_schema_content,
                description="`.json`, `.yaml` or `.yml` (a list of sections)",
            ),
            required=True,
        ),
        "metadata": Field(metadata(), default={}),
        "queues": Field(read_only="is computed by the API from each queue's schema: set 'schema' on the Queue"),
        "rules": Field(read_only="is a legacy link: scope rules with 'queues' on the Rule"),
    },
)

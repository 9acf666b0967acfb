"""Label: a label annotations can carry, set by rules or people (API reference "Label").

Labels have no ``metadata``: their ownership is recorded in the organization's metadata
(``rossum_iac.labels[stack]``). Rule actions name labels by URL inside their payload: write
``${ref.Label.KEY.url}`` there.
"""

from __future__ import annotations

from rossum_iac.kinds.base import Field, Identity, KindDef
from rossum_iac.kinds.fragments import string

COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"

KIND = KindDef(
    rank=75,
    name="Label",
    collection="labels",
    description="A label annotations can carry (set by rules' add_label / remove_label actions or by people).",
    identity=Identity.ORGANIZATION_RECORD,
    listed_on_demand=True,
    folder="labels",
    fields={
        "name": Field(string("Text of the label.", minLength=1, maxLength=255), required=True),
        "color": Field(
            {
                "anyOf": [{"type": "string", "pattern": COLOR_PATTERN}, {"type": "null"}],
                "description": "Color in RGB hex format, e.g. '#FF5733'.",
            },
            default=None,
        ),
        "organization": Field(read_only="is set by the API to the organization of the label"),
        "metadata": Field(read_only="does not exist on labels in the Rossum API"),
    },
)

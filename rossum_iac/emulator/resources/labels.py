"""labels: CRUD (``organization`` set to the caller's) and ``POST /labels/apply``.

``/labels/apply`` adds/removes label ids in the ``labels`` list of stored ``annotations`` objects (the
documents side stores ``annotation.labels`` as a list of label ids); 204. Unknown label or annotation
URLs -> 400 with the offending key.
"""

from __future__ import annotations

import re
from typing import Any

from rossum_iac.emulator.fields import Field, FieldError, f_str
from rossum_iac.emulator.http import BadRequest, Request, Response
from rossum_iac.emulator.listing import Exact, Ids, orderings_for
from rossum_iac.emulator.resource import Resource, register
from rossum_iac.emulator.routing import route

_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _color(req: Request, value: Any) -> Any:
    if value is not None and not _COLOR.match(value):
        raise FieldError("Enter a color in RGB hex format, e.g. #FF5733.")
    return value


class Labels(Resource):
    collection = "labels"
    fields = [
        f_str("name", required=True, allow_blank=False, max_length=255),
        Field("organization", "ref", target="organizations", read_only=True, nullable=True),
        Field("color", "str", nullable=True, validate=_color),
    ]
    filters = {"id": Ids(), "name": Exact("name")}
    orderings = orderings_for("id", "name")
    write_roles = ("admin", "organization_group_admin", "manager", "annotator")

    def before_write(
        self, req: Request, obj: dict[str, Any], old: dict[str, Any] | None, values: dict[str, Any]
    ) -> None:
        if old is None and req.user is not None:
            obj["organization"] = req.user["organization"]


LABELS = register(Labels())


def _ref_list(req: Request, body: Any, key: str, collection: str) -> list[int]:
    field = Field(key, "refs", target=collection)
    try:
        return list(field.coerce(req, body if body is not None else []))
    except FieldError as exc:
        raise BadRequest({key: exc.messages}) from None


@route("POST", "/labels/apply")
def apply_labels(req: Request) -> Any:
    body = req.json_object()
    operations = body.get("operations")
    objects = body.get("objects")
    if not isinstance(operations, dict):
        raise BadRequest({"operations": ["This field is required."]})
    if not isinstance(objects, dict) or not isinstance(objects.get("annotations"), list):
        raise BadRequest({"objects": ['This field is required and must contain "annotations".']})
    add = _ref_list(req, operations.get("add"), "operations.add", "labels")
    remove = _ref_list(req, operations.get("remove"), "operations.remove", "labels")
    annotations = _ref_list(req, objects["annotations"], "objects.annotations", "annotations")
    for annotation_id in annotations:
        annotation = req.tx.require("annotations", annotation_id)
        labels = [i for i in annotation.get("labels") or [] if i not in remove]
        labels += [i for i in add if i not in labels]
        annotation["labels"] = labels
        req.tx.save("annotations", annotation)
    return Response(204)

"""The import pipeline shared by uploads, the legacy queue upload, email import and annotation create.

* :func:`create_document` stores the document object and its bytes (BLOB).
* :func:`create_annotation` creates an annotation with its content tree built from the queue's schema.
* Imports are simulated: a new annotation is ``importing`` until ``settings.import_delay_s`` has passed
  (``_import_ready_at``), then ``to_review`` — or ``exported`` with ``automated: true`` when the queue has
  ``automation_enabled`` and ``automation_level: always`` (no validation errors are ever raised here).
  The transition is applied lazily (:func:`settle_imports` runs at the start of every documents-side
  handler, so reads are deterministic) and by a timer (``app.call_later``), so the queue ``counts``
  computed by the queues module catch up without a client having to look at the annotation.
* Upload/email tasks go from ``running`` to ``succeeded`` once none of their annotations is importing.
* Identical files (same MD5) in one organization get a ``duplicate`` relation keyed by the MD5 (documented).

Annotation content trees live in the ``annotation_content`` collection (id = annotation id) and
content node ids come from the ``datapoints`` id sequence; URLs are never stored (rendered per request).
"""

from __future__ import annotations

import copy
import hashlib
import mimetypes
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rossum_iac.emulator.fields import now_iso
from rossum_iac.emulator.resource import on_startup
from rossum_iac.emulator.resources import _blobs
from rossum_iac.emulator.resources._content_tree import build_content
from rossum_iac.emulator.store import Tx, field_sql, first_id

if TYPE_CHECKING:
    from rossum_iac.emulator.http import Request

JSON = dict[str, Any]
CONTENT = "annotation_content"
NODE_SEQUENCE = "datapoints"
DOCUMENT_BLOB = "document"
PENDING_STATUSES = ("importing", "created")
MAX_UPLOAD_BYTES = 40 * 1024 * 1024


@dataclass
class IncomingFile:
    name: str
    data: bytes
    mime_type: str | None = None


def guess_mime_type(name: str, declared: str | None) -> str:
    """The declared part type unless generic (SDKs send ``application/octet-stream``), else by extension."""
    if declared and declared.split(";")[0].strip().lower() not in ("application/octet-stream", ""):
        return declared.split(";")[0].strip().lower()
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


# ------------------------------------------------------------------------------------------ node ids


class NodeIds:
    """Allocates content node ids from the ``datapoints`` sequence in blocks (one SQL round trip per
    block instead of per node)."""

    BLOCK = 256

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self._next = 0
        self._end = 0

    def __call__(self) -> int:
        if self._next >= self._end:
            row = self.tx.conn.execute(
                "SELECT next_id FROM sequences WHERE collection = ?", (NODE_SEQUENCE,)
            ).fetchone()
            start = int(row[0]) if row else first_id(NODE_SEQUENCE)
            self.tx.conn.execute(
                "INSERT INTO sequences (collection, next_id) VALUES (?, ?) "
                "ON CONFLICT (collection) DO UPDATE SET next_id = excluded.next_id",
                (NODE_SEQUENCE, start + self.BLOCK),
            )
            self._next, self._end = start, start + self.BLOCK
        value = self._next
        self._next += 1
        return value


def _no_url(_node_id: int) -> None:
    return None


# ------------------------------------------------------------------------------------ content storage


def load_content(tx: Tx, annotation_id: int) -> list[JSON]:
    stored = tx.get(CONTENT, annotation_id)
    return list(stored["content"]) if stored else []


def save_content(tx: Tx, annotation_id: int, content: list[JSON]) -> None:
    if tx.exists(CONTENT, annotation_id):
        tx.save(CONTENT, {"id": annotation_id, "content": content})
    else:
        tx.insert(CONTENT, {"content": content}, obj_id=annotation_id)


def render_node(base_url: str, annotation_id: int, node: JSON) -> JSON:
    """A stored node with ``url`` filled in (recursively), keys in the documented order."""
    out: JSON = {"id": node.get("id"), "url": f"{base_url}/annotations/{annotation_id}/content/{node.get('id')}"}
    for key, value in node.items():
        if key in ("id", "url"):
            continue
        if key == "children" and isinstance(value, list):
            out[key] = [render_node(base_url, annotation_id, child) for child in value]
        else:
            out[key] = copy.deepcopy(value)
    return out


def render_content(base_url: str, annotation_id: int, content: list[JSON]) -> list[JSON]:
    return [render_node(base_url, annotation_id, section) for section in content]


def schema_content_of(tx: Tx, schema_id: int | None) -> list[JSON]:
    schema = tx.get("schemas", schema_id) if schema_id is not None else None
    content = (schema or {}).get("content")
    return content if isinstance(content, list) else []


def new_content_tree(tx: Tx, schema_id: int | None, values: dict[str, Any]) -> list[JSON]:
    return build_content(schema_content_of(tx, schema_id), NodeIds(tx), _no_url, values)


# ------------------------------------------------------------------------------------------ objects


def queue_organization(tx: Tx, queue: JSON, fallback: int | None) -> int | None:
    workspace = tx.get("workspaces", queue["workspace"]) if queue.get("workspace") is not None else None
    if workspace is not None and workspace.get("organization") is not None:
        return int(workspace["organization"])
    return fallback


def create_document(
    req: Request,
    incoming: IncomingFile,
    *,
    organization: int | None,
    metadata: JSON | None = None,
    parent: int | None = None,
    email: int | None = None,
    attachment_status: str | None = None,
) -> JSON:
    from rossum_iac.emulator.resource import RESOURCES

    tx = req.tx
    now = now_iso()
    doc = RESOURCES["documents"].new_object()
    doc.update(
        s3_name=secrets.token_hex(16),
        parent=parent,
        email=email,
        mime_type=guess_mime_type(incoming.name, incoming.mime_type),
        creator=req.user["id"] if req.user else None,
        created_at=now,
        original_file_name=incoming.name,
        attachment_status=attachment_status,
        metadata=metadata or {},
        _organization=organization,
        _md5=hashlib.md5(incoming.data).hexdigest(),
        _size=len(incoming.data),
    )
    doc = tx.insert("documents", doc)
    _blobs.put(tx, DOCUMENT_BLOB, doc["id"], incoming.data)
    return doc


def create_annotation(
    req: Request,
    queue: JSON,
    document: JSON,
    *,
    values: dict[str, Any] | None = None,
    metadata: JSON | None = None,
    status: str = "importing",
    email: int | None = None,
    upload: int | None = None,
    training_enabled: bool = True,
) -> JSON:
    from rossum_iac.emulator.resource import RESOURCES

    tx = req.tx
    now = now_iso()
    ann = RESOURCES["annotations"].new_object()
    ann.update(
        status=status,
        document=document["id"],
        queue=queue["id"],
        schema=queue.get("schema"),
        creator=req.user["id"] if req.user else None,
        created_at=now,
        modified_at=now,
        organization=queue_organization(tx, queue, document.get("_organization")),
        rir_poll_id=secrets.token_hex(12),
        metadata=metadata or {},
        email=email,
        training_enabled=training_enabled,
        _arrived_at=document.get("created_at") or now,
        _file_name=document.get("original_file_name"),
        _upload=upload,
        _values=values or {},
    )
    if status == "importing":
        ann["_import_ready_at"] = time.time() + max(0.0, float(req.app.settings.import_delay_s))
    ann = tx.insert("annotations", ann)
    save_content(tx, ann["id"], new_content_tree(tx, ann.get("schema"), values or {}))
    _link_duplicates(tx, document, ann)
    return ann


def _link_duplicates(tx: Tx, document: JSON, annotation: JSON) -> None:
    md5 = document.get("_md5")
    if not md5:
        return
    others = tx.select(
        "documents",
        f"{field_sql('_md5')} = ? AND id != ? AND {field_sql('_organization')} IS ?",
        [md5, document["id"], document.get("_organization")],
    )
    if not others:
        return
    relations = tx.select("relations", f"{field_sql('type')} = 'duplicate' AND {field_sql('key')} = ?", [md5])
    if relations:
        relation = relations[0]
        if annotation["id"] not in relation["annotations"]:
            relation["annotations"] = [*relation["annotations"], annotation["id"]]
            tx.save("relations", relation)
        return
    members: list[int] = []
    for other in others:
        members += tx.ids_where("annotations", "document", other["id"])
    tx.insert(
        "relations", {"type": "duplicate", "key": md5, "parent": None, "annotations": [*members, annotation["id"]]}
    )


@on_startup
def resume_pending_work(req: Request) -> None:
    """At server start (persisted DB): index the private fields the documents side queries, finish
    imports/exports that came due while the server was down and re-arm the timer for the others."""
    for field in ("status", "_md5", "_upload"):
        req.app.store.ensure_field_index(field)
    settle_imports(req.tx)
    if req.tx.count("annotations", f"{field_sql('status')} IN ('importing', 'exporting')"):
        schedule_settle(req)


def create_task(
    req: Request,
    task_type: str,
    *,
    upload: int | None = None,
    email: int | None = None,
    annotations: list[int] | None = None,
) -> JSON:
    now = time.time()
    task = {
        "type": task_type,
        "status": "running",
        "detail": None,
        "code": None,
        "_created": now,
        "_upload": upload,
        "_email": email,
        "_annotations": list(annotations or []),
    }
    return req.tx.insert("tasks", task)


def schedule_settle(req: Request) -> None:
    """Run :func:`settle_imports` once the current imports are due (plus a little slack)."""
    delay = max(0.0, float(req.app.settings.import_delay_s)) + 0.02

    def run(task_req: Request) -> None:
        settle_imports(task_req.tx)

    req.app.call_later(delay, run)


def settle_imports(tx: Tx, now: float | None = None) -> None:
    """Finish every import whose delay has passed (and every asynchronous export: ``exporting`` ->
    ``exported``, see ``exports``); then mark finished upload/email tasks succeeded."""
    now = time.time() if now is None else now
    due = tx.select(
        "annotations",
        f"{field_sql('status')} = 'importing' AND {field_sql('_import_ready_at')} <= ?",
        [now],
    )
    queues: dict[Any, JSON | None] = {}
    stamp = now_iso()
    for ann in due:
        queue_id = ann.get("queue")
        if queue_id not in queues:
            queues[queue_id] = tx.get("queues", queue_id) if queue_id is not None else None
        queue = queues[queue_id] or {}
        ann.pop("_import_ready_at", None)
        if queue.get("automation_enabled") and queue.get("automation_level") == "always":
            ann.update(status="exported", automated=True, exported_at=stamp, confirmed_at=stamp)
        else:
            ann["status"] = "to_review"
        tx.save("annotations", ann)
    exports_due = tx.select(
        "annotations",
        f"{field_sql('status')} = 'exporting' AND {field_sql('_export_ready_at')} <= ?",
        [now],
    )
    for ann in exports_due:
        ann.pop("_export_ready_at", None)
        ann.update(status="exported", exported_at=stamp)
        if not ann.get("confirmed_at"):
            ann["confirmed_at"] = stamp
        tx.save("annotations", ann)
    if not due and not tx.count("tasks", f"{field_sql('status')} = 'running'"):
        return
    for task in tx.select("tasks", f"{field_sql('status')} = 'running'"):
        ids = task.get("_annotations") or []
        pending = 0
        if ids:
            pending = tx.count(
                "annotations",
                f"id IN (SELECT value FROM json_each(?)) AND {field_sql('status')} IN ('importing')",
                [_json_list(ids)],
            )
        if pending == 0:
            task["status"] = "succeeded"
            task["_finished"] = now
            tx.save("tasks", task)


def _json_list(ids: list[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"

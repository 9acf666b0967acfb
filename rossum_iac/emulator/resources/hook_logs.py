"""``GET /hooks/logs``: hook call logs, ``{"results": [...]}`` in one response (not paginated).

Entries live in the ``hook_logs`` collection; the emulator never calls hooks by itself, so the list is
empty unless something records entries with :func:`record_hook_log` (e.g. hook test/invoke handlers).
Filters as documented: ``request_id``, ``log_level``, ``hook``, ``status``, ``status_code``, ``queue``,
``annotation``, ``email`` (comma lists), ``timestamp_before/after``, ``start_before/after`` and ``search``
(case-insensitive substring of any value); sorted by ``start`` (else ``timestamp``) descending; at most
``page_size`` entries (1..100, default 100). Retention (7 days) is not simulated.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from rossum_iac.emulator.fields import now_iso
from rossum_iac.emulator.http import BadRequest, Request
from rossum_iac.emulator.resources._query import parse_datetime
from rossum_iac.emulator.routing import route
from rossum_iac.emulator.store import Tx

COLLECTION = "hook_logs"
LOG_LEVELS = ("INFO", "ERROR", "WARNING")
MULTI_FILTERS = {
    "request_id": ("request_id", str),
    "log_level": ("log_level", str),
    "hook": ("hook_id", int),
    "status": ("status", str),
    "status_code": ("status_code", int),
    "queue": ("queue_id", int),
    "annotation": ("annotation_id", int),
    "email": ("email_id", int),
}
DATE_FILTERS = {
    "timestamp_before": ("timestamp", "<"),
    "timestamp_after": ("timestamp", ">"),
    "start_before": ("start", "<"),
    "start_after": ("start", ">"),
}


def record_hook_log(tx: Tx, **entry: Any) -> dict[str, Any]:
    """Store one log entry (base keys get defaults: ``timestamp``, ``request_id``, ``log_level`` INFO...)."""
    now = now_iso()
    request_id = entry.get("request_id") or str(uuid.uuid4())
    data = {
        "timestamp": now,
        "request_id": request_id,
        "event": "",
        "action": "",
        "organization_id": None,
        "queue_id": None,
        "hook_id": None,
        "hook_type": "webhook",
        "log_level": "INFO",
        "message": "",
        "request": None,
        "response": None,
        "start": now,
        "end": now,
        "settings": "{}",
        "status": "completed",
        "status_code": None,
        "uuid": request_id,
        **entry,
    }
    return tx.insert(COLLECTION, data)


def _converter(kind: type, name: str, text: str) -> Any:
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise BadRequest({name: ["A valid integer is required."]}) from None
    return text


@route("GET", "/hooks/logs")
def hook_logs(req: Request) -> Any:
    entries = req.tx.select(COLLECTION)
    for param, (key, kind) in MULTI_FILTERS.items():
        raw = req.param(param)
        if raw:
            wanted = {_converter(kind, param, v.strip()) for v in raw.split(",") if v.strip()}
            entries = [e for e in entries if e.get(key) in wanted]
    for param, (key, op) in DATE_FILTERS.items():
        raw = req.param(param)
        if raw:
            bound = parse_datetime(raw)
            if bound is None:
                raise BadRequest({param: ["Enter a valid date/time."]})
            entries = [
                e
                for e in entries
                if (stamp := parse_datetime(e.get(key))) is not None and (stamp < bound if op == "<" else stamp > bound)
            ]
    search = (req.param("search") or "").lower()
    if search:
        entries = [e for e in entries if search in json.dumps(e, ensure_ascii=False).lower()]
    try:
        limit = int(req.param("page_size") or 100)
    except ValueError:
        raise BadRequest({"page_size": ["A valid integer is required."]}) from None
    if not 1 <= limit <= 100:
        raise BadRequest({"page_size": ["Ensure this value is between 1 and 100."]})
    entries.sort(key=lambda e: (str(e.get("start") or e.get("timestamp") or ""), e["id"]), reverse=True)
    return {"results": [{k: v for k, v in e.items() if k != "id"} for e in entries[:limit]]}

"""Automation assistant: ``GET /queues/{id}/automation/insights``, ``POST .../automation/projections``,
``GET|POST .../automation/targets``. Internal API without a public reference; shapes follow the SDK
models (``AutomationStats``, ``AutomationProjections``, ``AutomationTarget``).

Computed from the queue's annotations (choices, deterministic):

* processed = annotations in ``confirmed``, ``exporting`` or ``exported``; automated = processed with
  ``automated: true``. ``document_automation_rate`` = automated / processed (0.0 without processed ones);
  ``document_touchless_rate`` is the same ratio (nothing in the emulator touches automated documents).
* ``document_automation_timeseries``: one entry per UTC day of ``exported_at`` (else ``confirmed_at``).
* ``datapoint_statistics``: one entry per schema datapoint; ``blocked_document_counts.not_validated`` =
  processed, non-automated annotations where that datapoint had no ``validation_sources``.
* Projections: ``baseline`` = insights; one projection per requested field with
  ``rate = baseline + (1 - baseline) * error_rate_limit`` (a monotone heuristic: tolerating more errors
  automates more); ``exclude_blockers`` is accepted and echoed in nothing. Unknown ``schema_id`` -> 400.
* Targets are stored per queue; GET returns ``{"results": [...]}`` (not paginated), POST -> 201 target.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from rossum_iac.emulator.fields import now_iso
from rossum_iac.emulator.http import BadRequest, Request, Response
from rossum_iac.emulator.resources._content_tree import iter_nodes, schema_datapoints
from rossum_iac.emulator.resources._importing import CONTENT, schema_content_of, settle_imports
from rossum_iac.emulator.routing import route
from rossum_iac.emulator.store import field_sql

PROCESSED = ("confirmed", "exporting", "exported")
TARGET_TYPES = ("automation_assistant_v1",)


def insights(req: Request, queue: dict[str, Any]) -> dict[str, Any]:
    tx = req.tx
    processed = tx.select(
        "annotations",
        f"{field_sql('queue')} = ? AND {field_sql('status')} IN ({','.join('?' * len(PROCESSED))})",
        [queue["id"], *PROCESSED],
    )
    automated = [a for a in processed if a.get("automated")]
    rate = len(automated) / len(processed) if processed else 0.0
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: {"automated": 0, "manual": 0})
    for ann in processed:
        day = str(ann.get("exported_at") or ann.get("confirmed_at") or ann.get("modified_at") or "")[:10]
        per_day[day]["automated" if ann.get("automated") else "manual"] += 1
    timeseries = [
        {
            "date": day,
            "automated_count": counts["automated"],
            "non_automated_count": counts["manual"],
            "touched_count": counts["manual"],
            "touchless_count": counts["automated"],
        }
        for day, counts in sorted(per_day.items())
        if day
    ]
    schema_content = schema_content_of(tx, queue.get("schema"))
    not_validated: dict[str, int] = defaultdict(int)
    manual_ids = [a["id"] for a in processed if not a.get("automated")]
    for start in range(0, len(manual_ids), 500):
        chunk = json.dumps(manual_ids[start : start + 500])
        for row in tx.select(CONTENT, "id IN (SELECT value FROM json_each(?))", [chunk]):
            seen: set[str] = set()
            for node, _parent in iter_nodes(row.get("content") or []):
                schema_id = node.get("schema_id", "")
                if node.get("category") == "datapoint" and not node.get("validation_sources") and schema_id not in seen:
                    seen.add(schema_id)
                    not_validated[schema_id] += 1
    statistics = [
        {
            "schema_id": node["id"],
            "is_quality_estimate": False,
            "blocked_document_counts": {"not_validated": not_validated.get(node["id"], 0)},
            "estimated_error_rate": None,
            "confidence_threshold": node.get("score_threshold", queue.get("default_score_threshold")),
            "blockers": [],
        }
        for node in schema_datapoints(schema_content)
    ]
    return {
        "document_automation_rate": rate,
        "document_touchless_rate": rate,
        "document_automation_timeseries": timeseries,
        "datapoint_statistics": statistics,
        "document_blockers": [],
        "estimated_error_rate_timeseries": [],
        "estimated_error_rate": None,
        "is_aurora_queue": False,
        "_processed": len(processed),
    }


def _public(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stats.items() if not k.startswith("_")}


def _queue(req: Request) -> dict[str, Any]:
    settle_imports(req.tx)
    return req.tx.require("queues", req.path_params["id"])


@route("GET", "/queues/{id}/automation/insights")
def automation_insights(req: Request) -> Any:
    return _public(insights(req, _queue(req)))


def _rate(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise BadRequest({name: ["Must be a number between 0 and 1."]})
    return float(value)


@route("POST", "/queues/{id}/automation/projections")
def automation_projections(req: Request) -> Any:
    queue = _queue(req)
    body = req.json_object()
    fields = body.get("fields")
    if not isinstance(fields, list):
        raise BadRequest({"fields": ["Expected a list of {schema_id, error_rate_limit} objects."]})
    known = {node["id"] for node in schema_datapoints(schema_content_of(req.tx, queue.get("schema")))}
    baseline = insights(req, queue)
    base_rate = baseline["document_automation_rate"]
    projections = []
    for index, item in enumerate(fields):
        if not isinstance(item, dict) or item.get("schema_id") not in known:
            raise BadRequest({"fields": [f"fields[{index}]: unknown or missing schema_id."]})
        limit = _rate(item.get("error_rate_limit"), f"fields[{index}].error_rate_limit")
        projected = {**_public(baseline), "document_automation_rate": min(1.0, base_rate + (1 - base_rate) * limit)}
        projected["document_touchless_rate"] = projected["document_automation_rate"]
        projections.append(projected)
    total = req.tx.count("annotations", f"{field_sql('queue')} = ?", [queue["id"]])
    return {
        "baseline": _public(baseline),
        "projections": projections,
        "total_document_count": total,
        "used_document_count": baseline["_processed"],
    }


def _render_target(target: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in target.items() if k not in ("id", "queue")}


@route("GET", "/queues/{id}/automation/targets")
def list_targets(req: Request) -> Any:
    queue = _queue(req)
    targets = req.tx.select("automation_targets", f"{field_sql('queue')} = ?", [queue["id"]])
    return {"results": [_render_target(t) for t in targets]}


@route("POST", "/queues/{id}/automation/targets")
def create_target(req: Request) -> Any:
    queue = _queue(req)
    body = req.json_object()
    target_type = body.get("type", "automation_assistant_v1")
    if target_type not in TARGET_TYPES:
        raise BadRequest({"type": [f'"{target_type}" is not a valid choice.']})
    datapoints = body.get("datapoint_automation_targets", [])
    if not isinstance(datapoints, list):
        raise BadRequest({"datapoint_automation_targets": ["Expected a list."]})
    cleaned = []
    for index, item in enumerate(datapoints):
        if not isinstance(item, dict) or not isinstance(item.get("schema_id"), str):
            raise BadRequest({"datapoint_automation_targets": [f"[{index}]: schema_id is required."]})
        limit = item.get("error_rate_limit")
        cleaned.append(
            {
                "schema_id": item["schema_id"],
                "error_rate_target": _rate(item.get("error_rate_target"), f"[{index}].error_rate_target"),
                "confidence_threshold": _rate(item.get("confidence_threshold"), f"[{index}].confidence_threshold"),
                "error_rate_limit": None if limit is None else _rate(limit, f"[{index}].error_rate_limit"),
            }
        )
    target = {
        "queue": queue["id"],
        "automation_rate_target": _rate(body.get("automation_rate_target"), "automation_rate_target"),
        "error_rate_target": _rate(body.get("error_rate_target"), "error_rate_target"),
        "type": target_type,
        "datapoint_automation_targets": cleaned,
        "datetime": now_iso(),
    }
    stored = req.tx.insert("automation_targets", target)
    return Response(201, _render_target(stored))

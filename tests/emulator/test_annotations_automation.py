"""Automation insights/projections/targets, hook logs and rules execution logs."""

from __future__ import annotations

import pytest

from rossum_iac.emulator.resources.hook_logs import record_hook_log
from rossum_iac.emulator.resources.rules_execution_logs import record_rules_execution

from ._docflow import imported, legacy_upload, make_queue


def test_automation_insights_from_annotations(api, emulator):
    emulator.settings.import_delay_s = 0
    manual_queue = make_queue(api)
    empty = api.get(f"/queues/{manual_queue['id']}/automation/insights").json()
    assert empty["document_automation_rate"] == 0.0 and empty["document_automation_timeseries"] == []
    urls = legacy_upload(api, manual_queue, [("m1.pdf", b"1"), ("m2.pdf", b"2"), ("m3.pdf", b"3")])
    for url in urls[:2]:
        imported(api, url)
        assert api.post(f"{url}/confirm").status_code == 204
    # automated documents: same queue switched to automation_level=always for one more upload
    api.patch(manual_queue["url"], json={"automation_enabled": True, "automation_level": "always"})
    [auto] = legacy_upload(api, manual_queue, [("auto.pdf", b"4")])
    assert imported(api, auto)["automated"] is True

    stats = api.get(f"/queues/{manual_queue['id']}/automation/insights")
    assert stats.status_code == 200
    body = stats.json()
    assert body["document_automation_rate"] == 1 / 3
    [day] = body["document_automation_timeseries"]
    assert day["automated_count"] == 1 and day["non_automated_count"] == 2 and len(day["date"]) == 10
    by_field = {s["schema_id"]: s for s in body["datapoint_statistics"]}
    assert set(by_field) >= {"document_id", "amount_total", "item_description"}
    assert by_field["document_id"]["blocked_document_counts"]["not_validated"] == 2

    projections = api.post(
        f"/queues/{manual_queue['id']}/automation/projections",
        params={"exclude_blockers": "extension"},
        json={"fields": [{"schema_id": "document_id", "error_rate_limit": 0.5}]},
    )
    assert projections.status_code == 200
    projected = projections.json()
    assert projected["baseline"]["document_automation_rate"] == 1 / 3
    assert projected["projections"][0]["document_automation_rate"] == pytest.approx(2 / 3)
    assert projected["total_document_count"] == 4 and projected["used_document_count"] == 3
    unknown = api.post(
        f"/queues/{manual_queue['id']}/automation/projections",
        json={"fields": [{"schema_id": "x", "error_rate_limit": 0.1}]},
    )
    assert unknown.status_code == 400


def test_automation_targets(api, emulator):
    queue = make_queue(api)
    url = f"/queues/{queue['id']}/automation/targets"
    assert api.get(url).json() == {"results": []}
    payload = {
        "automation_rate_target": 0.9,
        "error_rate_target": 0.1,
        "datapoint_automation_targets": [
            {
                "schema_id": "document_id",
                "error_rate_target": 0.1,
                "confidence_threshold": 0.9,
                "error_rate_limit": None,
            }
        ],
        "type": "automation_assistant_v1",
    }
    created = api.post(url, json=payload)
    assert created.status_code == 201, created.text
    [target] = api.get(url).json()["results"]
    assert target["automation_rate_target"] == 0.9 and target["type"] == "automation_assistant_v1"
    assert target["datapoint_automation_targets"][0]["schema_id"] == "document_id" and target["datetime"]
    assert api.post(url, json={**payload, "automation_rate_target": 2}).status_code == 400
    assert api.post(url, json={**payload, "type": "other"}).status_code == 400


def test_hook_logs_single_shot_with_filters(api, emulator):
    assert api.get("/hooks/logs").json() == {"results": []}
    with emulator.app.store.transaction() as tx:
        record_hook_log(
            tx,
            hook_id=1,
            queue_id=5,
            annotation_id=9,
            event="annotation_content",
            action="updated",
            log_level="INFO",
            message="ok",
            start="2024-01-01T10:00:00.000000Z",
        )
        record_hook_log(
            tx,
            hook_id=2,
            queue_id=5,
            email_id=3,
            event="email",
            action="received",
            log_level="ERROR",
            message="boom",
            start="2024-01-02T10:00:00.000000Z",
        )
    body = api.get("/hooks/logs", params={"page_size": 100}).json()
    assert set(body) == {"results"}
    assert [e["message"] for e in body["results"]] == ["boom", "ok"]  # newest start first
    assert [e["hook_id"] for e in api.get("/hooks/logs", params={"hook": "1"}).json()["results"]] == [1]
    assert len(api.get("/hooks/logs", params={"log_level": "INFO,ERROR", "queue": 5}).json()["results"]) == 2
    assert [e["email_id"] for e in api.get("/hooks/logs", params={"email": 3}).json()["results"]] == [3]
    assert len(api.get("/hooks/logs", params={"start_after": "2024-01-01T12:00:00Z"}).json()["results"]) == 1
    assert [e["message"] for e in api.get("/hooks/logs", params={"search": "BOO"}).json()["results"]] == ["boom"]
    assert len(api.get("/hooks/logs", params={"page_size": 1}).json()["results"]) == 1
    assert api.get("/hooks/logs", params={"page_size": 500}).status_code == 400
    assert api.get("/hooks/logs", params={"hook": "x"}).status_code == 400


def test_rules_execution_logs_paginated(api, emulator):
    empty = api.get("/rules_execution_logs").json()
    assert empty["results"] == [] and empty["pagination"]["total"] == 0
    with emulator.app.store.transaction() as tx:
        for i in range(3):
            record_rules_execution(
                tx,
                rule_id=10 + i % 2,
                rule_name=f"rule {i}",
                queue_id=1,
                annotation_id=100 + i,
                created_at=f"2024-01-0{i + 1}T00:00:00.000000Z",
                trigger_event="validation",
            )
    listed = api.get("/rules_execution_logs", params={"page_size": 2}).json()
    assert listed["pagination"]["total"] == 3 and listed["pagination"]["next"]
    assert [r["rule_name"] for r in listed["results"]] == ["rule 2", "rule 1"]  # newest first
    assert {"rule_id", "queue_id", "annotation_id", "execution_result", "trigger_condition"} <= set(
        listed["results"][0]
    )
    assert api.get("/rules_execution_logs", params={"rule": 10}).json()["pagination"]["total"] == 2
    assert api.get("/rules_execution_logs", params={"annotation": 101}).json()["pagination"]["total"] == 1
    assert api.get("/rules_execution_logs", params={"search": "rule 0"}).json()["pagination"]["total"] == 1
    after = api.get("/rules_execution_logs", params={"created_at_after": "2024-01-01T12:00:00Z"}).json()
    assert after["pagination"]["total"] == 2

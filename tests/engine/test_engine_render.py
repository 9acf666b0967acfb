"""Rendering plans from their JSON form, and plan files."""

from __future__ import annotations

import json

import pytest
from engine_helpers import desired, live_obj, live_state, marker, stack, url
from test_engine_planner import full_stack, matching_live

from rossum_iac.engine.errors import PlanFileError
from rossum_iac.engine.plan import FORMAT_VERSION, Action, ActionType, FieldChange, Plan, SchemaChange
from rossum_iac.engine.planfile import read_plan, stack_secret_values, write_plan
from rossum_iac.engine.planner import build_plan
from rossum_iac.engine.render import render_drift, render_plan, render_results
from rossum_iac.engine.resolve import UNKNOWN
from rossum_iac.manifest.model import Secret


def plan_of(*actions, notes=()):
    return Plan(stack="s", actions=tuple(actions), manifests_dir="/m", manifests_digest="d", notes=tuple(notes))


def test_create_plan_renders_symbols_fields_and_summary():
    plan, _ = build_plan(full_stack(), live_state())
    text = render_plan(plan.to_json())
    assert "  + Workspace/ws" in text
    assert '      + name = "Main"' in text
    assert "Plan: 7 to add, 0 to change, 0 to destroy." in text
    assert "\x1b[" not in text
    assert "config.code = <<-EOT (2 lines)" in text


def test_no_changes_message():
    plan, _ = build_plan(full_stack(), matching_live())
    text = render_plan(plan.to_json())
    assert "No changes." in text and "Plan:" not in text


def test_update_replace_delete_render_with_before_after():
    actions = (
        Action("Queue/q", ActionType.UPDATE, id=3, name="Q",
               changes=(FieldChange("name", "Old", "New"), FieldChange("settings.x", 1, 2))),
        Action("Inbox/i", ActionType.REPLACE, id=4,
               changes=(FieldChange("queues", ["Queue/a"], ["Queue/b"], format="set", forces_replacement=True),)),
        Action("Queue/old", ActionType.DELETE, id=5, name="Old", notes=("deletion is scheduled",)),
        Action("Hook/h", ActionType.UPDATE, id=6,
               changes=(FieldChange("secrets", sensitive=True, format="secret", note="value changed"),)),
    )
    text = render_plan(plan_of(*actions).to_json())
    assert '~ Queue/q (id 3, "Q")' in text
    assert '~ name: "Old" -> "New"' in text
    assert "~ settings.x: 1 -> 2" in text
    assert "-/+ Inbox/i (id 4)" in text
    assert '+ "Queue/b"' in text and '- "Queue/a"' in text and "# forces replacement" in text
    assert '  - Queue/old (id 5, "Old")' in text and "# deletion is scheduled" in text
    assert "~ secrets: (sensitive)  # value changed" in text
    assert "Plan: 1 to add, 2 to change, 2 to destroy." in text
    assert "-/+ destroy and then create replacement" in text


def test_text_fields_render_as_unified_diff():
    change = FieldChange("config.code", "a = 1\nb = 2\n", "a = 1\nb = 3\n", format="text")
    text = render_plan(plan_of(Action("Hook/h", ActionType.UPDATE, id=1, changes=(change,))).to_json())
    assert "--- live" in text and "+++ manifests" in text
    assert "-b = 2" in text and "+b = 3" in text


def test_schema_changes_render_readably():
    change = FieldChange(
        "content",
        format="schema",
        schema_changes=(
            SchemaChange("add", "amount", "datapoint", parent="totals"),
            SchemaChange("remove", "notes", "datapoint", parent="basic"),
            SchemaChange("change", "date", "datapoint", parent="basic", attr="label", before="Date", after="Issued"),
        ),
    )
    text = render_plan(plan_of(Action("Schema/s", ActionType.UPDATE, id=1, changes=(change,))).to_json())
    assert '+ datapoint "amount" (in "totals")' in text
    assert '- datapoint "notes" (in "basic")' in text
    assert 'datapoint "date" label: "Date" -> "Issued"' in text


def test_colour_only_when_asked():
    plan, _ = build_plan(full_stack(), live_state())
    assert "\x1b[32m" in render_plan(plan.to_json(), color=True)


def test_known_after_apply_is_shown_unquoted():
    change = FieldChange.make("settings.queue_id", 1, UNKNOWN)
    text = render_plan(plan_of(Action("Hook/h", ActionType.UPDATE, id=1, changes=(change,))).to_json())
    assert "1 -> (known after apply)" in text


def test_plan_json_round_trip_renders_identically(tmp_path):
    s = stack(*full_stack().objects, desired("Workspace", "extra", name="Extra"))
    plan, _ = build_plan(s, matching_live())
    path = tmp_path / "plan.json"
    write_plan(path, plan)
    loaded = read_plan(path)
    assert loaded.to_json() == plan.to_json()
    assert render_plan(loaded.to_json()) == render_plan(plan.to_json())
    data = json.loads(path.read_text())
    assert data["format_version"] == FORMAT_VERSION == "1.2"
    assert data["manifests"] == {"dir": "/manifests", "digest": "sha256:abc"}
    assert set(data["fingerprints"]) >= {"queues/30", "schemas/20"}
    assert data["resource_changes"][0]["actions"] in (["create"], ["no-op"])


def test_plan_file_never_contains_secret_values(tmp_path):
    value = "very-secret-token-xyz"
    s = stack(desired("Connector", "c", name="C", service_url="https://x.invalid",
                      authorization_token=Secret("TOKEN", value)))
    plan, _ = build_plan(s, live_state())
    assert stack_secret_values(s) == [value]
    write_plan(tmp_path / "p.json", plan, secrets=stack_secret_values(s))
    assert value not in (tmp_path / "p.json").read_text()
    tampered = Plan(stack="s", actions=(Action("Connector/c", ActionType.CREATE, name=value),), manifests_dir="/",
                    manifests_digest="d")
    with pytest.raises(PlanFileError, match="secret"):
        write_plan(tmp_path / "bad.json", tampered, secrets=[value])
    assert not (tmp_path / "bad.json").exists()


def test_plan_file_errors_are_clear(tmp_path):
    with pytest.raises(PlanFileError, match="cannot read plan file"):
        read_plan(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  nope")
    with pytest.raises(PlanFileError, match=r"bad.json:2:3"):
        read_plan(bad)
    future = tmp_path / "future.json"
    future.write_text(json.dumps({"format_version": "2.0"}))
    with pytest.raises(PlanFileError, match=r"2\.0 is not supported"):
        read_plan(future)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}))
    with pytest.raises(PlanFileError, match="no format_version"):
        read_plan(other)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"format_version": "1.3", "stack": "s"}))
    with pytest.raises(PlanFileError, match="incomplete"):
        read_plan(broken)


def test_minor_versions_with_unknown_keys_are_read():
    plan = plan_of(Action("Queue/q", ActionType.CREATE))
    data = plan.to_json() | {"format_version": "1.9", "future_key": {"x": 1}}
    assert Plan.from_json(data).actions[0].address == "Queue/q"


def test_results_table_and_drift_render():
    results = {
        "ok": False,
        "results": [
            {"address": "Queue/q", "action": "create", "status": "ok", "id": 3},
            {"address": "Hook/h", "action": "create", "status": "failed", "detail": "HTTP 400: bad"},
            {"address": "Rule/r", "action": "create", "status": "skipped", "detail": "depends on Hook/h"},
        ],
        "counts": {"added": 1, "failed": 1, "skipped": 1},
    }
    text = render_results(results)
    assert "Hook/h" in text and "failed" in text and "HTTP 400: bad" in text and "Apply failed" in text
    drift = {
        "drift": True,
        "objects": [
            {"address": "Queue/q", "id": 3, "status": "changed", "fields": [{"path": "name", "before": "A",
                                                                           "after": "B"}]},
            {"address": "Hook/h", "status": "missing", "fields": []},
        ],
        "unmanaged": [{"kind": "Queue", "id": 9, "name": "Other"}],
    }
    text = render_drift(drift)
    assert '~ name: "A" -> "B"' in text and "Hook/h: missing" in text and 'Queue 9 "Other"' in text


def test_real_plan_with_every_kind_renders_without_error():
    s = full_stack()
    live = live_state(("Queue", live_obj("Queue", 3, name="Q", metadata=marker("q"), workspace=url("workspaces", 9))))
    plan, _ = build_plan(s, live)
    text = render_plan(plan.to_json())
    assert "~ Queue/q (id 3" in text
    assert '~ workspace: "workspaces/9" -> "Workspace/ws"' in text


def test_unknown_values_of_new_objects_are_shown_unquoted():
    from engine_helpers import stack as make_stack

    from rossum_iac.manifest.model import RefPlaceholder, Template

    lone = Template((RefPlaceholder("Queue", "q", "id"),))
    s = make_stack(desired("Queue", "q", name="Q"), desired("Hook", "h", name="H", settings={"queue_id": lone}))
    plan, _ = build_plan(s, live_state())
    assert "+ settings.queue_id = (known after apply)" in render_plan(plan.to_json())


def test_drift_of_an_unrecorded_object_is_explained():
    text = render_drift({"objects": [{"address": "Rule/r", "id": 4, "status": "unrecorded", "fields": []}]})
    assert "Rule/r (id 4): exists, but its ownership is not recorded" in text


def test_long_values_get_a_line_each():
    change = FieldChange("description", "a" * 60, "b" * 60)
    text = render_plan(plan_of(Action("Rule/r", ActionType.UPDATE, id=1, changes=(change,))).to_json())
    assert f'      ~ description:\n          - "{"a" * 60}"\n          + "{"b" * 60}"\n' in text

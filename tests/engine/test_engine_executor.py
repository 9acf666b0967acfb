"""Executor and engine facade against an in-memory fake API (the emulator versions live in tests/e2e)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from engine_helpers import desired, stack
from fake_api import FakeAPI, http_error, transport_error
from test_engine_planner import full_stack

from rossum_iac.engine import apply_saved_plan, check_drift, execute, make_plan
from rossum_iac.engine.adopt import adopt
from rossum_iac.engine.errors import AdoptError, StalePlanError
from rossum_iac.engine.plan import ActionType
from rossum_iac.engine.planner import PlanOptions
from rossum_iac.kinds import MARKER_KEY
from rossum_iac.manifest.model import Ref, Secret


async def apply(api, s, **kw):
    plan, ctx = await make_plan(api, s, kw.pop("options", None))
    result = await execute(api, plan, ctx, **kw)
    return plan, result


async def test_apply_creates_everything_then_plan_is_empty_and_second_apply_writes_nothing():
    api = FakeAPI()
    plan, result = await apply(api, full_stack())
    assert result.ok, result.to_json()
    assert result.counts()["added"] == 7
    queue = next(iter(api.data["queues"].values()))
    notify = next(t for t in api.data["email_templates"].values() if t["name"] == "Notify")
    assert queue["metadata"][MARKER_KEY] == {"stack": "test", "key": "q", "email_templates": {"et": notify["id"]}}
    assert len(api.data["email_templates"]) == 6  # five defaults + ours
    assert api.org["metadata"][MARKER_KEY]["rules"]["test"]["r"] > 0
    # The marker travelled in the create request itself.
    assert all("metadata" in o for o in api.data["workspaces"].values())

    plan, _ = await make_plan(api, full_stack())
    assert not plan.has_changes, [a.to_json() for a in plan.changes]
    api.log.clear()
    _, result = await apply(api, full_stack())
    assert result.results == [] and api.writes() == []


async def test_a_failure_skips_dependents_but_not_independent_branches_and_rerun_converges():
    api = FakeAPI()
    api.fail = lambda m, u, b: http_error(400, "invalid schema") if (m, u) == ("POST", "schemas") else None
    s = stack(*full_stack().objects, desired("Workspace", "other", name="Independent"))
    _, result = await apply(api, s)
    status = {r.address: r.status for r in result.results}
    assert status["Schema/sch"] == "failed"
    assert status["Workspace/ws"] == "ok" and status["Workspace/other"] == "ok"
    for dependent in ("Queue/q", "Inbox/in", "Hook/h", "EmailTemplate/et", "Rule/r"):
        assert status[dependent] == "skipped"
    assert not result.ok
    failed = next(r for r in result.results if r.address == "Schema/sch")
    assert failed.detail == "HTTP 400: invalid schema"

    api.fail = lambda m, u, b: None
    _, result = await apply(api, s)
    assert result.ok and result.counts()["added"] == 6
    assert len(api.data["workspaces"]) == 2
    plan, _ = await make_plan(api, s)
    assert not plan.has_changes


async def test_lost_response_after_create_does_not_duplicate_on_rerun():
    api = FakeAPI()
    api.after = lambda m, u, b: transport_error() if (m, u) in {("POST", "queues"), ("POST", "rules")} else None
    _, result = await apply(api, full_stack())
    assert {r.address for r in result.results if r.status == "failed"} == {"Queue/q"}
    assert len(api.data["queues"]) == 1  # the server did create it
    api.after = lambda m, u, b: None
    _, result = await apply(api, full_stack())
    assert result.ok
    assert len(api.data["queues"]) == 1 and len(api.data["rules"]) == 1


async def test_rule_created_but_not_recorded_is_adopted_by_name_not_duplicated():
    api = FakeAPI()
    def records_rules(body: Any) -> bool:  # the lease is written there too: only the rule record fails
        return "rules" in ((body or {}).get("metadata") or {}).get(MARKER_KEY, {})

    api.fail = lambda m, u, b: (
        transport_error() if (m, u) == ("PATCH", "organizations/1") and records_rules(b) else None
    )
    _, result = await apply(api, full_stack())
    failed = {r.address: r.detail for r in result.results if r.status == "failed"}
    assert list(failed) == ["Rule/r"] and "could not be recorded" in failed["Rule/r"]
    api.fail = lambda m, u, b: None
    plan, _ = await make_plan(api, full_stack())
    rule = plan.action_for("Rule/r")
    assert rule.action is ActionType.UPDATE and rule.adopt and not rule.changes
    _, result = await apply(api, full_stack())
    assert result.ok and len(api.data["rules"]) == 1
    assert api.org["metadata"][MARKER_KEY]["rules"]["test"] == {"r": next(iter(api.data["rules"]))}


async def test_deletes_run_after_dependents_and_clean_registries():
    api = FakeAPI()
    await apply(api, full_stack())
    api.log.clear()
    s = stack(desired("Workspace", "ws", name="Main"))
    _, result = await apply(api, s, options=PlanOptions(queue_delete_after="0"))
    assert result.ok, result.to_json()
    deletes = [u for m, u in api.log if m == "DELETE"]
    assert deletes[-1].startswith("schemas/")
    queue_delete = next(i for i, u in enumerate(deletes) if u.startswith("queues/"))
    for prefix in ("inboxes/", "hooks/", "email_templates/", "rules/"):
        assert next(i for i, u in enumerate(deletes) if u.startswith(prefix)) < queue_delete
    assert api.org["metadata"][MARKER_KEY]["rules"] == {}
    assert api.data["queues"] == {} and api.data["schemas"] == {}
    plan, _ = await make_plan(api, s)
    assert not plan.has_changes


async def test_secret_rotation_is_detected_written_and_never_stored():
    api = FakeAPI()

    def hook_stack(value):
        return stack(desired("Hook", "h", name="H", type="webhook",
                             config={"url": "https://example.invalid", "secret": Secret("S", value)}))

    _, result = await apply(api, hook_stack("first-secret-aaa"))
    assert result.ok
    plan, _ = await make_plan(api, hook_stack("first-secret-aaa"))
    assert not plan.has_changes
    plan, _ = await make_plan(api, hook_stack("second-secret-bbb"))
    [change] = plan.changes[0].changes
    assert change.path == "config.secret" and change.sensitive
    sent: list = []
    api.fail = lambda m, u, b: sent.append(b) if m == "PATCH" and u.startswith("hooks/") else None
    _, result = await apply(api, hook_stack("second-secret-bbb"))
    assert result.ok
    [body] = sent
    assert body["config"] == {"url": "https://example.invalid", "secret": "second-secret-bbb", "timeout_s": 30}
    assert body["metadata"][MARKER_KEY]["secrets"]["config.secret"].startswith("sha256:")
    stored = json.dumps(api.data)
    assert "second-secret-bbb" not in stored and "first-secret-aaa" not in stored
    plan, _ = await make_plan(api, hook_stack("second-secret-bbb"))
    assert not plan.has_changes


async def test_saved_plan_is_refused_when_stale_and_applied_when_fresh():
    api = FakeAPI()
    await apply(api, full_stack())
    changed = stack(*[o for o in full_stack().objects if o.address != "Workspace/ws"],
                    desired("Workspace", "ws", name="Renamed"))
    saved, _ = await make_plan(api, changed)
    ws = next(iter(api.data["workspaces"].values()))
    ws["name"] = "Touched by someone"
    with pytest.raises(StalePlanError, match=r"Workspace/ws .*was changed since the plan was made"):
        await apply_saved_plan(api, saved, changed)
    ws["name"] = "Main"
    other_digest = dataclasses.replace(changed, digest="sha256:other")
    with pytest.raises(StalePlanError, match=r"manifests .* changed"):
        await apply_saved_plan(api, saved, other_digest)
    result = await apply_saved_plan(api, saved, changed)
    assert result.ok and ws["name"] == "Renamed"


async def test_saved_create_plan_is_stale_once_the_object_exists():
    api = FakeAPI()
    s = stack(desired("Workspace", "ws", name="Main"))
    saved, _ = await make_plan(api, s)
    await apply(api, s)
    with pytest.raises(StalePlanError, match="Workspace/ws was created since the plan was made"):
        await apply_saved_plan(api, saved, s)
    assert len(api.data["workspaces"]) == 1


async def test_drift_reports_changed_missing_and_extra_objects():
    api = FakeAPI()
    await apply(api, full_stack())
    report = await check_drift(api, full_stack())
    assert not report.has_drift
    next(iter(api.data["workspaces"].values()))["name"] = "Changed in the UI"
    del api.data["inboxes"][next(iter(api.data["inboxes"]))]
    api.data["workspaces"][999] = {"id": 999, "url": "x/workspaces/999", "name": "Nobody's", "metadata": {}}
    report = await check_drift(api, full_stack(), include_unmanaged=True)
    by = {o["address"]: o for o in report.objects}
    assert by["Workspace/ws"]["status"] == "changed"
    assert by["Workspace/ws"]["fields"] == [{"path": "name", "before": "Changed in the UI", "after": "Main"}]
    assert by["Inbox/in"]["status"] == "missing"
    assert {u["id"] for u in report.unmanaged if u["kind"] == "Workspace"} == {999}


async def test_import_writes_only_the_marker_and_next_plan_shows_real_differences():
    api = FakeAPI()
    api.data["workspaces"][5] = {"id": 5, "url": "x/workspaces/5", "name": "Existing", "metadata": {"keep": 1}}
    s = stack(desired("Workspace", "ws", name="Wanted name"))
    result = await adopt(api, s, "Workspace/ws", 5)
    assert result.changed
    assert api.data["workspaces"][5]["metadata"] == {"keep": 1, MARKER_KEY: {"stack": "test", "key": "ws"}}
    assert api.data["workspaces"][5]["name"] == "Existing"
    plan, _ = await make_plan(api, s)
    [action] = plan.changes
    assert action.action is ActionType.UPDATE and action.id == 5
    assert [(c.path, c.before, c.after) for c in action.changes] == [("name", "Existing", "Wanted name")]
    again = await adopt(api, s, "Workspace/ws", 5)
    assert not again.changed
    with pytest.raises(AdoptError, match="not in the manifests"):
        await adopt(api, s, "Workspace/nope", 5)
    with pytest.raises(AdoptError, match="no Workspace with id 77"):
        await adopt(api, s, "Workspace/ws", 77)
    api.data["workspaces"][6] = {"id": 6, "url": "x/workspaces/6", "name": "Other", "metadata": {}}
    with pytest.raises(AdoptError, match="already"):
        await adopt(api, s, "Workspace/ws", 6)


async def test_import_of_a_rule_records_it_in_the_organization():
    api = FakeAPI()
    await apply(api, stack(desired("Queue", "q", name="Q")))
    queue_url = next(iter(api.data["queues"].values()))["url"]
    api.data["rules"][50] = {"id": 50, "url": "x/rules/50", "name": "Legacy", "queues": [queue_url]}
    s = stack(desired("Queue", "q", name="Q"), desired("Rule", "r", name="Legacy", queues=[Ref("Queue", "q")]))
    await adopt(api, s, "Rule/r", 50)
    assert api.org["metadata"][MARKER_KEY]["rules"]["test"] == {"r": 50}
    plan, _ = await make_plan(api, s)
    assert not plan.has_changes


async def test_parallelism_bounds_concurrent_actions():
    import asyncio

    api = FakeAPI()
    in_flight = 0
    peak = 0
    original = api.request_json

    async def slow(method, url, params=None, json=None):
        nonlocal in_flight, peak
        if method == "POST":
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
        return await original(method, url, params=params, json=json)

    api.request_json = slow  # type: ignore[method-assign]
    s = stack(*(desired("Workspace", f"w{i}", name=f"W{i}") for i in range(10)))
    _, result = await apply(api, s, parallelism=3)
    assert result.ok and peak == 3


async def test_default_templates_of_a_new_queue_are_configured_not_duplicated():
    api = FakeAPI()
    s = stack(
        desired("Queue", "q", name="Q"),
        desired("EmailTemplate", "reject", name="Rejected", type="rejection_default", queue=Ref("Queue", "q"),
                subject="Sorry"),
        desired("EmailTemplate", "confirmed", name="Annotation status change - confirmed", type="custom",
                queue=Ref("Queue", "q"), subject="Thanks"),
    )
    plan, _ = await make_plan(api, s)
    assert "by default" in plan.action_for("EmailTemplate/reject").notes[0]
    _, result = await apply(api, s)
    assert result.ok, result.to_json()
    templates = list(api.data["email_templates"].values())
    assert len(templates) == 5
    assert {t["subject"] for t in templates if t["type"] == "rejection_default"} == {"Sorry"}
    assert {t["subject"] for t in templates if t["name"] == "Annotation status change - confirmed"} == {"Thanks"}
    queue = next(iter(api.data["queues"].values()))
    records = queue["metadata"][MARKER_KEY]["email_templates"]
    assert records["reject"]["default"] and records["confirmed"]["default"]
    plan, _ = await make_plan(api, s)
    assert not plan.has_changes
    _, result = await apply(api, stack(desired("Queue", "q", name="Q")))
    assert result.ok and {r.action for r in result.results} == {"forget"}
    assert len(api.data["email_templates"]) == 5


async def test_values_the_api_stores_differently_are_named_after_the_write():
    api = FakeAPI()

    def strip_names(collection, obj):
        obj["name"] = obj["name"].strip()

    api.normalize = strip_names
    _, result = await apply(api, stack(desired("Workspace", "ws", name="  Padded  "), desired("Workspace", "ok",
                                                                                             name="Fine")))
    assert result.ok
    details = {r.address: r.detail for r in result.results}
    assert details["Workspace/ok"] is None
    assert "the API stored name differently" in details["Workspace/ws"]


async def test_secret_values_echoed_by_the_server_are_masked_in_results():
    api = FakeAPI()
    api.fail = lambda m, u, b: http_error(400, f"bad token {b['authorization_token']}") if m == "POST" else None
    s = stack(desired("Connector", "c", name="C", service_url="https://x.invalid",
                      authorization_token=Secret("T", "leaky-value-123")))
    _, result = await apply(api, s)
    [failed] = result.results
    assert failed.detail == "HTTP 400: bad token (sensitive)"


async def test_the_json_the_renderings_read_leaves_out_no_ops_and_renders_the_same():
    from rossum_iac.engine.render import render_plan
    from rossum_iac.engine.render_markdown import render_plan_markdown

    api = FakeAPI()
    await apply(api, full_stack())
    changed = [dataclasses.replace(o, fields={**o.fields, "name": "Renamed"}) if o.key == "ws" else o
               for o in full_stack().objects]
    plan, _ = await make_plan(api, stack(*changed))
    assert {a.action for a in plan.actions} == {ActionType.UPDATE, ActionType.NOOP}
    full, lean = plan.to_json(fingerprints=False), plan.to_json(fingerprints=False, no_ops=False)
    assert [a["address"] for a in lean["resource_changes"]] == ["Workspace/ws"]
    assert len(full["resource_changes"]) == len(plan.actions)
    assert render_plan(lean) == render_plan(full)
    assert render_plan_markdown(lean) == render_plan_markdown(full)


async def test_fingerprints_are_computed_only_for_plans_that_show_them(monkeypatch: pytest.MonkeyPatch):
    """A plan rendered as text or Markdown never computes a fingerprint; its JSON (plan files, --json) gives every
    action on an existing object the fingerprint of that object as read."""
    import rossum_iac.engine.live as live_module
    from rossum_iac.engine.fingerprint import fingerprint
    from rossum_iac.kinds import KINDS

    api = FakeAPI()
    await apply(api, full_stack())
    computed: list[str] = []
    monkeypatch.setattr(live_module, "fingerprint", lambda kind, data: computed.append(kind) or fingerprint(kind, data))
    plan, context = await make_plan(api, full_stack())
    text_json = plan.to_json(fingerprints=False)
    assert computed == []
    assert not any("fingerprint" in a for a in text_json["resource_changes"])
    full = plan.to_json()
    existing = [a for a in full["resource_changes"] if a["id"] is not None]
    assert existing and computed
    for action in existing:
        live = context.live.get(f"{KINDS[action['kind']].collection}/{action['id']}")
        assert live is not None and action["fingerprint"] == fingerprint(live.kind, live.data)

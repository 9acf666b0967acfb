"""Fields rossum-iac does not know, declared in a manifest (a warning when loading), reach the API and are compared
like any other declared field (docs/manifests.md, "Fields the API adds")."""

from __future__ import annotations

from engine_helpers import desired, stack
from fake_api import FakeAPI

from rossum_iac.engine import execute, make_plan
from rossum_iac.engine.render import render_plan
from rossum_iac.manifest.model import Ref


def _stack(percentage: int, option: str) -> object:
    return stack(
        desired("Workspace", "ws", name="Main"),
        desired("Schema", "sch", name="Schema", content=[]),
        desired(
            "Queue",
            "q",
            name="Q",
            workspace=Ref("Workspace", "ws"),
            schema=Ref("Schema", "sch"),
            quality_spot_check_percentage=percentage,
        ),
        desired(
            "Hook",
            "h",
            name="H",
            queues=[Ref("Queue", "q")],
            events=["annotation_status"],
            config={"url": "https://hooks.example.com/h", "future_option": option, "app": None},
        ),
    )


async def test_unknown_fields_are_created_compared_and_updated():
    api = FakeAPI()
    plan, ctx = await make_plan(api, _stack(5, "a"))
    assert "quality_spot_check_percentage" in render_plan(plan.to_json(), color=False)
    assert (await execute(api, plan, ctx)).ok
    [queue] = api.data["queues"].values()
    [hook] = api.data["hooks"].values()
    assert queue["quality_spot_check_percentage"] == 5
    assert hook["config"]["future_option"] == "a" and hook["config"]["app"] is None

    plan, _ = await make_plan(api, _stack(5, "a"))
    assert not plan.has_changes, [a.to_json() for a in plan.changes]

    plan, ctx = await make_plan(api, _stack(7, "b"))
    changes = {a.address: {(c.path, c.before, c.after) for c in a.changes} for a in plan.changes}
    assert changes == {
        "Queue/q": {("quality_spot_check_percentage", 5, 7)},
        "Hook/h": {("config.future_option", "a", "b")},
    }
    sent: list[tuple[str, dict]] = []
    api.fail = lambda m, u, b: sent.append((u, b)) if m == "PATCH" else None
    assert (await execute(api, plan, ctx)).ok
    bodies = {url.split("/")[0]: body for url, body in sent}
    assert bodies["queues"]["quality_spot_check_percentage"] == 7
    assert bodies["hooks"]["config"]["future_option"] == "b"
    assert queue["id"] in api.data["queues"] and api.data["queues"][queue["id"]]["quality_spot_check_percentage"] == 7


async def test_live_fields_the_manifest_does_not_declare_are_no_difference():
    api = FakeAPI()
    plan, ctx = await make_plan(api, _stack(5, "a"))
    assert (await execute(api, plan, ctx)).ok
    [queue] = api.data["queues"].values()
    queue["added_by_a_newer_api"] = {"x": 1}
    queue["settings"] = {"columns": [], "undocumented": True}
    plan, _ = await make_plan(api, _stack(5, "a"))
    assert not plan.has_changes

"""Kinds ``listed_on_demand`` (triggers, labels, engines): a plan lists them only when the stack declares one or
records one, and the catalogues of a kind only when the stack declares an object of it. A stack that never
managed them does not pay for their pages; a stack that stops declaring them still finds its objects (after
reading the records) and deletes them; a drift report of unmanaged objects still lists them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rossum_iac.client import AsyncRossumAPIClient, Token
from rossum_iac.emulator import serve_in_thread
from rossum_iac.engine import ActionType, check_drift, execute, make_plan
from rossum_iac.kinds import KINDS
from rossum_iac.kinds.base import Identity
from rossum_iac.manifest.model import DesiredObject, Ref, SourceLocation, Stack

SOURCE = SourceLocation(Path("stack.yaml"))
CONTENT = [{"category": "section", "id": "s", "label": "S", "children": [
    {"category": "datapoint", "id": "d", "label": "D", "type": "string"}]}]


def _obj(kind: str, key: str, **fields: Any) -> DesiredObject:
    return DesiredObject(kind=kind, key=key, fields=fields, source=SOURCE)


BASE = (
    _obj("Workspace", "ws", name="WS"),
    _obj("Schema", "sc", name="SC", content=CONTENT),
    _obj("Queue", "q", name="Q", workspace=Ref("Workspace", "ws"), schema=Ref("Schema", "sc")),
)
EXTRA = (
    _obj("Label", "urgent", name="Urgent", color="#FF5733"),
    _obj("Trigger", "imported", queue=Ref("Queue", "q"), event="annotation_imported",
         condition={"$and": [{"field.d": {"$exists": True}}]}),
)


def _stack(*objects: DesiredObject) -> Stack:
    return Stack(name="on-demand", root=Path("."), objects=objects, digest="sha256:on-demand")


def _listed(sent: list[str], collection: str) -> bool:
    return any(f"/api/v1/{collection}?" in url or url.endswith(f"/api/v1/{collection}") for url in sent)


async def test_a_plan_lists_triggers_and_labels_only_for_a_stack_that_has_some() -> None:
    sent: list[str] = []

    def record(response: Any) -> None:
        if response.request.method == "GET":
            sent.append(str(response.request.url))

    with serve_in_thread() as emu:
        async with AsyncRossumAPIClient(emu.base_url, Token(emu.token), requests_per_second=0,
                                        response_post_processor=record) as client:
            plan, context = await make_plan(client, _stack(*BASE))
            assert not _listed(sent, "triggers") and not _listed(sent, "labels")
            assert not _listed(sent, "engines") and not _listed(sent, "dedicated_engines")
            assert _listed(sent, "queues") and _listed(sent, "email_templates") and _listed(sent, "users")
            # catalogues: only those of kinds declared (a queue's generic engine; no hook, no user here)
            assert _listed(sent, "generic_engines")
            assert not _listed(sent, "hook_templates") and not _listed(sent, "groups")
            assert (await execute(client, plan, context, parallelism=2)).ok

            sent.clear()
            plan, context = await make_plan(client, _stack(*BASE, *EXTRA))
            assert _listed(sent, "triggers") and _listed(sent, "labels")
            assert {a.address for a in plan.actions if a.action is ActionType.CREATE} == {
                "Label/urgent", "Trigger/imported"}
            assert (await execute(client, plan, context, parallelism=2)).ok

            # The manifests no longer declare them: the records (organization metadata, the queue's marker) are
            # read first, then the two kinds, and the plan deletes what this stack created.
            sent.clear()
            plan, _ = await make_plan(client, _stack(*BASE))
            assert _listed(sent, "triggers") and _listed(sent, "labels")
            deletes = {a.address for a in plan.actions if a.action is ActionType.DELETE}
            assert deletes == {"Label/urgent", "Trigger/imported"}

            # Drift of managed objects needs neither; the list of unmanaged objects needs both.
            sent.clear()
            again, _ = await make_plan(client, _stack(*BASE, *EXTRA))
            assert not again.has_changes
            observer = Stack(name="observer", root=Path("."), objects=(), digest="sha256:observer")
            report = await check_drift(client, observer, include_unmanaged=True)
            unmanaged = {u["kind"] for u in report.to_json()["unmanaged"]}
            assert "Trigger" in unmanaged  # the queue's own triggers, which the API created


def test_kinds_listed_on_demand_need_nothing_else_read_later() -> None:
    """The second read of a plan lists collections only: such a kind keeps its records outside its objects and
    names no catalogue entries; and nothing that checks a plan's impact or usage reads it."""
    from rossum_iac.engine import impact, usage

    on_demand = [k for k in KINDS.values() if k.listed_on_demand]
    assert {k.name for k in on_demand} >= {"Trigger", "Label"}
    for kind in on_demand:
        assert kind.identity in (Identity.QUEUE_RECORD, Identity.ORGANIZATION_RECORD), kind.name
        assert not kind.singleton and not kind.catalogs, kind.name
        assert kind.name not in impact._REFERRERS
        assert all(kind.name not in (changed, user) for changed, (user, _) in usage.USERS.items())

"""Ownership records of kinds without metadata, per collection: the organization's registries (rules in the layout
existing organizations have, labels next to them), queue records (email templates and triggers), the organization
itself as a singleton, users protected by default, and the records surviving every kind of write."""

from __future__ import annotations

from typing import Any

import pytest
from engine_helpers import ORG, desired, live_obj, live_state, stack, url
from fake_api import FakeAPI

from rossum_iac.engine import execute, make_plan
from rossum_iac.engine.errors import PlanError
from rossum_iac.engine.identity import (
    Marker,
    RegistryEntry,
    match,
    organization_registries,
    with_organization_registry,
)
from rossum_iac.engine.plan import ActionType
from rossum_iac.kinds import MARKER_KEY
from rossum_iac.manifest.model import Ref


def _org(**records: Any) -> dict[str, Any]:
    return {**ORG, "metadata": {MARKER_KEY: records, "team": "ap"}}


def test_existing_rule_layout_is_read_unchanged_and_collections_are_separate() -> None:
    org = _org(rules={"ap": {"r": 10, "p": {"id": 11, "protect": True}}}, labels={"ap": {"urgent": 20}})
    rules = {"ap": {"r": RegistryEntry(10), "p": RegistryEntry(11, protect=True)}}
    assert organization_registries(org, "rules") == rules
    assert organization_registries(org, "labels") == {"ap": {"urgent": RegistryEntry(20)}}
    assert organization_registries(org, "engines") == {}
    written = with_organization_registry(org["metadata"], "labels", "other", {"x": RegistryEntry(21)})
    assert written[MARKER_KEY]["rules"] == org["metadata"][MARKER_KEY]["rules"]  # other collections as they were
    assert written[MARKER_KEY]["labels"] == {"ap": {"urgent": 20}, "other": {"x": 21}}
    assert written["team"] == "ap"
    emptied = with_organization_registry(written, "labels", "ap", {})
    assert emptied[MARKER_KEY]["labels"] == {"other": {"x": 21}}


def test_queue_marker_holds_one_mapping_per_collection_and_round_trips() -> None:
    raw = {"stack": "s", "key": "q", "email_templates": {"t": 1}, "triggers": {"e": {"id": 2, "default": True}}}
    parsed = Marker.parse({MARKER_KEY: raw})
    assert parsed is not None
    assert parsed.records_of("email_templates") == {"t": RegistryEntry(1)}
    assert parsed.records_of("triggers") == {"e": RegistryEntry(2, default=True)}
    assert parsed.to_json() == raw


def test_labels_match_by_record_foreign_stack_and_unrecorded_name() -> None:
    org = _org(labels={"test": {"mine": 1}, "other": {"theirs": 2}})
    live = live_state(
        ("Label", live_obj("Label", 1, name="Mine")),
        ("Label", live_obj("Label", 2, name="Theirs")),
        ("Label", live_obj("Label", 3, name="Lost record")),
        ("Label", live_obj("Label", 4, name="Nobody's")),
        org=org,
    )
    s = stack(desired("Label", "mine", name="Mine"), desired("Label", "lost", name="Lost record"))
    ownership = match(s, live)
    assert ownership.owned["Label/mine"].live.id == 1 and ownership.owned["Label/mine"].adopt is None
    assert ownership.owned["Label/lost"].live.id == 3 and ownership.owned["Label/lost"].adopt == "adopt_by_name"
    assert [(stack_name, obj.id) for stack_name, obj in ownership.foreign] == [("other", 2)]
    assert [o.id for o in ownership.unmanaged if o.kind == "Label"] == [4]


def test_the_organization_is_taken_over_once_and_never_unmanaged() -> None:
    live = live_state(("Organization", dict(ORG)))
    ownership = match(stack(desired("Organization", "main", settings={})), live)
    assert ownership.owned["Organization/main"].adopt == "adopt_singleton"
    assert not ownership.unmanaged  # the organization itself is never listed as an unmanaged object
    recorded = _org(organizations={"other": {"main": ORG["id"]}})
    claimed = live_state(("Organization", recorded), org=recorded)
    ownership = match(stack(desired("Organization", "main", settings={})), claimed)
    assert "Organization/main" not in ownership.owned
    assert [name for name, _ in ownership.foreign] == ["other"]


def test_soft_deleted_users_no_longer_count() -> None:
    live = live_state(("User", live_obj("User", 5, username="gone", deleted=True, metadata={
        MARKER_KEY: {"stack": "test", "key": "gone"}})))
    ownership = match(stack(), live)
    assert "User/gone" not in ownership.owned and [o.id for o in ownership.deleting] == [5]


async def test_organization_settings_and_metadata_are_written_without_losing_records() -> None:
    api = FakeAPI()
    api.org["metadata"] = {MARKER_KEY: {"rules": {"someone": {"r": 7}}}, "kept": 1}
    api.org["settings"] = {"annotation_list_table": {}}
    s = stack(desired("Organization", "main", settings={"annotation_list_table": {"columns": [1]}},
                      metadata={"team": "ap"}))
    plan, context = await make_plan(api, s)
    [action] = plan.changes
    assert action.action is ActionType.UPDATE and action.adopt
    result = await execute(api, plan, context)
    assert result.ok, result.to_json()
    assert api.org["settings"] == {"annotation_list_table": {"columns": [1]}}
    metadata = api.org["metadata"]
    assert metadata["team"] == "ap" and metadata["kept"] == 1
    assert metadata[MARKER_KEY]["rules"] == {"someone": {"r": 7}}
    assert metadata[MARKER_KEY]["organizations"] == {"test": {"main": 1}}
    plan, _ = await make_plan(api, s)
    assert not plan.has_changes
    plan, context = await make_plan(api, stack())
    [action] = plan.changes
    assert action.action is ActionType.FORGET and action.reason == "forget_singleton"
    assert (await execute(api, plan, context)).ok
    assert api.org["metadata"][MARKER_KEY]["organizations"] == {} and api.org["metadata"]["team"] == "ap"


async def test_a_user_leaves_the_organization_only_after_protect_false() -> None:
    api = FakeAPI()
    api.data["groups"] = {1: {"id": 1, "url": url("groups", 1), "name": "annotator"}}
    user = desired("User", "u", protect=True, username="u@example.com", groups=["annotator"])
    plan, context = await make_plan(api, stack(user, desired("Queue", "q", name="Q", users=[Ref("User", "u")])))
    assert (await execute(api, plan, context)).ok
    [created] = api.data["users"].values()
    assert created["groups"] == [url("groups", 1)] and created["metadata"][MARKER_KEY]["protect"] is True
    [queue] = api.data["queues"].values()
    assert queue["users"] == [created["url"]]
    with pytest.raises(PlanError, match="protect: false"):
        await make_plan(api, stack(desired("Queue", "q", name="Q")))
    with pytest.raises(PlanError, match="not in the organization's groups; available: annotator"):
        await make_plan(api, stack(desired("User", "u", protect=True, username="u@example.com", groups=["admn"])))

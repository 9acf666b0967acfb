"""Planning: matching, diffing, actions, ordering and delete checks (no network)."""

from __future__ import annotations

import json

import pytest
from engine_helpers import ORG, OTHER_BASE, desired, live_obj, live_state, marker, secret_hashes, stack, url

from rossum_iac.engine.errors import PlanError
from rossum_iac.engine.plan import ActionType
from rossum_iac.engine.planner import PlanOptions, build_plan, parse_delete_after
from rossum_iac.manifest.model import Ref, RefPlaceholder, Secret, Template


def by_address(plan):
    return {a.address: a for a in plan.actions}


def full_stack(**extra):
    return stack(
        desired("Workspace", "ws", name="Main"),
        desired("Schema", "sch", name="Invoice schema", content=[]),
        desired("Queue", "q", name="Invoices", workspace=Ref("Workspace", "ws"), schema=Ref("Schema", "sch")),
        desired("Inbox", "in", name="Inbox", email_prefix="inv", queues=[Ref("Queue", "q")]),
        desired(
            "Hook",
            "h",
            name="Hook",
            type="function",
            queues=[Ref("Queue", "q")],
            events=["annotation_content.initialize"],
            config={"runtime": "python3.12", "code": "def f():\n    pass\n"},
        ),
        desired("EmailTemplate", "et", name="Notify", type="custom", queue=Ref("Queue", "q"), subject="Hi"),
        desired("Rule", "r", name="Rule", queues=[Ref("Queue", "q")], trigger_condition="True"),
        **extra,
    )


def test_everything_new_is_created_in_dependency_order():
    plan, _ = build_plan(full_stack(), live_state())
    order = [a.address for a in plan.actions]
    assert all(a.action is ActionType.CREATE for a in plan.actions)
    for before, after in [
        ("Workspace/ws", "Queue/q"),
        ("Schema/sch", "Queue/q"),
        ("Queue/q", "Inbox/in"),
        ("Queue/q", "Hook/h"),
        ("Queue/q", "EmailTemplate/et"),
        ("Queue/q", "Rule/r"),
    ]:
        assert order.index(before) < order.index(after)
    actions = by_address(plan)
    assert set(actions["Queue/q"].depends_on) == {"Workspace/ws", "Schema/sch"}
    assert plan.summary.add == 7 and plan.summary.change == 0 and plan.summary.destroy == 0


def matching_live(base=OTHER_BASE):
    q = url("queues", 30, base)
    return live_state(
        ("Workspace", live_obj("Workspace", 10, base, name="Main", metadata=marker("ws"), queues=[q], autopilot=False)),
        (
            "Schema",
            live_obj("Schema", 20, base, name="Invoice schema", content=[], metadata=marker("sch"), queues=[q]),
        ),
        (
            "Queue",
            live_obj(
                "Queue",
                30,
                base,
                name="Invoices",
                workspace=url("workspaces", 10, base),
                schema=url("schemas", 20, base),
                metadata=marker("q", email_templates={"et": 60}),
                settings={"columns": []},
                counts={"to_review": 3},
                status="active",
                delete_after=None,
            ),
        ),
        ("Inbox", live_obj("Inbox", 40, base, name="Inbox", email_prefix="inv", queues=[q], metadata=marker("in"))),
        (
            "Hook",
            live_obj(
                "Hook",
                50,
                base,
                name="Hook",
                type="function",
                queues=[q],
                events=["annotation_content.initialize"],
                config={"runtime": "python3.12", "code": "def f():\n    pass\n", "timeout_s": 30},
                metadata=marker("h"),
                status="ready",
            ),
        ),
        ("EmailTemplate", live_obj("EmailTemplate", 60, base, name="Notify", type="custom", queue=q, subject="Hi")),
        ("Rule", live_obj("Rule", 70, base, name="Rule", queues=[q], trigger_condition="True", enabled=True)),
        org={**ORG, "metadata": {"rossum_iac": {"rules": {"test": {"r": 70}}}}},
    )


def test_matching_live_state_gives_an_empty_plan_despite_server_defaults_and_other_host():
    plan, _ = build_plan(full_stack(), matching_live())
    assert not plan.has_changes, [a.to_json() for a in plan.changes]
    assert len(plan.actions) == 7
    assert {a.id for a in plan.actions} == {10, 20, 30, 40, 50, 60, 70}


def test_field_changes_show_before_and_after_at_leaf_paths():
    s = full_stack()
    objs = [o for o in s.objects if o.address != "Hook/h"]
    hook = desired(
        "Hook",
        "h",
        name="Hook 2",
        type="function",
        queues=[Ref("Queue", "q")],
        events=["annotation_content.initialize"],
        config={"runtime": "python3.12", "code": "def f():\n    return 1\n", "timeout_s": 60},
    )
    plan, _ = build_plan(stack(*objs, hook), matching_live())
    [action] = plan.changes
    assert action.address == "Hook/h" and action.action is ActionType.UPDATE and action.id == 50
    changes = {c.path: c for c in action.changes}
    assert set(changes) == {"name", "config.code", "config.timeout_s"}
    assert (changes["name"].before, changes["name"].after) == ("Hook", "Hook 2")
    assert (changes["config.timeout_s"].before, changes["config.timeout_s"].after) == (30, 60)
    assert changes["config.code"].format == "text"


def test_set_fields_ignore_order_but_see_members():
    q2 = desired("Queue", "q2", name="Second", workspace=Ref("Workspace", "ws"), schema=Ref("Schema", "sch"))
    hook = desired(
        "Hook",
        "h",
        name="Hook",
        type="function",
        queues=[Ref("Queue", "q2"), Ref("Queue", "q")],
        events=["annotation_content.initialize"],
        config={"runtime": "python3.12", "code": "def f():\n    pass\n"},
    )
    objs = [o for o in full_stack().objects if o.address != "Hook/h"]
    plan, _ = build_plan(stack(*objs, q2, hook), matching_live())
    actions = by_address(plan)
    change = actions["Hook/h"].changes[0]
    assert change.path == "queues" and change.format == "set"
    assert change.before == ["Queue/q"] and change.after == ["Queue/q", "Queue/q2"]
    assert actions["Hook/h"].depends_on == ("Queue/q2",)

    reordered = desired(
        "Hook",
        "h",
        name="Hook",
        type="function",
        queues=[Ref("Queue", "q")],
        events=["annotation_content.initialize", "annotation_content.initialize"],
        config={"runtime": "python3.12", "code": "def f():\n    pass\n"},
    )
    plan, _ = build_plan(stack(*objs, reordered), matching_live())
    assert not plan.has_changes


def test_numbers_compare_by_value_and_booleans_strictly():
    s = stack(desired("Workspace", "ws", name="Main", metadata={"n": 1, "flag": True}))
    metadata = {**marker("ws"), "n": 1.0, "flag": 1}
    live = live_state(("Workspace", live_obj("Workspace", 1, name="Main", metadata=metadata)))
    plan, _ = build_plan(s, live)
    [change] = plan.changes[0].changes
    assert change.path == "metadata.flag" and change.before == 1 and change.after is True


def test_inbox_queue_change_forces_replacement():
    s = full_stack()
    objs = [o for o in s.objects if o.address != "Inbox/in"]
    q2 = desired("Queue", "q2", name="Second", workspace=Ref("Workspace", "ws"), schema=Ref("Schema", "sch"))
    inbox = desired("Inbox", "in", name="Inbox", email_prefix="inv", queues=[Ref("Queue", "q2")])
    plan, _ = build_plan(stack(*objs, q2, inbox), matching_live())
    action = by_address(plan)["Inbox/in"]
    assert action.action is ActionType.REPLACE
    assert action.reason == "replace_because_cannot_update"
    assert action.changes[0].forces_replacement
    assert action.depends_on == ("Queue/q2",)
    assert plan.summary.add == 2 and plan.summary.destroy == 1


def test_orphans_are_deleted_after_their_dependents_and_queue_delete_is_scheduled():
    s = stack(desired("Workspace", "ws", name="Main"), desired("Schema", "sch", name="Invoice schema", content=[]))
    plan, _ = build_plan(s, matching_live())
    actions = by_address(plan)
    for address in ("Queue/q", "Inbox/in", "Hook/h", "EmailTemplate/et", "Rule/r"):
        assert actions[address].action is ActionType.DELETE, address
    order = [a.address for a in plan.changes]
    for dependent in ("Inbox/in", "Hook/h", "EmailTemplate/et", "Rule/r"):
        assert order.index(dependent) < order.index("Queue/q")
        assert dependent in actions["Queue/q"].depends_on
    assert "24:00:00" in actions["Queue/q"].notes[0]
    plan, _ = build_plan(s, matching_live(), PlanOptions(queue_delete_after="0"))
    assert "at once" in by_address(plan)["Queue/q"].notes[0]


def test_protected_orphan_blocks_the_plan_with_a_clear_message():
    live = live_state(
        ("Workspace", live_obj("Workspace", 1, name="Keep", metadata=marker("keep", protect=True))),
        ("Workspace", live_obj("Workspace", 2, name="Also", metadata=marker("also", protect=True))),
    )
    with pytest.raises(PlanError) as err:
        build_plan(stack(), live)
    message = str(err.value)
    assert "Workspace/keep" in message and "Workspace/also" in message and "protect" in message
    assert len(err.value.problems) == 2


def test_protect_flag_changes_are_planned_as_updates():
    s = stack(desired("Workspace", "ws", name="Main", protect=True))
    live = live_state(("Workspace", live_obj("Workspace", 1, name="Main", metadata=marker("ws"))))
    plan, _ = build_plan(s, live)
    [change] = plan.changes[0].changes
    assert (change.path, change.before, change.after, change.format) == ("protect", False, True, "option")


def test_unmanaged_and_foreign_objects_are_never_touched():
    live = live_state(
        ("Workspace", live_obj("Workspace", 1, name="Nobody's", metadata={})),
        ("Workspace", live_obj("Workspace", 2, name="Other stack", metadata=marker("x", stack_name="other"))),
        ("Rule", live_obj("Rule", 3, name="Unrecorded", queues=[])),
    )
    plan, ctx = build_plan(stack(), live)
    assert plan.actions == ()
    assert [o.id for o in ctx.ownership.unmanaged] == [1, 3]
    assert [(s, o.id) for s, o in ctx.ownership.foreign] == [("other", 2)]


def test_schema_content_compares_node_by_node_and_ignores_server_filled_attributes():
    content = [
        {
            "category": "section",
            "id": "s1",
            "label": "Basic",
            "children": [
                {"category": "datapoint", "id": "a", "label": "A", "type": "string"},
                {"category": "datapoint", "id": "b", "label": "B", "type": "number"},
            ],
        },
        {"category": "section", "id": "s2", "label": "Other", "children": []},
    ]
    live_content = [
        {
            "category": "section",
            "id": "s1",
            "label": "Basic",
            "icon": None,
            "children": [
                {"category": "datapoint", "id": "b", "label": "B", "type": "number", "hidden": False},
                {"category": "datapoint", "id": "c", "label": "C", "type": "string", "constraints": {}},
                {"category": "datapoint", "id": "a", "label": "Old A", "type": "string", "hidden": False},
            ],
        },
        {"category": "section", "id": "s2", "label": "Other", "children": [], "icon": None},
    ]
    s = stack(desired("Schema", "sch", name="S", content=content))
    live = live_state(("Schema", live_obj("Schema", 1, name="S", content=live_content, metadata=marker("sch"))))
    plan, _ = build_plan(s, live)
    [field] = plan.changes[0].changes
    assert field.format == "schema"
    ops = {(c.op, c.node, c.attr) for c in field.schema_changes}
    assert ops == {("change", "a", "label"), ("remove", "c", None), ("reorder", "s1", None)}
    reorder = next(c for c in field.schema_changes if c.op == "reorder")
    assert reorder.before == ["b", "a"] and reorder.after == ["a", "b"]

    same = live_state(
        ("Schema", live_obj("Schema", 1, name="S", metadata=marker("sch"), content=[
            {**content[0], "icon": None, "children": [{**c, "hidden": False} for c in content[0]["children"]]},
            {**content[1], "icon": None},
        ]))
    )
    plan, _ = build_plan(s, same)
    assert not plan.has_changes


def test_schema_node_moved_between_parents_is_reported_as_move():
    desired_content = [
        {"category": "section", "id": "s1", "label": "1", "children": []},
        {"category": "section", "id": "s2", "label": "2", "children": [{"category": "datapoint", "id": "x",
                                                                        "label": "X", "type": "string"}]},
    ]
    live_content = [
        {"category": "section", "id": "s1", "label": "1", "children": [{"category": "datapoint", "id": "x",
                                                                        "label": "X", "type": "string"}]},
        {"category": "section", "id": "s2", "label": "2", "children": []},
    ]
    s = stack(desired("Schema", "sch", name="S", content=desired_content))
    live = live_state(("Schema", live_obj("Schema", 1, name="S", content=live_content, metadata=marker("sch"))))
    plan, _ = build_plan(s, live)
    [move] = plan.changes[0].changes[0].schema_changes
    assert (move.op, move.node, move.before, move.after) == ("move", "x", "s1", "s2")


def hook_with_secret(value: str, **extra):
    return desired(
        "Hook",
        "h",
        name="Hook",
        type="webhook",
        config={"url": "https://example.invalid/hook", "secret": Secret("HOOK_SECRET", value)},
        secrets={"api_key": Secret("API_KEY", value + "-key")},
        **extra,
    )


def test_write_only_secrets_compare_by_salted_hash_and_never_enter_the_plan():
    value = "s3cr3t-value-123"
    hashes = secret_hashes(config__secret=value, secrets=json.dumps({"api_key": value + "-key"}))
    # The hash of the secrets dict is over its canonical JSON.
    from rossum_iac.engine.identity import hash_secret

    hashes["secrets"] = hash_secret({"api_key": value + "-key"})
    live_hook = live_obj("Hook", 5, name="Hook", type="webhook", config={"url": "https://example.invalid/hook"},
                         metadata=marker("h", secrets=hashes))
    plan, _ = build_plan(stack(hook_with_secret(value)), live_state(("Hook", live_hook)))
    assert not plan.has_changes

    plan, _ = build_plan(stack(hook_with_secret("rotated-value-456")), live_state(("Hook", live_hook)))
    [action] = plan.changes
    paths = {c.path: c for c in action.changes}
    assert set(paths) == {"config.secret", "secrets"}
    assert all(c.sensitive and c.before is None and c.after is None for c in paths.values())
    text = json.dumps(plan.to_json())
    assert "rotated-value-456" not in text and value not in text

    no_hash = live_obj("Hook", 5, name="Hook", type="webhook", config={"url": "https://example.invalid/hook"},
                       metadata=marker("h"))
    plan, _ = build_plan(stack(hook_with_secret(value)), live_state(("Hook", no_hash)))
    notes = {c.path: c.note for c in plan.changes[0].changes}
    unverified = "cannot be verified; will be written"
    assert notes == {"config.secret": unverified, "secrets": unverified}


def test_created_secrets_are_sensitive():
    plan, _ = build_plan(stack(hook_with_secret("topsecret-1")), live_state())
    fields = {c.path: c for c in plan.actions[0].changes}
    assert fields["secrets"].sensitive
    assert fields["config.secret"].sensitive and fields["config.secret"].after is None
    assert fields["config.url"].after == "https://example.invalid/hook"
    assert "topsecret-1" not in json.dumps(plan.to_json())


def test_ref_templates_resolve_or_are_known_after_apply():
    tmpl = Template(("queue=", RefPlaceholder("Queue", "q", "id")))
    lone = Template((RefPlaceholder("Queue", "q", "id"),))
    hook = desired("Hook", "h", name="Hook", type="webhook", settings={"text": tmpl, "queue_id": lone})
    s = stack(desired("Queue", "q", name="Q"), hook)
    plan, _ = build_plan(s, live_state())
    fields = {c.path: c for c in by_address(plan)["Hook/h"].changes}
    assert fields["settings.text"].after_unknown and fields["settings.queue_id"].after_unknown
    assert fields["settings.queue_id"].after == "(known after apply)"
    assert by_address(plan)["Hook/h"].depends_on == ("Queue/q",)

    live = live_state(
        ("Queue", live_obj("Queue", 8, name="Q", metadata=marker("q"))),
        ("Hook", live_obj("Hook", 9, name="Hook", type="webhook", settings={"text": "queue=8", "queue_id": 8},
                          metadata=marker("h"))),
    )
    plan, _ = build_plan(s, live)
    assert not plan.has_changes
    live.objects["Hook"][0] = live.objects["Hook"][0].__class__(
        "Hook", {**live.objects["Hook"][0].data, "settings": {"text": "queue=7", "queue_id": 8}}
    )
    plan, _ = build_plan(s, live)
    [change] = plan.changes[0].changes
    assert (change.path, change.before, change.after) == ("settings.text", "queue=7", "queue=8")


def default_templates(queue_id: int, first_id: int):
    q = url("queues", queue_id)
    names = [
        ("Annotation status change - confirmed", "custom"),
        ("Annotation status change - exported", "custom"),
        ("Annotation status change - received", "custom"),
        ("Default rejection template", "rejection_default"),
        ("Email with no processable attachments", "email_with_no_processable_attachments"),
    ]
    return [
        ("EmailTemplate", live_obj("EmailTemplate", first_id + i, name=n, type=t, queue=q, subject="x", automate=True))
        for i, (n, t) in enumerate(names)
    ]


def test_default_email_templates_are_adopted_by_type_or_name_never_duplicated():
    s = stack(
        desired("Queue", "q", name="Q"),
        desired("EmailTemplate", "reject", name="Rejected!", type="rejection_default", queue=Ref("Queue", "q"),
                subject="Sorry"),
        desired("EmailTemplate", "confirmed", name="Annotation status change - confirmed", type="custom",
                queue=Ref("Queue", "q"), subject="x"),
    )
    live = live_state(("Queue", live_obj("Queue", 1, name="Q", metadata=marker("q"))), *default_templates(1, 100))
    plan, ctx = build_plan(s, live)
    actions = by_address(plan)
    reject = actions["EmailTemplate/reject"]
    assert reject.action is ActionType.UPDATE and reject.id == 103 and reject.adopt
    assert {c.path for c in reject.changes} == {"name", "subject"}
    confirmed = actions["EmailTemplate/confirmed"]
    assert confirmed.action is ActionType.UPDATE and confirmed.id == 100 and confirmed.adopt and not confirmed.changes
    assert plan.summary.adopt == 1 and plan.summary.add == 0
    assert ctx.ownership.owned["EmailTemplate/reject"].entry.default


def test_recorded_default_template_leaving_manifests_is_forgotten_not_deleted():
    live = live_state(
        ("Queue", live_obj("Queue", 1, name="Q", metadata=marker("q", email_templates={
            "reject": {"id": 103, "default": True}, "mine": 200}))),
        *default_templates(1, 100),
        ("EmailTemplate", live_obj("EmailTemplate", 200, name="Mine", type="custom", queue=url("queues", 1))),
    )
    plan, _ = build_plan(stack(desired("Queue", "q", name="Q")), live)
    actions = by_address(plan)
    assert actions["EmailTemplate/reject"].action is ActionType.FORGET
    assert actions["EmailTemplate/mine"].action is ActionType.DELETE
    assert plan.summary.forget == 1 and plan.summary.destroy == 1


def test_unrecorded_template_or_rule_with_same_identity_is_adopted_after_a_crash():
    s = stack(
        desired("Queue", "q", name="Q"),
        desired("EmailTemplate", "mine", name="Mine", type="custom", queue=Ref("Queue", "q"), subject="s"),
        desired("Rule", "r", name="Check", queues=[Ref("Queue", "q")], trigger_condition="True"),
    )
    live = live_state(
        ("Queue", live_obj("Queue", 1, name="Q", metadata=marker("q"))),
        ("EmailTemplate", live_obj("EmailTemplate", 7, name="Mine", type="custom", queue=url("queues", 1),
                                   subject="s")),
        ("Rule", live_obj("Rule", 8, name="Check", queues=[url("queues", 1)], trigger_condition="True")),
        ("Rule", live_obj("Rule", 9, name="Check", queues=[], trigger_condition="True")),
    )
    plan, ctx = build_plan(s, live)
    actions = by_address(plan)
    assert actions["EmailTemplate/mine"].id == 7 and actions["EmailTemplate/mine"].adopt
    assert actions["Rule/r"].id == 8 and actions["Rule/r"].adopt
    assert [o.id for o in ctx.ownership.unmanaged] == [9]


def test_rule_recorded_by_another_stack_is_not_adopted():
    s = stack(
        desired("Queue", "q", name="Q"),
        desired("Rule", "r", name="Check", queues=[Ref("Queue", "q")]),
    )
    live = live_state(
        ("Queue", live_obj("Queue", 1, name="Q", metadata=marker("q"))),
        ("Rule", live_obj("Rule", 8, name="Check", queues=[url("queues", 1)])),
        org={**ORG, "metadata": {"rossum_iac": {"rules": {"other": {"r": 8}}}}},
    )
    plan, _ = build_plan(s, live)
    assert by_address(plan)["Rule/r"].action is ActionType.CREATE


def test_protected_rule_recorded_in_registry_blocks_deletion():
    live = live_state(
        ("Rule", live_obj("Rule", 8, name="Check", queues=[])),
        org={**ORG, "metadata": {"rossum_iac": {"rules": {"test": {"r": {"id": 8, "protect": True}}}}}},
    )
    with pytest.raises(PlanError, match="Rule/r"):
        build_plan(stack(), live)


def test_schema_used_by_unmanaged_queue_cannot_be_deleted():
    live = live_state(
        ("Schema", live_obj("Schema", 2, name="S", metadata=marker("sch"))),
        ("Queue", live_obj("Queue", 3, name="Theirs", schema=url("schemas", 2), metadata={}, status="active")),
    )
    with pytest.raises(PlanError, match=r"Schema/sch .*still used by queue 'Theirs' \(queues/3\)"):
        build_plan(stack(), live)


def test_workspace_with_unmanaged_queue_cannot_be_deleted():
    live = live_state(
        ("Workspace", live_obj("Workspace", 2, name="W", metadata=marker("ws"))),
        ("Queue", live_obj("Queue", 3, name="Theirs", workspace=url("workspaces", 2), metadata={})),
    )
    with pytest.raises(PlanError, match="Workspace/ws"):
        build_plan(stack(), live)


def test_schema_delete_waits_for_scheduled_queue_deletion_unless_immediate():
    live = live_state(
        ("Workspace", live_obj("Workspace", 1, name="W", metadata=marker("ws"))),
        ("Schema", live_obj("Schema", 2, name="S", metadata=marker("sch"))),
        ("Queue", live_obj("Queue", 3, name="Q", schema=url("schemas", 2), workspace=url("workspaces", 1),
                           metadata=marker("q"))),
    )
    plan, _ = build_plan(stack(), live)
    actions = by_address(plan)
    assert "Schema/sch" not in actions
    assert actions["Workspace/ws"].action is ActionType.DELETE
    assert any("Schema/sch is not deleted yet" in n for n in plan.notes)

    plan, _ = build_plan(stack(), live, PlanOptions(queue_delete_after="0"))
    actions = by_address(plan)
    assert actions["Schema/sch"].action is ActionType.DELETE
    assert "Queue/q" in actions["Schema/sch"].depends_on


def test_queue_moving_to_a_new_schema_lets_the_old_one_go():
    s = stack(
        desired("Schema", "new", name="New", content=[]),
        desired("Queue", "q", name="Q", schema=Ref("Schema", "new")),
    )
    live = live_state(
        ("Schema", live_obj("Schema", 2, name="Old", metadata=marker("old"), content=[])),
        ("Queue", live_obj("Queue", 3, name="Q", schema=url("schemas", 2), metadata=marker("q"))),
    )
    plan, _ = build_plan(s, live)
    order = [a.address for a in plan.changes]
    assert order.index("Schema/new") < order.index("Queue/q") < order.index("Schema/old")
    assert by_address(plan)["Schema/old"].depends_on == ("Queue/q",)


def test_queues_being_deleted_do_not_count_as_existing():
    live = live_state(
        ("Queue", live_obj("Queue", 3, name="Q", metadata=marker("q"), status="deletion_requested",
                           delete_after="2030-01-01T00:00:00Z")),
    )
    plan, ctx = build_plan(stack(desired("Queue", "q", name="Q")), live)
    assert plan.actions[0].action is ActionType.CREATE
    assert [q.id for q in ctx.ownership.deleting] == [3]
    plan, _ = build_plan(stack(), live)
    assert plan.actions == ()


def test_target_selects_objects_and_their_dependencies_only():
    plan, _ = build_plan(full_stack(), live_state(), PlanOptions(targets=("Hook/h",)))
    assert {a.address for a in plan.actions} == {"Hook/h", "Queue/q", "Workspace/ws", "Schema/sch"}
    assert plan.targets == ("Hook/h",)
    with pytest.raises(PlanError, match="Queue/nope"):
        build_plan(full_stack(), live_state(), PlanOptions(targets=("Queue/nope",)))
    with pytest.raises(PlanError, match="KIND/KEY"):
        build_plan(full_stack(), live_state(), PlanOptions(targets=("queue-x",)))


def test_target_ignores_problems_of_unselected_objects():
    live = live_state(("Workspace", live_obj("Workspace", 1, name="Keep", metadata=marker("keep", protect=True))))
    s = stack(desired("Schema", "sch", name="S", content=[]))
    plan, _ = build_plan(s, live, PlanOptions(targets=("Schema/sch",)))
    assert [a.address for a in plan.actions] == ["Schema/sch"]


def test_ignore_changes_skips_paths_on_update_only():
    s = stack(desired("Queue", "q", name="New name", settings={"a": 1, "b": 2}, ignore=("name", "settings.b")))
    live = live_state(("Queue", live_obj("Queue", 1, name="Old", settings={"a": 1, "b": 3}, metadata=marker("q"))))
    plan, _ = build_plan(s, live)
    assert not plan.has_changes
    plan, _ = build_plan(s, live_state())
    assert {c.path for c in plan.actions[0].changes} == {"name", "settings.a", "settings.b"}


def test_duplicated_marker_keeps_the_oldest_and_warns():
    live = live_state(
        ("Workspace", live_obj("Workspace", 5, name="Copy", metadata=marker("ws"))),
        ("Workspace", live_obj("Workspace", 2, name="W", metadata=marker("ws"))),
    )
    plan, ctx = build_plan(stack(desired("Workspace", "ws", name="W")), live)
    assert plan.actions[0].id == 2 and not plan.has_changes
    assert any("same ownership marker" in n for n in plan.notes)
    assert [o.id for o in ctx.ownership.unmanaged] == [5]


def test_fingerprints_ignore_volatile_fields_and_hosts():
    a = live_state(("Queue", live_obj("Queue", 1, name="Q", counts={"to_review": 1}, metadata=marker("q"))))
    b = live_state(("Queue", live_obj("Queue", 1, OTHER_BASE, name="Q", counts={"to_review": 9}, metadata=marker("q"))))
    c = live_state(("Queue", live_obj("Queue", 1, name="Q2", counts={"to_review": 1}, metadata=marker("q"))))
    assert a.fingerprints() == b.fingerprints() != c.fingerprints()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", "0"), ("24:00:00", "24:00:00"), ("2h", "02:00:00"), ("90m", "01:30:00"), ("1d12h", "1 12:00:00")],
)
def test_parse_delete_after(text, expected):
    assert parse_delete_after(text) == expected


def test_parse_delete_after_rejects_nonsense():
    with pytest.raises(ValueError, match="not a duration"):
        parse_delete_after("soon")


def test_durations_compare_by_length_of_time():
    s = stack(desired("Queue", "q", name="Q", session_timeout="1:00:00"))
    same = live_state(("Queue", live_obj("Queue", 1, name="Q", session_timeout="01:00:00", metadata=marker("q"))))
    assert not build_plan(s, same)[0].has_changes
    other = live_state(("Queue", live_obj("Queue", 1, name="Q", session_timeout="02:00:00", metadata=marker("q"))))
    [change] = build_plan(s, other)[0].changes[0].changes
    assert (change.before, change.after) == ("02:00:00", "1:00:00")

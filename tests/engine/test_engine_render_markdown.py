"""Markdown plans and drift reports (pull-request comments): structure, escaping, masking and the size limit."""

from __future__ import annotations

import json
import re
from typing import Any

from test_engine_render_golden import SECRETS, fixture, scenario_update

from rossum_iac.engine.plan import Action, ActionType, FieldChange, NestedChange, Plan
from rossum_iac.engine.render import render_plan
from rossum_iac.engine.render_markdown import MAX_CHARS, render_drift_markdown, render_plan_markdown

FENCE = re.compile(r"^(`{3,})(\w*)$")


def fences_balanced(text: str) -> bool:
    """Every fence opened is closed by the same fence; no ``<details>`` tag sits inside a fenced block."""
    open_fence = None
    for line in text.splitlines():
        found = FENCE.match(line)
        if open_fence is None and found and found.group(2):
            open_fence = found.group(1)
        elif open_fence is not None and line == open_fence:
            open_fence = None
        elif open_fence is None and found:
            return False
    return open_fence is None


def details_balanced(text: str) -> bool:
    return text.count("<details>") == text.count("</details>")


def plan_of(*actions: Action, notes: tuple[str, ...] = (), warnings: tuple[dict[str, Any], ...] = ()) -> dict:
    plan = Plan(stack="s", actions=actions, manifests_dir="/m", manifests_digest="d", notes=notes, warnings=warnings)
    return plan.to_json()


def test_structure_summary_warnings_table_then_one_section_per_object():
    plan = fixture("lifecycle")
    text = render_plan_markdown(plan)
    lines = text.splitlines()
    assert lines[0] == "### rossum-iac plan: stack `test`"
    assert lines[2].startswith("**Plan: 1 to adopt, 3 to add, 2 to change, 4 to destroy, 1 to forget.**")
    warnings, table, first_section = text.index("> [!WARNING]"), text.index("| Kind |"), text.index("<details>")
    assert warnings < table < first_section
    for w in plan["warnings"]:
        assert (w.get("message") or w["address"]) in text[warnings:table]
    assert "**breaking**: removing datapoint" in text and "**duplicate**: Queue/new would duplicate" in text
    assert "| Inbox | 2 | 0 | 2 | 0 | 0 |" in text and "| **Total** | **3** | **2** | **4** | **1** | **1** |" in text
    changed = [c for c in plan["resource_changes"] if c["actions"] != ["no-op"]]
    for c in changed:
        assert text.count(f"{c['address']}</code>") == 1, c["address"]
    assert details_balanced(text) and fences_balanced(text)
    assert "```diff\n~ queues: + \"Queue/us\", - \"Queue/eu\"  # forces replacement\n```" in text
    assert "\x1b[" not in text


def test_field_changes_and_text_diffs_are_in_fenced_diff_blocks():
    text = render_plan_markdown(fixture("update"))
    code = text[text.index("<code>~ Hook/check</code>"):]
    code = code[: code.index("</details>")]
    assert "```diff\n~ events:" in code
    diff = "\n--- live\n+++ manifests\n@@ -1,5 +1,5 @@\n def rossum_hook_request_handler(payload):\n"
    assert diff + "-    messages = []  # v1\n+    messages = []\n" in code
    schema = render_plan_markdown(fixture("schema"))
    assert '~ datapoint "currency" options[value="eur"].label: "EUR" -> "Euro"' in schema
    assert "used by Queue/invoices-eu, Queue/invoices-us and 2 queues not managed by this stack</summary>" in schema
    assert "\n-return total\n+return round(total, 2)\n" in schema


def test_every_warning_type_is_shown_by_its_message():
    warnings = (
        {"type": "breaking", "address": "Schema/s", "message": "field x is used by Rule/r"},
        {"type": "brand_new", "message": "something new to review"},
        {"type": "no_message", "address": "Queue/q"},
    )
    for text in (render_plan_markdown(plan_of(warnings=warnings)), render_plan(plan_of(warnings=warnings))):
        assert "field x is used by Rule/r" in text and "something new to review" in text
        assert "no_message: Queue/q" in text


def test_protected_objects_the_plan_would_destroy_are_warnings():
    plan = plan_of(Action("Queue/q", ActionType.DELETE, id=3, protect=True))
    assert "Queue/q is protected (protect: true), but the plan would destroy it" in render_plan_markdown(plan)
    assert "Queue/q is protected (protect: true), but the plan would destroy it" in render_plan(plan)


def test_html_and_table_characters_are_escaped_and_fences_outgrow_backticks():
    code = "x = '''\n```\n````\n'''\n"
    action = Action(
        "Hook/h",
        ActionType.UPDATE,
        id=1,
        name="<b>Bold</b> | pipe",
        changes=(FieldChange("config.code", "old\n", code, format="text"),),
        notes=("note with <script>",),
    )
    text = render_plan_markdown(plan_of(action, notes=("</details> in a note",)))
    assert "<b>" not in text and "&lt;b&gt;Bold&lt;/b&gt;" in text and "<script>" not in text
    assert "`````diff" in text and fences_balanced(text) and details_balanced(text)


def test_no_secret_value_in_markdown_text_or_json():
    plan = scenario_update()
    outputs = [render_plan_markdown(plan), render_plan_markdown(plan, compact=True), render_plan(plan),
               json.dumps(plan)]
    for out in outputs:
        for value in SECRETS.values():
            assert value not in out
    assert "~ config.secret: (sensitive)  # value changed" in outputs[0]


def _big_plan(objects: int, lines_per_object: int) -> dict:
    actions = []
    for i in range(objects):
        items = tuple(
            NestedChange(f'settings.columns[schema_id="col_{j}"].width', before=j, after=j + 1)
            for j in range(lines_per_object)
        )
        actions.append(Action(f"Queue/q{i:04d}", ActionType.UPDATE, id=i, name=f"Queue {i}",
                              changes=(FieldChange("settings.columns", format="nested", items=items),)))
    return plan_of(*actions, notes=("a note at the end",))


def test_long_plans_are_truncated_with_a_note_and_stay_well_formed():
    plan = _big_plan(400, 8)
    assert len(render_plan(plan)) > 2 * MAX_CHARS
    text = render_plan_markdown(plan)
    assert len(text) <= MAX_CHARS
    assert details_balanced(text) and fences_balanced(text)
    shown = text.count("<details>")
    assert 0 < shown < 400
    assert f"**Truncated:** details of {400 - shown} of 400 objects are not shown; every object is listed above" in text
    assert "**Plan: 0 to add, 400 to change, 0 to destroy.**" in text and "| Queue | 0 | 400 | 0 |" in text
    overview = text.index("All 400 objects (details below, as many as fit):")
    assert overview < text.index("<details>")
    for i in range(400):
        assert f'~ Queue/q{i:04d} (id {i}, "Queue {i}"): settings.columns (8 changes)\n' in text
    assert text.rstrip().endswith("to see all of it.") and "a note at the end" not in text


def test_a_plan_too_long_to_list_lists_what_fits():
    text = render_plan_markdown(_big_plan(3000, 1))
    assert len(text) <= MAX_CHARS and fences_balanced(text) and details_balanced(text)
    listed = len(re.findall(r"^~ Queue/q\d{4} ", text, re.M))
    assert 0 < listed < 3000
    assert f"only the first {listed} are listed above" in text


def test_a_huge_single_change_is_shortened_inside_its_section():
    code_before = "".join(f"line {i}\n" for i in range(20_000))
    code_after = "".join(f"line {i} changed\n" for i in range(20_000))
    action = Action("Hook/h", ActionType.UPDATE, id=1,
                    changes=(FieldChange("config.code", code_before, code_after, format="text"),))
    text = render_plan_markdown(plan_of(action))
    assert len(text) <= MAX_CHARS
    assert re.search(r"… \d+ more lines not shown", text)
    assert "Some sections are shortened" in text
    assert fences_balanced(text) and details_balanced(text)


def test_limit_can_be_set_and_small_plans_are_whole():
    plan = fixture("schema")
    whole = render_plan_markdown(plan)
    assert "Truncated" not in whole and "shortened" not in whole
    small = render_plan_markdown(_big_plan(30, 3), max_chars=3_000)
    assert len(small) <= 3_000 and "Truncated" in small and fences_balanced(small) and details_balanced(small)


def test_compact_markdown_is_one_line_per_object():
    text = render_plan_markdown(fixture("lifecycle"), compact=True)
    assert "<details>" not in text
    block = text[text.index("```diff"):]
    assert "\n-/+ Inbox/fixed (id 41, \"Fixed\"): queues (forces replacement)\n" in block
    assert "\n- Queue/old (id 3, \"Old\")\n" in block


def test_no_changes():
    text = render_plan_markdown(plan_of())
    assert "**No changes.**" in text and "<details>" not in text and "| Kind |" not in text


def test_drift_report_markdown():
    report = {
        "stack": "s",
        "organization": {"id": 1, "name": "Org"},
        "drift": True,
        "objects": [
            {"address": "Queue/q", "id": 3, "status": "changed", "fields": [
                {"path": "settings.columns", "format": "nested", "before": None, "after": None, "items": [
                    {"path": 'settings.columns[schema_id="a"].width', "op": "change", "before": 1, "after": 2}]},
                {"path": "secret", "sensitive": True, "format": "secret", "before": None, "after": None}]},
            {"address": "Hook/h", "status": "missing", "fields": []},
            {"address": "Rule/r", "id": 4, "status": "unrecorded", "fields": []},
            {"address": "Schema/old", "id": 5, "status": "not_in_manifests", "fields": []},
        ],
        "unmanaged": [{"kind": "Queue", "id": 9, "name": "Other <x>"}],
        "notes": ["a note"],
    }
    text = render_drift_markdown(report)
    assert text.startswith("### rossum-iac drift: stack `s`\n\n**Drift: 4 objects differ from the manifests**")
    assert "| Kind | Changed | Missing | Not in manifests | Unrecorded |" in text
    assert "| Queue | 1 | 0 | 0 | 0 |" in text
    assert '~ settings.columns[schema_id="a"].width: 1 -> 2' in text and "~ secret: (sensitive)" in text
    assert "<code>! Hook/h</code> is missing from the organization" in text
    assert "Other &lt;x&gt;" in text and "- a note" in text
    assert details_balanced(text) and fences_balanced(text)
    clean = render_drift_markdown({"stack": "s", "objects": [], "notes": []})
    assert "**No drift.**" in clean


def test_long_values_are_coloured_lines_of_their_own():
    item = NestedChange('actions[id="a"].payload.content', before="x" * 60, after="y" * 60)
    action = Action("Rule/r", ActionType.UPDATE, id=1,
                    changes=(FieldChange("actions", format="nested", items=(item,)),
                             FieldChange("description", "a" * 60, "b" * 60)))
    text = render_plan_markdown(plan_of(action))
    assert f'~ actions[id="a"].payload.content:\n- "{"x" * 60}"\n+ "{"y" * 60}"\n' in text
    assert f'~ description:\n- "{"a" * 60}"\n+ "{"b" * 60}"\n' in text

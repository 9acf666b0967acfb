"""Nested differences (engine/nested.py): what the plan shows inside lists and mappings."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from engine_helpers import desired, live_obj, live_state, marker, stack

from rossum_iac.engine.compare import matches
from rossum_iac.engine.nested import NestedDiffer, is_text, key_segment
from rossum_iac.engine.planner import build_plan
from rossum_iac.engine.render import render_plan
from rossum_iac.manifest.model import Secret


def items(desired_value: Any, live: Any, path: str = "v") -> list[dict[str, Any]]:
    return [i.to_json() for i in NestedDiffer(None).diff(path, desired_value, live)]


def test_options_are_matched_by_value_and_only_the_changed_label_is_shown():
    live = [{"value": f"c{i}", "label": f"C{i}", "server_filled": True} for i in range(33)]
    wanted = [{"value": f"c{i}", "label": f"C{i}"} for i in range(33)]
    wanted[3]["label"] = "Three"
    assert items(wanted, live, "options") == [
        {"path": 'options[value="c3"].label', "op": "change", "before": "C3", "after": "Three"}
    ]


def test_added_removed_and_moved_items_by_key():
    live = [{"id": "a", "x": 1}, {"id": "b", "x": 2}, {"id": "c", "x": 3}]
    wanted = [{"id": "c", "x": 3}, {"id": "a", "x": 1}, {"id": "d", "x": 4}]
    found = items(wanted, live, "actions")
    assert {"path": 'actions[id="d"]', "op": "add", "before": None, "after": {"id": "d", "x": 4}} in found
    assert {"path": 'actions[id="b"]', "op": "remove", "before": {"id": "b", "x": 2}, "after": None} in found
    assert {"path": "actions", "op": "reorder", "before": ["a", "c"], "after": ["c", "a"]} in found


def test_items_without_a_distinct_key_are_matched_by_position():
    live = [{"k": 1, "v": "a"}, {"k": 1, "v": "b"}]
    wanted = [{"k": 1, "v": "a"}, {"k": 1, "v": "c"}, {"k": 2}]
    assert items(wanted, live) == [
        {"path": "v[1].v", "op": "change", "before": "b", "after": "c"},
        {"path": "v[2]", "op": "add", "before": None, "after": {"k": 2}},
    ]


def test_scalar_lists_short_whole_long_as_added_and_removed():
    assert items(["a", "b"], ["a"]) == [{"path": "v", "op": "change", "before": ["a"], "after": ["a", "b"]}]
    live = [f"type/{i:02d}" for i in range(12)]
    wanted = [v for v in live if v != "type/04"] + ["type/99"]
    assert items(wanted, live) == [
        {"path": "v[4]", "op": "remove", "before": "type/04", "after": None},
        {"path": "v[11]", "op": "add", "before": None, "after": "type/99"},
    ]


def test_declared_keys_only_and_the_comparison_rules_apply_inside():
    live = [{"id": 1, "n": 1.0, "url": "http://a:1/api/v1/queues/3", "extra": "x"}]
    assert items([{"id": 1, "n": 1, "url": "http://b:2/api/v1/queues/3"}], live) == []
    assert items({"a": {"b": None}}, {"a": {}}) == []


def test_multi_line_and_long_leaves_are_text():
    found = items([{"id": "x", "code": "a\nb\n"}], [{"id": "x", "code": "a\nc\n"}])
    assert found[0]["format"] == "text" and found[0]["path"] == 'v[id="x"].code'
    assert is_text("x" * 101, None) and not is_text("x" * 100, "y") and not is_text("a\nb", 3)


def test_odd_mapping_keys_are_quoted_in_paths():
    assert key_segment("plain_key-1") == ".plain_key-1"
    assert key_segment("a.b") == '["a.b"]' and key_segment("application/pdf") == '["application/pdf"]'
    assert items({"a.b": 2}, {"a.b": 1}) == [{"path": 'v["a.b"]', "op": "change", "before": 1, "after": 2}]


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    choice = rng.random()
    if depth > 2 or choice < 0.4:
        return rng.choice([0, 1, 1.0, "a", "b", None, True, False, "x\ny"])
    if choice < 0.7:
        return {rng.choice("pqr"): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    if rng.random() < 0.5:
        ids = rng.sample(["i", "j", "k", "l"], rng.randint(0, 4))
        return [{"id": i, "w": _random_value(rng, depth + 1)} for i in ids]
    length = rng.randint(0, 4) if rng.random() < 0.7 else rng.randint(8, 16)  # long lists of scalars too
    return [_random_value(rng, depth + 1) for _ in range(length)]


@pytest.mark.parametrize("seed", range(20))
def test_items_are_found_exactly_when_the_values_differ(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        wanted, live = _random_value(rng), _random_value(rng)
        if rng.random() < 0.3:
            live = json.loads(json.dumps(wanted))
        found = NestedDiffer(None).diff("v", wanted, live)
        assert bool(found) == (not matches(wanted, live)), (wanted, live, found)


def test_a_secret_inside_a_list_is_never_shown_even_at_a_shifted_position():
    value = "list-secret-0123456789"
    wanted = [{"note": "hello"}, {"token": Secret("T", value)}]
    live = [{"note": value}, {"token": "old-token-value"}]
    found = NestedDiffer(None, [value]).diff("settings.endpoints", wanted, live)
    text = json.dumps([i.to_json() for i in found])
    assert value not in text and "old-token-value" not in text
    assert [i.sensitive for i in found] == [False, True]
    assert found[0].before == "(sensitive)"


def test_plan_of_a_list_with_a_secret_shows_the_other_parts_and_no_secret():
    value = "hook-endpoint-token-42"
    endpoint = {"name": "erp", "url": "https://erp.invalid/v2", "token": Secret("T", value)}
    hook = desired("Hook", "h", name="H", type="webhook", config={"url": "https://x.invalid"},
                   settings={"endpoints": [endpoint], "note": "plain"})
    live = live_obj("Hook", 5, name="H", type="webhook", config={"url": "https://x.invalid"}, metadata=marker("h"),
                    settings={"endpoints": [{"name": "erp", "url": "https://erp.invalid/v1", "token": "old-one-xyz"}],
                              "note": f"pasted {value} here"})
    plan, _ = build_plan(stack(hook), live_state(("Hook", live)))
    data = plan.to_json()
    text = render_plan(data) + json.dumps(data)
    assert value not in text and "old-one-xyz" not in text
    assert '~ settings.endpoints[name="erp"].url: "https://erp.invalid/v1" -> "https://erp.invalid/v2"' in text
    assert '~ settings.endpoints[name="erp"].token: (sensitive)' in text
    assert '~ settings.note: "(sensitive)" -> "plain"' in text


def test_a_created_object_never_shows_its_secret_in_another_field():
    value = "created-secret-987654"
    hook = desired("Hook", "h", name="H", type="webhook",
                   config={"url": "https://x.invalid", "secret": Secret("S", value)},
                   description=f"signed with {value}", settings={"items": [{"name": "a", "key": value}]})
    plan, _ = build_plan(stack(hook), live_state())
    text = render_plan(plan.to_json()) + json.dumps(plan.to_json())
    assert value not in text
    assert '+ description = "(sensitive)"' in text and "+ config.secret = (sensitive)" in text

"""The fast yes/no check (``fastjsonschema``'s generated validator) answers exactly as ``jsonschema`` does: on the
example manifests, on the API objects of the corpus (mostly invalid as manifests), on thousands of seeded
mutations of both, and on hand-picked cases of the type rules that the manifest schema relies on; and
``validate`` still explains every invalid object."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from rossum_iac.manifest.schema_validation import _defs_for_loader, fast_check_for, validate, validator_for

ROOT = Path(__file__).resolve().parents[2]
POOL: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -3,
    1.0,
    2.5,
    "",
    "x",
    "queue-1",
    "${env.SECRET}",
    "${var.x}",
    "https://example.com/api/v1/queues/1",
    [],
    {},
    ["a"],
    [1, "a"],
    {"a": 1},
    {"file": "x.py"},
    "a" * 300,
    "Name with spaces",
    "python3.12",
    "annotation_content.initialize",
]
FOLDERS = {
    "connector": "Connector",
    "email_template": "EmailTemplate",
    "hook": "Hook",
    "inbox": "Inbox",
    "queue": "Queue",
    "rule": "Rule",
    "schema": "Schema",
    "workspace": "Workspace",
    "label": "Label",
    "organization": "Organization",
    "user": "User",
    "trigger": "Trigger",
}


def _examples() -> list[tuple[str, Any]]:
    yaml = YAML(typ="safe")
    out: list[tuple[str, Any]] = []
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        for doc in yaml.load_all(path.read_text()):
            if isinstance(doc, dict) and isinstance(doc.get("kind"), str):
                out.append((doc["kind"], doc))
    return out


def _corpus() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for path in sorted((ROOT / "tests" / "corpus" / "objects").rglob("*.json")):
        kind = FOLDERS.get(path.parent.name)
        if kind is None or path.name.startswith("_"):
            continue
        data = json.loads(path.read_text())
        out.append((kind, data))
        # the same object reduced to what a manifest would say: more of them valid
        trimmed = {k: v for k, v in data.items() if k not in ("id", "url", "modified_at", "modified_by")}
        out.append((kind, {"kind": kind, "key": "k", **trimmed}))
    return out


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(instance: Any, rng: random.Random) -> Any:
    mutated = copy.deepcopy(instance)
    path = rng.choice(_paths(mutated)[1:] or [()])
    if not path:
        return rng.choice(POOL)
    parent = mutated
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    roll = rng.random()
    if isinstance(parent, dict) and roll < 0.2:
        del parent[last]
    elif isinstance(parent, dict) and roll < 0.3:
        parent[rng.choice(["extra", "settings", "metadata", "name", "queues"])] = rng.choice(POOL)
    else:
        parent[last] = copy.deepcopy(rng.choice(POOL))
    return mutated


def _kinds() -> list[str]:
    return [name for name in _defs_for_loader() if name[:1].isupper()]


def test_every_definition_compiles() -> None:
    assert all(callable(fast_check_for(name)) for name in _defs_for_loader())


def test_same_answer_on_examples_corpus_and_mutations() -> None:
    rng = random.Random(20261203)
    instances = _examples() + _corpus()
    assert len(instances) > 100
    valid = invalid = 0
    kinds = _kinds()
    for kind, instance in instances:
        other = rng.choice(kinds)
        for name in dict.fromkeys([kind, other] if kind in kinds else [other]):
            for candidate in [instance] + [_mutate(instance, rng) for _ in range(12)]:
                expected = validator_for(name).is_valid(candidate)
                assert fast_check_for(name)(candidate) is expected, (name, candidate)
                valid += expected
                invalid += not expected
    assert valid > 100 and invalid > 1000, (valid, invalid)


@pytest.mark.parametrize(
    ("schema", "instance", "expected"),
    [
        ({"type": "integer"}, 1.0, True),
        ({"type": "integer"}, 1.5, False),
        ({"type": "integer"}, True, False),
        ({"type": "number"}, False, False),
        ({"type": ["string", "null"]}, None, True),
        ({"enum": [1, 2]}, True, False),
        ({"enum": [True]}, 1, False),
        ({"enum": [1]}, 1.0, True),
        ({"const": True}, 1, False),
        ({"enum": ["a", "b"]}, ["a"], False),
        ({"pattern": "^a"}, 5, True),
        ({"pattern": "b"}, "abc", True),
        ({"maxLength": 2}, "abc", False),
        ({"minimum": 0}, "-1", True),
        ({"required": ["a"]}, [], True),
        ({"properties": {"a": {"type": "string"}}, "additionalProperties": False}, {"a": "x", "b": 1}, False),
        ({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}}, {"c": 1}, True),
        ({"if": {"required": ["a"]}, "then": {"required": ["b"]}}, {"a": 1}, False),
        ({"then": {"required": ["b"]}}, {}, True),
        ({"not": {"type": "null"}}, None, False),
        ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"A": 1}, False),
        ({"items": {"type": "string"}, "minItems": 1}, [], False),
        ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1, False),
    ],
)
def test_type_and_equality_rules(schema: Any, instance: Any, expected: bool) -> None:
    """Where JSON Schema drafts or Python equality could disagree (1 == True, 1.0 an integer), both answer alike."""
    import fastjsonschema
    from jsonschema import Draft202012Validator

    check = fastjsonschema.compile({"$schema": "http://json-schema.org/draft-07/schema#", **schema})
    try:
        check(instance)
        fast = True
    except fastjsonschema.JsonSchemaException:
        fast = False
    assert fast is expected
    assert Draft202012Validator(schema).is_valid(instance) is expected


def test_invalid_objects_are_still_explained() -> None:
    problems = validate("Queue", {"kind": "Queue", "key": "q", "name": 5, "workspace": "ws", "schema": "s"}, "Queue")
    assert problems
    assert any("name" in str(p.path) or "name" in str(p) for p in problems)

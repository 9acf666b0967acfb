"""The compiled quick check agrees with jsonschema on valid and invalid documents."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from rossum_iac.kinds import KIND_NAMES
from rossum_iac.manifest import load_stack
from rossum_iac.manifest.fastschema import UnsupportedSchema, compile_schema
from rossum_iac.manifest.schema_validation import _inline, manifest_schema, quick_check_for, validator_for
from rossum_iac.manifest.variables import placeholder_form

from .helpers import EXAMPLES
from .test_json_schema import MISTAKES

SCALARS: list[Any] = [True, False, 0, 1, 1.0, 1.5, -1, 61, 100000, None]
TEXTS = ["x", "", "yes", "always", "function", "python3.12", "${var.x}", "${env.X}", "a b", "https://hooks.example.com"]
CONTAINERS: list[Any] = [[], {}, ["a"], ["a", "b"], {"file": "x.py"}, {"file": "x", "y": 1}, {"url": "u"}]
RECIPIENTS: list[Any] = [[{"email": "e"}], [{"name": "n"}]]
POOL = SCALARS + TEXTS + CONTAINERS + RECIPIENTS


def _documents() -> list[dict[str, Any]]:
    stack = load_stack(EXAMPLES, "dev", {"AP_WEBHOOK_SECRET": "s"})
    return [{"kind": o.kind, "key": o.key, **placeholder_form(o.fields)} for o in stack.objects]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_paths(item, (*prefix, index)))
    return out


def _mutate(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    path = rng.choice(_paths(doc)[1:])
    parent: Any = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    roll = rng.random()
    if roll < 0.6:
        parent[last] = copy.deepcopy(rng.choice(POOL))
    elif roll < 0.8:
        del parent[last]
    elif isinstance(parent, dict):
        parent[rng.choice(["extra", "secrte", "timeout_s", "queues", "type", "options", "width"])] = rng.choice(POOL)
    else:
        parent.append(copy.deepcopy(rng.choice(POOL)))
    return doc


def test_agrees_with_jsonschema_on_examples_and_their_mutations() -> None:
    rng = random.Random(11)
    documents = _documents()
    invalid = 0
    for document in documents:
        name = document["kind"]
        assert quick_check_for(name)(document) and validator_for(name).is_valid(document)
        for _ in range(150):
            mutated = _mutate(document, rng)
            expected = validator_for(name).is_valid(mutated)
            invalid += not expected
            assert quick_check_for(name)(mutated) == expected, mutated
    assert invalid > 500


@pytest.mark.parametrize("document", MISTAKES)
def test_agrees_on_representative_mistakes(document: dict[str, Any]) -> None:
    schema = manifest_schema()
    whole = _inline(schema, schema["$defs"])
    assert compile_schema(whole)(document) is False
    assert Draft202012Validator(schema).is_valid(document) is False


def test_every_kind_compiles() -> None:
    for kind in (*KIND_NAMES, "stack_file", "environment_file"):
        assert callable(quick_check_for(kind))


def test_json_equality_rules() -> None:
    assert compile_schema({"enum": [1]})(1.0) is True
    assert compile_schema({"enum": [1]})(True) is False
    assert compile_schema({"const": False})(0) is False
    assert compile_schema({"type": "integer"})(2.0) is True
    assert compile_schema({"type": "number"})(True) is False


def test_unknown_keywords_refuse_to_compile() -> None:
    with pytest.raises(UnsupportedSchema):
        compile_schema({"uniqueItems": True})

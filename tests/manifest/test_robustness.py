"""Random and damaged manifests give errors, never exceptions."""

from __future__ import annotations

import copy
import io
import random
import shutil
import time
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from rossum_iac.kinds import KIND_NAMES
from rossum_iac.manifest import load_stack
from rossum_iac.manifest.loader import load
from rossum_iac.manifest.schema_validation import kind_properties, validate, validator_for
from rossum_iac.manifest.variables import placeholder_form
from rossum_iac.manifest.yaml_io import YamlSyntaxError, parse_documents

from .helpers import EXAMPLES
from .test_yaml_parsing import _laughs, _mutate, _random_value

SCALARS: list[Any] = [True, False, 0, 1, 1.0, 1.5, -1, 61, 100000, None]
TEXTS = ["x", "", "yes", "always", "function", "python3.12", "${var.x}", "${env.X}", "a b", "https://hooks.example.com"]
CONTAINERS: list[Any] = [[], {}, ["a"], ["a", "b"], {"file": "x.py"}, {"file": "x", "y": 1}, {"url": "u"}]
RECIPIENTS: list[Any] = [[{"email": "e"}], [{"name": "n"}]]
POOL = SCALARS + TEXTS + CONTAINERS + RECIPIENTS
ODD: list[Any] = [
    {"runtime": "python3.12", "code": {"file": "x.py"}},
    {"url": "u", "timeout_s": "x"},
    [{"id": "a", "type": "show_message", "event": "x", "payload": 5}],
    [{"category": "section", "id": "s", "children": [{"category": "multivalue", "children": 5}]}],
    {"file": "c.json"},
    "${ref.Queue.q.id}",
    "${var.v}",
    "${env.E}",
]


def test_random_documents_of_every_kind(tmp_path: Path) -> None:
    yaml = YAML()
    rng = random.Random(3)
    reported = 0
    for run in range(120):
        docs = []
        for _ in range(rng.randint(1, 5)):
            kind = rng.choice((*KIND_NAMES, "Bogus"))
            doc: dict[str, Any] = {"kind": kind, "key": rng.choice(["q", "w", "h", "Bad Key", 5])}
            props = [p for p in kind_properties(kind) if p != "kind"] if kind != "Bogus" else ["name"]
            for name in rng.sample(props, min(len(props), rng.randint(0, 6))):
                doc[name] = copy.deepcopy(rng.choice([*POOL, *ODD, _random_value(rng, 1)]))
            docs.append(doc)
        root = tmp_path / f"run{run}"
        root.mkdir()
        (root / "rossum.yaml").write_text("stack: s\nvariables: {v: [1, 2]}\n")
        (root / "x.py").write_text("code ${var.nope}\n")
        (root / "c.json").write_text('[{"category": "section"}]')
        stream = io.StringIO()
        yaml.dump_all(docs, stream)
        (root / "a.yaml").write_text(stream.getvalue())
        result = load(root, None, {"E": "value"})
        reported += len(result.errors)
        assert all(error.message and str(error.file) for error in result.errors)
    assert reported > 100


def test_damaged_example_stacks(tmp_path: Path) -> None:
    files = [p.relative_to(EXAMPLES) for p in EXAMPLES.rglob("*") if p.is_file()]
    rng = random.Random(5)
    for run in range(60):
        root = tmp_path / f"run{run}"
        shutil.copytree(EXAMPLES, root)
        for _ in range(rng.randint(1, 3)):
            path = root / rng.choice(files)
            path.write_text(_mutate(path.read_text(), rng))
        load(root, rng.choice([None, "dev", "prod", "nope"]), {"AP_WEBHOOK_SECRET": "s"})


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_paths(item, (*prefix, index)))
    return out


def _mutate_document(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
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


def test_schema_problems_for_mutated_examples() -> None:
    """Every document jsonschema rejects gets at least one problem in words, and every valid one none."""
    stack = load_stack(EXAMPLES, "dev", {"AP_WEBHOOK_SECRET": "s"})
    documents = [{"kind": o.kind, "key": o.key, **placeholder_form(o.fields)} for o in stack.objects]
    rng = random.Random(11)
    invalid = 0
    for document in documents:
        kind = document["kind"]
        assert validate(kind, document, kind) == []
        for _ in range(60):
            mutated = _mutate_document(document, rng)
            problems = validate(kind, mutated, kind)
            assert bool(problems) != validator_for(kind).is_valid(mutated), mutated
            assert all(problem.message for problem in problems)
            invalid += bool(problems)
    assert invalid > 200


def _stack_with(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "stack"
    root.mkdir()
    (root / "rossum.yaml").write_text("stack: s\n")
    (root / "a.yaml").write_text(text)
    return root


def test_alias_bomb_is_an_error_with_a_position_not_a_hang(tmp_path: Path) -> None:
    root = _stack_with(tmp_path, "kind: Workspace\nkey: w\nname: W\nmetadata:\n" + _laughs().replace("a", "  a", 1))
    start = time.perf_counter()
    result = load(root, None, {})
    assert time.perf_counter() - start < 30  # unbounded it never finishes; speed figures belong in bench/
    [error] = result.errors
    assert error.file.name == "a.yaml" and error.line > 4 and "too many aliases" in error.message


def test_deep_nesting_is_an_error_not_a_recursion_error(tmp_path: Path) -> None:
    deep = "[" * 5000 + "]" * 5000
    root = _stack_with(tmp_path, f"kind: Workspace\nkey: w\nname: W\nmetadata: {{x: {deep}}}\n")
    [error] = load(root, None, {}).errors
    assert (error.line, error.column) > (4, 0) and "nested too deeply" in error.message


def test_nesting_just_below_the_bound_loads(tmp_path: Path) -> None:
    depth = 290
    root = _stack_with(tmp_path, f"kind: Workspace\nkey: w\nname: W\nmetadata: {{x: {'[' * depth}{']' * depth}}}\n")
    assert load(root, None, {}).errors == []


_SOUP = [*"abc:-[]{}#&*!|>'\"%@`,? \n\t\r\\", "\x00", "\x85", "\u2028", "\ufeff", "\ud800", "é", "😀"]
_SOUP += [
    "---",
    "...",
    "<<",
    "&a",
    "*a",
    "!!str",
    "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n",
    "- ",
    ": ",
    "0",
    "9",
    "0x",
    "+",
    ".",
]
_SOUP += ["_", "2024-", "13-45", "e5", "1e3"]


def test_character_soup_gives_values_or_positioned_errors() -> None:
    """Random text reaches both parsers (C events and the round-trip loader) and never raises anything else."""
    rng = random.Random(1)
    errors = 0
    for _ in range(4000):
        text = "".join(rng.choice(_SOUP) for _ in range(rng.randint(0, 60)))
        try:
            parse_documents(text)
        except YamlSyntaxError as exc:
            assert exc.line > 0 and exc.message.strip(), text
            errors += 1
    assert errors > 1000

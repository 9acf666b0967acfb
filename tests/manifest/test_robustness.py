"""Random and damaged manifests give errors, never exceptions."""

from __future__ import annotations

import copy
import io
import random
import shutil
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from rossum_iac.kinds import KIND_NAMES
from rossum_iac.manifest.loader import load
from rossum_iac.manifest.schema_validation import kind_properties

from .helpers import EXAMPLES
from .test_fastschema import POOL
from .test_yaml_parsing import _mutate, _random_value

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

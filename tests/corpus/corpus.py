"""Loading the corpus of real Rossum configuration objects (see README.md in this directory).

Objects live in ``objects/<source>/<kind>/<name>.json``, one API object per file, exactly as the Rossum API
returned it (secrets replaced by fakes). Each ``objects/<source>/_source.json`` records where that source's objects
came from (repository, licence, and per file the upstream path, commit and any change made).

    from tests.corpus.corpus import iter_objects
    for obj in iter_objects(kind="hook"):
        print(obj.source, obj.path.name, obj.data["config"].get("runtime"))
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).resolve().parent
OBJECTS_DIR = CORPUS_DIR / "objects"
SOURCE_FILE = "_source.json"

KINDS = (
    "workspace",
    "schema",
    "connector",
    "queue",
    "inbox",
    "hook",
    "email_template",
    "rule",
    "label",
    "trigger",
    "user",
    "organization",
    "hook_template",
    "dedicated_engine",
    "generic_engine",
)
"""Kind directory names, in the order objects are best created (targets of references first)."""


@dataclass(frozen=True)
class CorpusObject:
    kind: str
    """Directory name of the kind: ``queue``, ``email_template``, ``hook``..."""
    source: str
    """Source slug (directory under ``objects/``)."""
    path: Path
    data: dict[str, Any] = field(repr=False)
    provenance: dict[str, Any] = field(default_factory=dict, repr=False)
    """The file's entry in its source's ``_source.json`` (``from``, ``commit``, ``changes``)."""

    @property
    def relpath(self) -> str:
        """Path relative to ``objects/`` (stable identifier in reports)."""
        return self.path.relative_to(OBJECTS_DIR).as_posix()


def sources() -> dict[str, dict[str, Any]]:
    """Every source's ``_source.json``, by slug."""
    result = {}
    for meta in sorted(OBJECTS_DIR.glob(f"*/{SOURCE_FILE}")):
        result[meta.parent.name] = json.loads(meta.read_text(encoding="utf-8"))
    return result


def iter_objects(kind: str | None = None, source: str | None = None) -> Iterator[CorpusObject]:
    """Every corpus object (optionally of one kind and/or source), sorted by source, kind order and file name."""
    order = {name: i for i, name in enumerate(KINDS)}
    for slug, meta in sources().items():
        if source is not None and slug != source:
            continue
        files = sorted(
            (p for p in (OBJECTS_DIR / slug).glob("*/*.json")),
            key=lambda p: (order.get(p.parent.name, len(order)), p.name),
        )
        for path in files:
            if kind is not None and path.parent.name != kind:
                continue
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError(f"{path}: a corpus object must be a JSON object")
            rel = f"{path.parent.name}/{path.name}"
            yield CorpusObject(path.parent.name, slug, path, data, meta.get("objects", {}).get(rel, {}))


def counts() -> dict[str, dict[str, int]]:
    """Number of objects per kind and per source: ``{"kind": {...}, "source": {...}}``."""
    by_kind: dict[str, int] = {}
    by_source: dict[str, int] = {}
    for obj in iter_objects():
        by_kind[obj.kind] = by_kind.get(obj.kind, 0) + 1
        by_source[obj.source] = by_source.get(obj.source, 0) + 1
    return {"kind": by_kind, "source": by_source}


def check() -> list[str]:
    """Consistency problems: object files without a provenance entry, entries without a file, unknown kinds."""
    problems = []
    for slug, meta in sources().items():
        listed = set(meta.get("objects", {}))
        present = {p.relative_to(OBJECTS_DIR / slug).as_posix() for p in (OBJECTS_DIR / slug).glob("*/*.json")}
        problems += [f"{slug}/{rel}: no entry in {SOURCE_FILE}" for rel in sorted(present - listed)]
        problems += [f"{slug}/{rel}: listed in {SOURCE_FILE} but missing" for rel in sorted(listed - present)]
        problems += [f"{slug}/{rel}: unknown kind" for rel in sorted(present) if rel.split("/")[0] not in KINDS]
        for key in ("repository", "licence", "what"):
            if not meta.get(key):
                problems.append(f"{slug}/{SOURCE_FILE}: '{key}' is missing")
    for directory in sorted(p for p in OBJECTS_DIR.iterdir() if p.is_dir()):
        if not (directory / SOURCE_FILE).exists():
            problems.append(f"{directory.name}: no {SOURCE_FILE}")
    return problems


if __name__ == "__main__":
    problems = check()
    for line in problems:
        print(line)
    summary = counts()
    print(json.dumps(summary, indent=2))
    raise SystemExit(1 if problems else 0)

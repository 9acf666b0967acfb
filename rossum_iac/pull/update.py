"""``pull --update``: bring an existing stack's manifests in step with changes made in the UI.

The stack is loaded (``load_stack``), the organization read (``read_live``, list endpoints only), and the plan
``plan`` would show is built from them (``planner.build_plan``: matching by ownership records, then
``diff.diff_object`` per object). Its field changes say which declared fields of each owned object differ, with
the engine's comparison rules (set-like lists, durations, URL tails, schema nodes by id, declared-subset dicts,
``ignore_changes``, catalogue names, hidden fields). Each difference is then written into the manifest where it was
declared, by ``merge.Merger``: in place, keeping comments, key order, layout, placeholders and includes (see
``merge`` and ``yaml_edit``). Then ``plan`` says "No changes." for those objects.

Decisions:

- Only objects this stack owns are updated: recorded by an ownership marker or registry. Objects ``plan`` would
  take over by natural identity (a queue's default email template, crash recovery) are listed, not updated: apply
  (or ``import``) records them first.
- Only declared fields are brought in step: a field (or a mapping key) the manifest does not declare stays
  undeclared; a declared mapping key the live object no longer has is removed. New list items and new schema
  nodes are written as pull writes them.
- A value the manifest takes from ``${var...}``, or writes as ``${env...}`` or ``${ref...}``, is never
  overwritten: the difference is reported (a ``${ref...}`` that resolves to the live object is no difference).
  Text over several lines (code, bodies, conditions) is merged line by line: only lines with a placeholder are
  protected. Write-only fields (``config.secret``, tokens, hook ``secrets``) are never compared or written, even
  where the API shows them; ``${env.NAME}`` variables need not be set (values using one are "not compared").
- A reference to an object outside the stack cannot be written as a key: reported. Live objects that refer to the
  stack's objects but are not in it, objects the manifests define that are gone live, and objects the stack owns
  without a manifest are reported with what to run; nothing is created or deleted in the manifests.
- ``protect`` and ``ignore_changes`` are tool options: never changed. Paths in ``ignore_changes`` are left as they
  are (the engine does not compare them).
- Files are changed only where a value changed; every changed file is written atomically (``write_edits``).
- The command exits 0 when it ran, also when differences were reported instead of written (``plan`` still shows
  them); ``--dry-run`` writes nothing; without a terminal to confirm on, ``--auto-approve`` is required and its
  absence is refused before anything is read.
- Before anything is written, the updated manifests are loaded from a scratch copy of the stack and planned
  against the same live state (``check_update``): manifests that would not load are never written, and objects
  that would still differ (for example two objects sharing one included file) are listed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rossum_iac.engine.identity import Owned
from rossum_iac.engine.live import APIClient, LiveObject, LiveState, read_live
from rossum_iac.engine.plan import FieldChange
from rossum_iac.engine.planner import build_plan
from rossum_iac.engine.resolve import Resolver, desired_view, is_sensitive
from rossum_iac.engine.urls import is_api_url, url_tail
from rossum_iac.errors import RossumIacError, UsageError
from rossum_iac.kinds import KINDS, KindDef
from rossum_iac.manifest.loader import load
from rossum_iac.manifest.model import DesiredObject, Stack
from rossum_iac.manifest.stackfile import STACK_FILE_NAMES
from rossum_iac.pull.convert import Converter, Notes, RefIndex, escape
from rossum_iac.pull.merge import UNSET, Kept, Merger, Site, placeholders, styled
from rossum_iac.pull.select import references
from rossum_iac.pull.yaml_edit import Edits, unified_diff, write_edits


class _Environ(Mapping[str, str]):
    """The process environment, in which a variable that is not set (or empty) reads as ``UNSET``: the stack
    loads without the secrets an update never compares."""

    def __init__(self, base: Mapping[str, str]) -> None:
        self.base = base

    def __getitem__(self, name: str) -> str:
        return self.base.get(name) or UNSET

    def __iter__(self) -> Iterator[str]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)


def load_for_update(directory: Path, env: str | None, environ: Mapping[str, str]) -> Stack:
    """The stack in ``directory`` for environment ``env``; a usage error in one line when it is not a valid stack
    directory (nothing is read from the API or written then)."""
    if not directory.is_dir():
        raise UsageError(f"{directory}: no such directory; --update brings an existing stack directory up to date")
    if not any((directory / name).is_file() for name in STACK_FILE_NAMES):
        raise UsageError(
            f"{directory}: not a stack directory (no rossum.yaml); pull into a new directory without --update"
        )
    result = load(directory, env, _Environ(environ))
    if result.errors or result.stack is None:
        count = len(result.errors)
        first = result.errors[0] if result.errors else "unknown problem"
        raise UsageError(
            f"{directory}: the manifests have {count} error{'s' if count != 1 else ''} (first: {first}); fix them "
            f"first (rossum-iac validate {directory}{f' --env {env}' if env else ''}); nothing was read or written"
        )
    return result.stack


@dataclass
class Update:
    """What ``pull --update`` found and would write."""

    stack: Stack
    organization: Mapping[str, Any]
    changes: dict[Path, tuple[str, str]] = field(default_factory=dict)
    """Changed files: absolute path -> (text now, text after the update)."""
    updated: dict[str, list[str]] = field(default_factory=dict)
    """Address -> fields written."""
    kept: list[Kept] = field(default_factory=list)
    """Differences reported and not written."""
    not_in_stack: list[tuple[LiveObject, list[str]]] = field(default_factory=list)
    """Unmanaged live objects that refer to objects of the stack, with the addresses they refer to."""
    other_unmanaged: int = 0
    missing: list[DesiredObject] = field(default_factory=list)
    """Objects of the manifests with no live object (deleted outside the stack, or never applied)."""
    unrecorded: list[tuple[DesiredObject, Owned]] = field(default_factory=list)
    orphans: list[tuple[str, LiveObject]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    still_differs: list[tuple[str, list[str]]] = field(default_factory=list)
    """Objects that would still differ after the update (besides what is reported as not overwritten)."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall time of the steps of ``build_update`` (``plan``, ``merge``, ``check``), for benchmarks."""

    @property
    def root(self) -> Path:
        return self.stack.root

    def relative(self, path: Path) -> str:
        base = self.root.resolve()
        return path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)

    def diff(self) -> str:
        return unified_diff(self.changes, self.root)

    def write(self) -> list[Path]:
        return write_edits(self.changes)

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack.name,
            "environment": self.stack.environment.name if self.stack.environment else None,
            "organization": {"id": self.organization.get("id"), "name": self.organization.get("name")},
            "files": [self.relative(p) for p in self.changes],
            "updated": [{"address": a, "fields": f} for a, f in self.updated.items()],
            "not_overwritten": [k.to_json() for k in self.kept],
            "not_in_stack": [
                {"kind": o.kind, "id": o.id, "name": o.name, "refers_to": refs} for o, refs in self.not_in_stack
            ],
            "other_unmanaged": self.other_unmanaged,
            "missing_live": [{"address": o.address, "location": self.location(o)} for o in self.missing],
            "not_recorded": [{"address": o.address, "id": w.live.id} for o, w in self.unrecorded],
            "without_manifest": [{"address": a, "id": o.id, "name": o.name} for a, o in self.orphans],
            "warnings": list(self.warnings),
            "still_differs": [{"address": a, "fields": f} for a, f in self.still_differs],
            "diff": self.diff(),
        }

    def location(self, obj: DesiredObject) -> str:
        where = self.relative(obj.source.file.resolve())
        return f"{where}:{obj.source.line}" if obj.source.line else where


class UpdateError(RossumIacError):
    """The update cannot be written (the message says why); nothing was written."""


async def read_and_update(client: APIClient, stack: Stack, environ: Mapping[str, str] | None = None) -> Update:
    """Read the organization (list endpoints only) and work out the update of ``stack``; nothing is written."""
    live = await read_live(client)
    return build_update(stack, live, environ)


def build_update(stack: Stack, live: LiveState, environ: Mapping[str, str] | None = None) -> Update:
    """The update of ``stack`` from ``live``: the plan's field changes of every owned object, written back, then
    checked (``check_update``; ``environ`` supplies ``${env...}`` values as when the stack was loaded)."""
    started = time.perf_counter()
    plan, context = build_plan(stack, live, strict=False)
    planned = time.perf_counter()
    ownership, resolver, desired = context.ownership, context.resolver, context.desired
    result = Update(stack, live.organization, warnings=list(ownership.warnings))
    index = RefIndex()
    for address, owned in ownership.owned.items():
        if address in desired:
            index.add(owned.live, desired[address].key)
    converter = Converter(index, Notes())
    edits = Edits(stack.root)
    changes = {action.address: action.changes for action in plan.actions}
    for obj in stack.objects:
        found = ownership.owned.get(obj.address)
        if found is None:
            result.missing.append(obj)
        elif found.adopt is not None:
            result.unrecorded.append((obj, found))
        elif changes.get(obj.address):
            update = _ObjectUpdate(obj, found, resolver, set(desired), edits, converter, result)
            update.run(list(changes[obj.address]))
    result.changes = edits.changes()
    result.orphans = [(a, o.live) for a, o in ownership.owned.items() if a not in desired]
    owned_tails = {o.live.tail: a for a, o in ownership.owned.items() if a in desired}
    for other in ownership.unmanaged:
        kind = KINDS[other.kind]
        if kind.pull_skip is not None and kind.pull_skip(other.data) is not None:
            continue
        refers = sorted({owned_tails[t] for t in references(other) if t in owned_tails})
        if refers:
            result.not_in_stack.append((other, refers))
        else:
            result.other_unmanaged += 1
    merged = time.perf_counter()
    check_update(result, live, os.environ if environ is None else environ)
    result.seconds = {
        "plan": planned - started,
        "merge": merged - planned,
        "check": time.perf_counter() - merged,
    }
    return result


def check_update(result: Update, live: LiveState, environ: Mapping[str, str]) -> None:
    """Load the updated manifests (in a scratch copy of the stack directory) and plan them against the same live
    state: refuse (``UpdateError``) when they would not load; list the objects that would still differ."""
    if not result.changes:
        return
    root = result.root.resolve()
    env = result.stack.environment.name if result.stack.environment else None
    with tempfile.TemporaryDirectory(prefix="rossum-iac-update-") as scratch:
        copy = Path(scratch) / root.name
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".git"), copy_function=_link_or_copy)
        for path, (_, text) in result.changes.items():
            target = copy / path.relative_to(root)
            target.unlink()  # never write through a hard link to the user's file
            target.write_text(text, encoding="utf-8", newline="\n")
        loaded = load(copy, env, _Environ(environ))
        if loaded.errors or loaded.stack is None:
            first = str(loaded.errors[0]).replace(str(copy), str(result.root)) if loaded.errors else "no stack"
            raise UpdateError(
                f"the updated manifests would not be valid ({first}); nothing was written. Please report this "
                "with the manifest, and bring the value in step by hand"
            )
        plan, context = build_plan(loaded.stack, live, strict=False)
    for action in plan.actions:
        owned = context.ownership.owned.get(action.address)
        if owned is None or owned.adopt is not None or action.address not in context.desired:
            continue
        kind = KINDS[action.kind]
        kept = [k.path for k in result.kept if k.address == action.address]
        paths = [
            c.path
            for c in action.changes
            if c.format != "option" and not _write_only(kind, c.path) and not _reported(c.path, kept)
        ]
        if paths:
            result.still_differs.append((action.address, paths))


def _link_or_copy(source: str, target: str) -> None:
    """A hard link where the file system allows it (the scratch copy is only read), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _reported(path: str, kept: list[str]) -> bool:
    """Whether a difference at ``path`` was reported (at it, inside it, or at a value it is part of)."""
    return any(k == path or k.startswith((path + ".", path + "[")) or path.startswith(k + ".") for k in kept)


def _free_value(converter: Converter) -> Any:
    """Pull's conversion of a free-form live value (escaping, ``${ref...}`` for the stack's objects)."""
    return converter._free


def split_path(fields: Any, path: str) -> list[str] | None:
    """A dotted change path as the keys it goes through (keys may themselves contain dots)."""
    if not isinstance(fields, Mapping):
        return None
    if path in fields:
        return [path]
    for key in fields:
        if isinstance(key, str) and path.startswith(key + "."):
            rest = split_path(fields[key], path[len(key) + 1 :])
            if rest is not None:
                return [key, *rest]
    return None


def _at(value: Any, keys: list[str]) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _write_only(kind: KindDef, path: str) -> bool:
    return any(path == w or path.startswith(w + ".") for w in kind.write_only)


class _ObjectUpdate:
    def __init__(
        self,
        obj: DesiredObject,
        owned: Owned,
        resolver: Resolver,
        addresses: set[str],
        edits: Edits,
        converter: Converter,
        result: Update,
    ) -> None:
        self.obj = obj
        self.owned = owned
        self.resolver = resolver
        self.addresses = addresses
        self.edits = edits
        self.result = result
        self.kind = KINDS[obj.kind]
        self.merger = Merger(self.kind, obj.address, edits, _free_value(converter), result.root, self._sensitive)

    def run(self, changes: list[FieldChange]) -> None:
        manifest = self.edits.manifest(self.obj.source.file)
        index = manifest.find(self.obj.kind, self.obj.key, self.obj.source.line)
        if index is None:
            self.result.kept.append(
                Kept(self.obj.address, "", self.result.location(self.obj), "its document was not found; not updated")
            )
            return
        doc = manifest.document(index)
        site = Site(manifest.path, lambda: manifest.changed.add(index), self.result.root, manifest.line_offsets[index])
        for change in changes:
            if change.format == "option" or _write_only(self.kind, change.path):
                continue
            self._change(doc, change, site)
        self.result.kept.extend(self.merger.kept)
        if self.merger.written:
            self.result.updated[self.obj.address] = list(self.merger.written)

    def _change(self, doc: Any, change: FieldChange, site: Site) -> None:
        path = change.path
        keys = split_path(self.obj.fields, path)
        if keys is None or keys[0] not in doc:
            self.result.kept.append(Kept(self.obj.address, path, site.location(), "not found in the manifest"))
            return
        parent: Any = doc
        for depth, key in enumerate(keys[1:], start=1):
            node = parent[keys[depth - 1]]
            if isinstance(node, str) and placeholders(node):
                here = keys[:depth]
                self.merger.keep(
                    path,
                    site,
                    parent,
                    keys[depth - 1],
                    self.merger.placeholder_message(placeholders(node), self._desired(here), self._live(here), path),
                )
                return
            if not isinstance(node, dict) or key not in node:
                self.result.kept.append(Kept(self.obj.address, path, site.location(), "not found in the manifest"))
                return
            parent = node
        name = keys[-1]
        spec = self.kind.field_at(path)
        if len(keys) == 1 and name in self.kind.refs:
            self.merger.reference(doc, name, self._live_refs(name), site)
        elif spec is not None and getattr(spec, "catalog", None):
            self._catalog(parent, name, change, site)
        elif change.format == "schema":
            self.merger.content(parent, name, self._desired(keys), self._live(keys), path, site)
        elif len(keys) > 1 and isinstance(self._live(keys[:-1]), Mapping) and name not in self._live(keys[:-1]):
            del parent[name]  # a declared key the live mapping no longer has
            self.merger.wrote(path, site)
        else:
            self.merger.value(parent, name, self._desired(keys), self._live(keys), path, site)

    def _sensitive(self, path: str) -> bool:
        """Whether the manifest's value at ``path`` (or, for a path inside a list or content, its field) uses a
        secret."""
        keys = split_path(self.obj.fields, path)
        value = _at(self.obj.fields, keys) if keys else self.obj.fields.get(path.split(".", 1)[0].split("[", 1)[0])
        return is_sensitive(value)

    def _desired(self, keys: list[str]) -> Any:
        return desired_view(_at(self.obj.fields, keys), self.resolver, reveal=True)

    def _live(self, keys: list[str]) -> Any:
        return _at(self.owned.live.data, keys)

    def _live_refs(self, name: str) -> Any:
        """Live references as addresses of this stack's objects (``Queue/key``), else URL tails."""
        value = self.owned.live.data.get(name)

        def one(url: Any) -> Any:
            if not isinstance(url, str) or not url:
                return None
            address = self.resolver.address_of_url(url)
            return address if address in self.addresses else url_tail(url)

        if isinstance(value, list):
            return [one(u) for u in value]
        return one(value)

    def _catalog(self, parent: Any, name: str, change: FieldChange, site: Site) -> None:
        """A catalogue entry (a hook template) is written by its name, as the diff shows it."""
        before = change.before
        if isinstance(before, str) and before and not is_api_url(before):
            parent[name] = styled(escape(before), parent[name])
            self.merger.wrote(change.path, site)
        else:
            self.merger.keep(change.path, site, parent, name, "live it names no entry of the catalogue; not changed")


def import_hint(directory: Path) -> str:
    return (
        f"to bring such objects in, pull them into a new directory (rossum-iac pull NEW --queue ID writes a queue "
        f"with its hooks, inbox, templates and rules), move their manifests into {directory}, then record them: "
        f"rossum-iac import KIND/KEY ID {directory}"
    )


__all__ = ["Update", "build_update", "import_hint", "load_for_update", "read_and_update", "split_path"]

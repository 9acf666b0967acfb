"""Desired state: what the loader produces and the engine consumes.

Field values are plain JSON-like data (dict, list, str, int, float, bool, None) in which three marker types may
appear:

- ``Ref``: a reference to another manifest object, written in YAML as its key where the API expects a URL
  (a queue's ``workspace``, a hook's ``queues``...). The engine resolves it to the object's URL per environment.
- ``Secret``: a value taken from the process environment with ``${env.NAME}``. Its ``repr``/``str`` never show
  the value; only request payloads built by the engine unwrap it.
- ``Template``: a string with ``${ref.KIND.KEY.id|url}`` and/or ``${env.NAME}`` placeholders inside free-form text
  (hook ``settings``, ``metadata``, code). ``${var.NAME}`` placeholders are substituted by the loader and never
  reach the engine.

``DesiredObject.fields`` holds only the fields the manifest declares (in API names): undeclared fields are not
managed. Long content included from files (``{file: path}``) is already read into the field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal


@dataclass(frozen=True)
class SourceLocation:
    """Where something was written: 1-based line and column."""

    file: Path
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return str(self.file)


@dataclass(frozen=True)
class Ref:
    """Reference by key to another manifest object."""

    kind: str
    key: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.key}"


@dataclass(frozen=True)
class Secret:
    """A secret from the process environment. The value never appears in ``repr``/``str``."""

    name: str
    value: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Secret(env.{self.name})"

    __str__ = __repr__

    @property
    def digest(self) -> str:
        """A SHA-256 of the value, for change detection without storing the value."""
        return hashlib.sha256(self.value.encode()).hexdigest()


@dataclass(frozen=True)
class RefPlaceholder:
    """``${ref.KIND.KEY.ATTR}`` inside a template; ``kind`` is the manifest kind name (``Queue``)."""

    kind: str
    key: str
    attr: Literal["id", "url"]

    @property
    def ref(self) -> Ref:
        return Ref(self.kind, self.key)


TemplatePart = str | RefPlaceholder | Secret


@dataclass(frozen=True)
class Template:
    """A string assembled from literal text, reference placeholders and secrets."""

    parts: tuple[TemplatePart, ...]

    @property
    def sensitive(self) -> bool:
        return any(isinstance(p, Secret) for p in self.parts)

    def refs(self) -> Iterator[Ref]:
        for part in self.parts:
            if isinstance(part, RefPlaceholder):
                yield part.ref

    def __str__(self) -> str:
        out = []
        for part in self.parts:
            if isinstance(part, RefPlaceholder):
                out.append(f"${{ref.{part.kind}.{part.key}.{part.attr}}}")
            elif isinstance(part, Secret):
                out.append("(sensitive)")
            else:
                out.append(part)
        return "".join(out)


def iter_markers(value: Any) -> Iterator[Ref | Secret | Template]:
    """Every marker inside a field value, depth first."""
    if isinstance(value, Ref | Secret | Template):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_markers(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from iter_markers(item)


def references(value: Any) -> Iterator[Ref]:
    """Every object referenced from a field value, by ``Ref`` or by a template placeholder."""
    for marker in iter_markers(value):
        if isinstance(marker, Ref):
            yield marker
        elif isinstance(marker, Template):
            yield from marker.refs()


@dataclass(frozen=True, kw_only=True, eq=True)
class DesiredObject:
    """One manifest document after loading: kind, key, declared fields and tool options."""

    kind: str
    key: str
    fields: dict[str, Any]
    protect: bool = False
    ignore_changes: tuple[str, ...] = ()
    source: SourceLocation

    @property
    def address(self) -> str:
        return f"{self.kind}/{self.key}"

    def dependencies(self) -> set[Ref]:
        """Objects this one references (they must exist before it is created)."""
        return {ref for value in self.fields.values() for ref in references(value)}


@dataclass(frozen=True, kw_only=True)
class Environment:
    name: str
    api_base_url: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)
    """Names of the variables that hold this environment's credentials (``token_env``, or ``username_env`` and
    ``password_env``); never their values."""


@dataclass(frozen=True, kw_only=True)
class Stack:
    """All manifests of one stack, loaded for one environment. (Plain frozen dataclasses: the loader has validated
    everything, and importing pydantic for them cost every command about 0.1 s.)"""

    name: str
    root: Path
    environment: Environment | None = None
    environments: tuple[str, ...] = ()
    """Every environment the stack defines (not only the one loaded)."""
    objects: tuple[DesiredObject, ...] = ()
    digest: str = ""
    """SHA-256 over every manifest and included file, for plan files."""

    def get(self, kind: str, key: str) -> DesiredObject | None:
        for obj in self.objects:
            if obj.kind == kind and obj.key == key:
                return obj
        return None

    def of_kind(self, kind: str) -> list[DesiredObject]:
        return [obj for obj in self.objects if obj.kind == kind]

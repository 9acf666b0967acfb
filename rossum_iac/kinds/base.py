"""What a kind is made of. Each kind is one module (``rossum_iac/kinds/<kind>.py``) that builds a ``KindDef`` from
these types; the JSON Schema for editors, the validator, the engine, pull and the docs' field tables all read it.

A ``Field`` is one API field of a kind: its JSON Schema as written in a manifest, the API's documented default,
whether it refers to another kind by key, compares as a set, is write-only, forces a replacement when it changes,
may hold long content in its own file, or cannot be declared at all (and why).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rossum_iac.manifest.yaml_io import Pos, YMap

MARKER_KEY = "rossum_iac"
"""Key inside an object's ``metadata`` that holds the ownership marker ``{"stack": ..., "key": ...}``."""

TOOL_OPTIONS = ("kind", "key", "protect", "ignore_changes")
"""Keys of a manifest document that are not API fields."""

KEY_PATTERN = "^[a-z0-9][a-z0-9_-]*$"
KEY_MAX_LENGTH = 100
NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$"
PLACEHOLDER_PATTERN = r"^\$\{(var|env|ref)\.[^{}]+\}$"


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()
"""The API documents no default for the field (or computes one per object): it is never assumed."""

Report = Callable[["Pos", str], None]
"""Reports a problem at a 1-based (line, column) of the file being checked."""


@dataclass(frozen=True)
class Content:
    """A field whose long value may live in its own file (``{file: path}`` in YAML)."""

    suffixes: tuple[str, ...]
    """File suffixes pull writes (the first one unless ``suffix_for`` says otherwise); any file may be included."""
    structured: bool = False
    """The value is a tree of nodes with ids (schema content), written as YAML/JSON data rather than text, and
    compared node by node."""
    check: Callable[[Any, Pos, Report], None] | None = None
    """Structure check of the value, wherever it was written (inline or in its own file)."""
    description: str = ""
    """For the docs: what the file holds."""
    nested_files: tuple[str, ...] = ()
    """In structured content: attributes of any node that may be ``{file: path}`` too (text relative to the
    content's own file), e.g. a schema datapoint's ``formula``."""
    min_lines: int = 0
    """Pull writes the value to its own file when it has at least this many lines (0: always)."""
    suffix_for: Callable[[Mapping[str, Any]], str] | None = None
    """The suffix of the file pull writes, from the object's live data (a function's runtime), if not the first."""


@dataclass(frozen=True)
class Field:
    """One API field of a kind."""

    schema: Mapping[str, Any] | None = None
    """JSON Schema of the value in a manifest (``None`` when it cannot be declared)."""
    description: str = ""
    default: Any = NO_DEFAULT
    """The value the API gives the field when a create request leaves it out (documented), else ``NO_DEFAULT``."""
    drift_default: bool | None = None
    """With a ``default``: whether a manifest that leaves the field out means that default, so that ``drift``
    reports a live value that differs (a hook switched off by hand). ``None``: yes, except for an empty-mapping
    default (``{}``: free-form objects such as queue ``settings`` or inbox ``filters`` that the API, the UI or
    extensions fill in; leaving them out means "not managed"); ``metadata`` is compared (without the ownership
    marker)."""
    ref: str | None = None
    """The kind referenced: written in YAML as that object's key, sent to the API as its URL."""
    many: bool = False
    """With ``ref``: a list of references."""
    set_like: bool = False
    """A list whose order carries no meaning (compared as a set)."""
    write_only: bool = False
    """Stored but never returned by the API (or a secret): never printed, compared through a salted hash."""
    replace: bool = False
    """The API cannot change it after creation: a change means delete and re-create."""
    content: Content | None = None
    duration: bool = False
    """An API duration (``[DD ]HH:MM:SS``), compared by length of time."""
    required: bool = False
    """A manifest must declare it."""
    read_only: str | None = None
    """Why a manifest cannot declare this API field (it completes "'x' cannot be declared on a Queue: it ...")."""
    volatile: bool = False
    """Changes without anyone changing the configuration (counts, status): left out of plan-file fingerprints."""
    stored_keys: str | None = None
    """For a write-only mapping the API merges key by key on update: the sub-path of the object's URL that lists
    the keys it stores (keys that left the manifest are then removed by sending them as null)."""
    catalog: str | None = None
    """The value names an entry of a read-only API catalogue that every organization shares (``hook_templates``,
    ``groups``) by its ``name``; the API holds the entry's URL (a URL is accepted too). With ``many``: a list of
    names (a user's roles), compared as a set."""
    create_only: bool = False
    """The API takes it in the create request only and ignores it later (a user's ``email``): it is sent when the
    object is created and never compared or changed afterwards."""
    unportable: str | None = None
    """Holds what only makes sense in one organization (the URL of a user or an engine, kinds a stack cannot
    describe yet): pull leaves it out and says so. A manifest may still set it, e.g. per environment."""
    blocks_delete: str | None = None
    """For a reference: the API refuses to delete the referenced object while this object refers to it.
    ``"linked"``: only while the link exists (a scheduled deletion of this object unlinks it at once);
    ``"existing"``: until this object is really gone."""
    attached_as: str | None = None
    """For a reference to queues: the queue's field that lists this object (``hooks``). An object of this kind that
    the stack does not manage, attached to a queue it does, is drift of that queue (attached outside the
    manifests)."""
    properties: Mapping[str, Field] = field(default_factory=dict)
    """Nested fields of an object value (hook ``config``): their rules apply at ``field.nested`` paths."""

    @cached_property
    def declarable(self) -> bool:
        return self.read_only is None


RECORD_HOLDER = "Queue"
"""The kind whose ownership marker holds the records of ``Identity.QUEUE_RECORD`` kinds."""


class Identity(Enum):
    """Where the ownership of a live object is recorded."""

    METADATA = "metadata"
    """A marker in the object's own ``metadata``."""
    QUEUE_RECORD = "queue"
    """A record in the marker of the object's queue (kinds without metadata that belong to one queue)."""
    ORGANIZATION_RECORD = "organization"
    """A record in the organization's metadata, ``rossum_iac.<collection>[stack][key]`` (kinds without metadata,
    organization-wide: rules, labels, engines; and the organization itself, a ``singleton``)."""


ObjectCheck = Callable[["YMap", Report], None]
"""A rule about one manifest document beyond its JSON Schema; gets the document as parsed (with positions)."""


@dataclass(frozen=True)
class KindDef:
    name: str
    collection: str
    """API collection path segment (``queues``)."""
    description: str
    fields: Mapping[str, Field]
    rank: int = 100
    """Position among the kinds (listings, plans, the JSON Schema); must come after every kind it depends on."""
    identity: Identity = Identity.METADATA
    schema_extra: Mapping[str, Any] = field(default_factory=dict)
    """Keywords added to the kind's JSON Schema (conditional requirements)."""
    defs: Mapping[str, Any] = field(default_factory=dict)
    """Definitions the kind's JSON Schema refers to (``#/$defs/<name>``), added to the shared ``$defs``."""
    checks: tuple[ObjectCheck, ...] = ()
    label: str = ""
    """How messages name one object of the kind (``queue``, ``email template``)."""
    natural_key: tuple[str, ...] = ("name",)
    """Fields that identify an object to a person (an unmanaged twin has the same values)."""
    folder: str = ""
    """Directory pull writes this kind's manifests to."""
    organization_field: str | None = None
    """A field the create request sets to the organization's URL (the API requires it; manifests never say it)."""
    scheduled_delete: bool = False
    """DELETE schedules the deletion (``delete_after``); until it happens the object has a deleting status and
    no longer counts as existing."""
    find_default: Callable[[list[Mapping[str, Any]], Mapping[str, Any]], Mapping[str, Any] | None] | None = None
    """For objects the API creates along with their parent (a queue's email templates): which of the parent's
    children (live data) a manifest object (its desired fields) configures, or None if it is a new one."""
    is_default: Callable[[Mapping[str, Any]], bool] | None = None
    """Whether live data is one of the objects the API creates along with the parent (leaving the manifests then
    releases it instead of deleting it)."""
    pull_skip: Callable[[Mapping[str, Any]], str | None] | None = None
    """Why pull leaves out an object (live data), or None to pull it (a queue's default template unchanged)."""
    pull_when_referenced: bool = False
    """A pull of everything takes these objects only when a pulled object refers to them (the users queues and hooks
    name, the engines queues use); ``--kinds`` naming the kind takes them all."""
    pull_omit: Callable[[Mapping[str, Any]], Iterable[str]] | None = None
    """Fields pull leaves out of one object (live data) because the API derives them (a generated inbox email)."""
    object_defaults: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
    """Defaults that differ for one live object (the texts of a queue's own email templates; a hook made from a store
    template), by dotted path; ``NO_DEFAULT`` there means the object has none. Used by ``drift``."""
    create_request: Callable[[dict[str, Any]], tuple[str, dict[str, Any], dict[str, Any]]] | None = None
    """How the API creates an object from a create body: ``(endpoint, first request body, fields to PATCH
    afterwards)`` (a hook from a store template is created through ``hooks/create``); default: POST the body."""
    hidden: Callable[[Mapping[str, Any], str], bool] | None = None
    """Whether the API hides a dotted field of one live object (a private hook's url, secret or code): such a field
    is never compared."""
    coexists: Callable[[Mapping[str, Any]], bool] = lambda fields: True
    """Whether a replacement (from the desired fields) can exist next to the object it replaces; then it is created
    before the old one is deleted, so a create the API refuses leaves the organization as it was."""
    default_slot: Callable[[Mapping[str, Any]], str | None] | None = None
    """For kinds with ``find_default``: which of its parent's own objects a manifest object (desired fields)
    configures (an email template's default type, a trigger's default event), or None for a new object. A stack
    may configure each slot of a parent once."""
    name_field: str = "name"
    """The field that names an object to a person (messages, plans) and that pull derives keys from."""
    singleton: bool = False
    """One per organization and always there: the organization itself (``ORGANIZATION_RECORD`` identity). A
    manifest object configures it, is never created, and leaving the manifests only stops managing it; pull gives
    it the key ``organization``. Its ``metadata`` also holds rossum-iac's records: updates of it go through the
    organization-metadata writer, and the records never count as a change of the object."""
    protect_by_default: bool = False
    """A manifest object is protected unless it says ``protect: false`` (users, engines: what a delete loses cannot
    be created again), so removing it from the manifests never deletes it by accident."""
    soft_delete: str | None = None
    """DELETE only marks the object (a user's ``deleted: true``): live objects with this field true no longer count
    as existing."""
    listed_on_demand: bool = False
    """A plan lists this kind only when the stack declares an object of it or records one (then after reading the
    organization and the queues, which hold the records): nothing else a plan looks at needs these objects (no
    impact or usage check reads them). A queue's own triggers, a thousand in an organization of a thousand
    queues, cost ten list pages a plan that manages no trigger does not need. ``RECORD`` identities only."""

    # --- derived views ------------------------------------------------------------------------------------------

    def walk(self) -> Iterator[tuple[str, Field]]:
        """Every field with its dotted path, nested fields after their parent."""
        stack: list[tuple[str, Field]] = list(self.fields.items())[::-1]
        while stack:
            path, spec = stack.pop()
            yield path, spec
            stack.extend((f"{path}.{name}", sub) for name, sub in reversed(list(spec.properties.items())))

    def _paths(self, predicate: Callable[[Field], bool]) -> frozenset[str]:
        return frozenset(path for path, spec in self.walk() if predicate(spec))

    @cached_property
    def has_metadata(self) -> bool:
        """Whether the object carries its ownership marker in its own ``metadata``."""
        return self.identity is Identity.METADATA

    @cached_property
    def refs(self) -> dict[str, Field]:
        """Top-level reference fields."""
        return {name: spec for name, spec in self.fields.items() if spec.ref is not None}

    @cached_property
    def set_fields(self) -> frozenset[str]:
        return self._paths(lambda f: f.set_like)

    @cached_property
    def write_only(self) -> frozenset[str]:
        return self._paths(lambda f: f.write_only)

    @cached_property
    def replace_fields(self) -> frozenset[str]:
        return self._paths(lambda f: f.replace)

    @cached_property
    def create_only_fields(self) -> frozenset[str]:
        return self._paths(lambda f: f.create_only)

    @cached_property
    def content_fields(self) -> dict[str, Content]:
        return {path: spec.content for path, spec in self.walk() if spec.content is not None}

    @cached_property
    def parent_field(self) -> str | None:
        """For ``QUEUE_RECORD`` identity: the field naming the queue that holds the record."""
        if self.identity is not Identity.QUEUE_RECORD:
            return None
        return next(name for name, spec in self.fields.items() if spec.ref == "Queue" and not spec.many)

    @cached_property
    def catalogs(self) -> frozenset[str]:
        """The API catalogues (collections) this kind's fields name entries of."""
        return frozenset(spec.catalog for _, spec in self.walk() if spec.catalog)

    @cached_property
    def duration_fields(self) -> frozenset[str]:
        return self._paths(lambda f: f.duration)

    @cached_property
    def drift_defaults(self) -> dict[str, Any]:
        """Dotted paths a manifest may leave out meaning the API's documented default, with that default: what
        ``drift`` compares when the manifest leaves them out (see ``Field.drift_default``). Never write-only,
        per-organization (``unportable``) or not-declarable fields."""
        return {
            path: spec.default
            for path, spec in self.walk()
            if spec.default is not NO_DEFAULT
            and (spec.drift_default if spec.drift_default is not None else spec.default != {} or path == "metadata")
            and spec.declarable
            and not spec.write_only
            and not spec.unportable
        }

    @cached_property
    def volatile_fields(self) -> frozenset[str]:
        """Server-maintained fields left out of fingerprints (besides ``modified_at``/``modified_by``)."""
        return frozenset(name for name, spec in self.fields.items() if spec.volatile) | {"modified_at", "modified_by"}

    @cached_property
    def declarable(self) -> tuple[str, ...]:
        """Top-level fields a manifest may declare, in definition order."""
        return tuple(name for name, spec in self.fields.items() if spec.declarable)

    @cached_property
    def required(self) -> tuple[str, ...]:
        return tuple(name for name, spec in self.fields.items() if spec.required)

    @cached_property
    def depends_on(self) -> tuple[str, ...]:
        """Kinds whose objects must exist before an object of this kind is created."""
        out: list[str] = []
        for spec in self.fields.values():
            if spec.ref is not None and spec.ref != self.name and spec.ref not in out:
                out.append(spec.ref)
        return tuple(out)

    def not_declarable_reason(self, name: str) -> str | None:
        """Why ``name`` cannot be declared, or None if it is not a known API field of this kind."""
        spec = self.fields.get(name)
        if spec is not None:
            return spec.read_only
        return COMMON_READ_ONLY.get(name)

    def field_at(self, path: str) -> Field | None:
        """The field at a dotted path (``config.code``), or None."""
        parts = path.split(".")
        spec = self.fields.get(parts[0])
        for part in parts[1:]:
            if spec is None:
                return None
            spec = spec.properties.get(part)
        return spec

    def describe(self) -> str:
        return self.label or self.name.lower()


COMMON_READ_ONLY: dict[str, str] = {
    "id": "is assigned by the API; rossum-iac identifies objects by their key",
    "url": "is assigned by the API; refer to other objects by key",
    "modified_by": "is set by the API when the object is created or changed",
    "modified_at": "is set by the API when the object is created or changed",
}
"""API fields every kind has and no manifest declares."""

READ_ONLY = "is read-only: the API computes it"
SET_BY_API = "is set by the API when the object is created or changed"

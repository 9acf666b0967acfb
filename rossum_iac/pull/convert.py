"""One live object -> one manifest document (and the files it includes), driven by the kind definition.

What pull writes (docs/pull.md lists it per kind):

- the fields a manifest may declare, in the kind's order; read-only fields are never written;
- not what equals the API's documented default, nor ``null`` where the API documents no default, nor what the
  kind derives per object (a generated inbox email);
- references as keys (set-like lists sorted); URLs (and ids under keys such as ``queue_id``) of pulled objects
  inside free-form values as ``${ref.Kind.key.url|id}``;
- write-only values the API still shows (a webhook's ``config.secret``, a connector's token) as
  ``${env.KIND_KEY_FIELD}``; ones it never shows are left out;
- fields that only make sense in one organization (users, engines) are left out and listed;
- long content in its own file: schema content as JSON (long formulas in their own files), function code by
  runtime, email bodies, multi-line rule conditions;
- every ``${`` of a live value as ``$${`` (a literal ``${`` for the loader), so nothing pulled is ever read as a
  placeholder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rossum_iac.engine.fingerprint import canonical_json
from rossum_iac.engine.live import LiveObject
from rossum_iac.engine.urls import is_api_url, url_tail
from rossum_iac.errors import RossumIacError
from rossum_iac.kinds import KINDS, MARKER_KEY, KindDef
from rossum_iac.kinds.base import NO_DEFAULT, Content, Field

FORMULA_FILE_MIN_CHARS = 80
"""A schema formula goes to its own file when it has several lines or is at least this long."""


@dataclass(frozen=True)
class SecretVar:
    """An environment variable a pulled manifest needs. ``live_value`` (never shown) is what the API returned."""

    name: str
    address: str
    path: str
    live_value: str | None = field(default=None, repr=False, compare=False)


@dataclass
class PulledObject:
    live: LiveObject
    key: str
    document: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    """Included files: path relative to the stack directory -> text."""
    owned: bool = False
    """Already owned by this stack (its key comes from the ownership record)."""

    @property
    def kind(self) -> str:
        return self.live.kind

    @property
    def address(self) -> str:
        return f"{self.kind}/{self.key}"

    @property
    def path(self) -> str:
        """The manifest file, relative to the stack directory."""
        return f"{KINDS[self.kind].folder}/{self.key}.yaml"


@dataclass
class Notes:
    """What a pull tells the user besides the files."""

    secrets: list[SecretVar] = field(default_factory=list)
    left_out: list[tuple[str, str, str]] = field(default_factory=list)
    """(address, field, why)."""


class RefIndex:
    """Pulled objects by URL tail and by (kind, id), for turning references into keys."""

    def __init__(self) -> None:
        self.by_tail: dict[str, tuple[str, str]] = {}

    def add(self, obj: LiveObject, key: str) -> None:
        self.by_tail[obj.tail] = (obj.kind, key)

    def key_of_url(self, url: Any) -> str | None:
        if not isinstance(url, str):
            return None
        found = self.by_tail.get(url_tail(url))
        return found[1] if found else None

    def ref_of_url(self, url: str) -> tuple[str, str] | None:
        return self.by_tail.get(url_tail(url))

    def ref_of_id(self, kind: str, obj_id: int) -> str | None:
        found = self.by_tail.get(f"{KINDS[kind].collection}/{obj_id}")
        return found[1] if found else None


def escape(text: str) -> str:
    """Live text as a manifest writes it: every ``${`` as ``$${``."""
    return text.replace("${", "$${")


def _escape_all(value: Any) -> Any:
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {k: _escape_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape_all(v) for v in value]
    return value


_ID_KEY = re.compile(r"(?:^|_)(queue|workspace|hook|inbox|connector|email_template|template|schema)_ids?$")
_ID_KINDS = {
    "queue": "Queue",
    "workspace": "Workspace",
    "hook": "Hook",
    "inbox": "Inbox",
    "connector": "Connector",
    "email_template": "EmailTemplate",
    "template": "EmailTemplate",
    "schema": "Schema",
}


def secret_name(kind: str, key: str, path: str) -> str:
    """``Hook`` ``erp-notify`` ``config.secret`` -> ``HOOK_ERP_NOTIFY_SECRET``."""
    kind_part = re.sub(r"(?<!^)(?=[A-Z])", "_", kind).upper()
    return re.sub(r"[^A-Z0-9]+", "_", f"{kind_part}_{key}_{path.rsplit('.', 1)[-1]}".upper()).strip("_")


class Converter:
    def __init__(self, index: RefIndex, notes: Notes, catalogs: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.index = index
        self.notes = notes
        self.catalog_names = {
            collection: {url_tail(url): name for name, url in entries.items()}
            for collection, entries in (catalogs or {}).items()
        }

    def convert(self, obj: PulledObject) -> None:
        kind = KINDS[obj.kind]
        data = obj.live.data
        omitted = set(kind.pull_omit(data)) if kind.pull_omit else set()
        document: dict[str, Any] = {"kind": kind.name, "key": obj.key}
        for name, spec in kind.fields.items():
            if not spec.declarable or name not in data or name in omitted:
                continue
            value = self._field(obj, kind, name, spec, data[name])
            if value is not _OMIT:
                document[name] = value
        obj.document = document

    # --- one field ---------------------------------------------------------------------------------------------

    def _field(self, obj: PulledObject, kind: KindDef, path: str, spec: Field, value: Any) -> Any:
        if spec.unportable is not None:
            if value not in (None, "", [], {}):
                self.notes.left_out.append((obj.address, path, spec.unportable))
            return _OMIT
        if spec.write_only:
            return self._secret(obj, path, value)
        if spec.catalog is not None and spec.many:
            names = [self._catalog_entry(obj, path, spec.catalog, item) for item in value or []]
            if any(name is _OMIT for name in names):
                return _OMIT
            return _OMIT if _is_default(spec, names) else sorted(names)
        if spec.catalog is not None:
            return self._catalog_entry(obj, path, spec.catalog, value)
        if spec.ref is not None:
            return self._reference(obj, path, spec, value)
        if path == "metadata" and isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k != MARKER_KEY}
        if spec.properties and isinstance(value, Mapping):
            nested: dict[str, Any] = {}
            for name, item in value.items():
                sub = spec.properties.get(name)
                converted = (
                    self._field(obj, kind, f"{path}.{name}", sub, item) if sub is not None else self._free(item, name)
                )
                if converted is not _OMIT:
                    nested[name] = converted
            return nested if nested or spec.required else _OMIT
        if not spec.required and _is_default(spec, value):
            return _OMIT
        if spec.content is not None:
            return self._content(obj, kind, path, spec.content, value)
        return self._free(value, path.rsplit(".", 1)[-1])

    def _catalog_entry(self, obj: PulledObject, path: str, catalog: str, value: Any) -> Any:
        """A catalogue URL (a hook template) as the entry's name, which every organization shares."""
        if not isinstance(value, str) or not value:
            return _OMIT
        name = self.catalog_names.get(catalog, {}).get(url_tail(value))
        if name is None:
            self.notes.left_out.append((obj.address, path, f"names an entry that is not in the {catalog}"))
            return _OMIT
        return escape(name)

    def _secret(self, obj: PulledObject, path: str, value: Any) -> Any:
        if value in (None, "") or isinstance(value, Mapping | list):
            return _OMIT  # never shown by the API (or nothing set): left unmanaged
        name = secret_name(obj.kind, obj.key, path)
        self.notes.secrets.append(SecretVar(name, obj.address, path, str(value)))
        return f"${{env.{name}}}"

    def _reference(self, obj: PulledObject, path: str, spec: Field, value: Any) -> Any:
        if spec.many:
            keys = [self.index.key_of_url(url) for url in value or []]
            if any(k is None for k in keys):
                raise PullError(f"{obj.address}: {path} refers to an object that is not pulled")
            if spec.set_like:
                keys = sorted(keys)  # type: ignore[type-var]
            if _is_default(spec, keys):
                return _OMIT
            return keys
        if value is None:
            return None if spec.required or not _is_default(spec, None) else _OMIT
        key = self.index.key_of_url(value)
        if key is None:
            raise PullError(f"{obj.address}: {path} refers to an object that is not pulled")
        return key

    def _content(self, obj: PulledObject, kind: KindDef, path: str, content: Content, value: Any) -> Any:
        folder = kind.folder
        if content.structured:
            name = f"{obj.key}.content.json"
            tree = self._formulas(obj, _escape_all(value), f"{obj.key}.formulas")
            obj.files[f"{folder}/{name}"] = json.dumps(tree, indent=2, ensure_ascii=False) + "\n"
            return {"file": name}
        if not isinstance(value, str) or not value:
            return self._free(value, path)
        if content.min_lines and value.count("\n") + 1 < content.min_lines:
            return escape(value)
        suffix = content.suffix_for(obj.live.data) if content.suffix_for else content.suffixes[0]
        name = f"{obj.key}{suffix}"
        obj.files[f"{folder}/{name}"] = escape(value)
        return {"file": name}

    def _formulas(self, obj: PulledObject, node: Any, subdir: str) -> Any:
        """Schema content with long formulas moved to ``<key>.formulas/<node id>.py`` (next to the content)."""
        if isinstance(node, list):
            return [self._formulas(obj, item, subdir) for item in node]
        if not isinstance(node, dict):
            return node
        out = {k: self._formulas(obj, v, subdir) for k, v in node.items()}
        formula = node.get("formula")
        node_id = node.get("id")
        if isinstance(formula, str) and isinstance(node_id, str) and _long(formula):
            name = f"{subdir}/{re.sub(r'[^A-Za-z0-9_.-]', '_', node_id)}.py"
            obj.files[f"{KINDS[obj.kind].folder}/{name}"] = formula
            out["formula"] = {"file": name}
        return out

    def _free(self, value: Any, key: str) -> Any:
        """A free-form value: escaped, with URLs and ids of pulled objects as ``${ref...}`` templates."""
        if isinstance(value, str):
            if is_api_url(value):
                found = self.index.ref_of_url(value)
                if found is not None:
                    return f"${{ref.{found[0]}.{found[1]}.url}}"
            return escape(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            match = _ID_KEY.search(key.lower())
            if match is not None:
                ref_key = self.index.ref_of_id(_ID_KINDS[match.group(1)], value)
                if ref_key is not None:
                    return f"${{ref.{_ID_KINDS[match.group(1)]}.{ref_key}.id}}"
            return value
        if isinstance(value, Mapping):
            return {k: self._free(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self._free(v, key) for v in value]
        return value


def _long(text: str) -> bool:
    return "\n" in text.strip() or len(text) >= FORMULA_FILE_MIN_CHARS


def _is_default(spec: Field, value: Any) -> bool:
    if spec.default is NO_DEFAULT:
        return value is None or value == ""
    return canonical_json(value) == canonical_json(spec.default)


class _Omit:
    pass


_OMIT: Any = _Omit()


class PullError(RossumIacError):
    """The organization cannot be pulled as asked (the message says why)."""

"""Resolving desired values against one organization: references by key become URLs or ids, ``${ref...}``
templates are filled in, secrets are revealed only for request payloads and comparisons.

A reference to an object not created yet is ``UNKNOWN`` ("known after apply") and never equal to anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rossum_iac.engine.urls import url_tail
from rossum_iac.manifest.model import Ref, RefPlaceholder, Secret, Template


class _Unknown:
    """A value only known after apply (it references an object that does not exist yet)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "(known after apply)"


UNKNOWN: Any = _Unknown()


UNKNOWN_TEXT = "(known after apply)"


SENSITIVE_TEXT = "(sensitive)"


@dataclass
class Resolver:
    """Maps between manifest addresses (``Queue/x``) and live objects for one stack and one live state.

    ``bind`` records objects created during apply, so later payloads can refer to them.
    """

    by_address: dict[str, tuple[int, str]] = field(default_factory=dict)
    by_tail: dict[str, str] = field(default_factory=dict)
    catalogs: dict[str, dict[str, str]] = field(default_factory=dict)
    """Catalogue collection -> entry name -> URL (hook templates by name)."""

    def catalog_url(self, collection: str, value: Any) -> str | None:
        """The URL a catalogue field's value stands for: an entry's name, or already a URL."""
        if not isinstance(value, str):
            return None
        if value.startswith(("http://", "https://")):
            return value
        return self.catalogs.get(collection, {}).get(value)

    def catalog_name(self, collection: str, url: Any) -> Any:
        """A live catalogue URL as the entry's name (for display), or the URL itself when unknown."""
        for name, entry_url in self.catalogs.get(collection, {}).items():
            if isinstance(url, str) and url_tail(url) == url_tail(entry_url):
                return name
        return url

    def bind(self, address: str, obj_id: int, url: str) -> None:
        self.by_address[address] = (obj_id, url)
        self.by_tail[url_tail(url)] = address

    def unbind(self, address: str) -> None:
        found = self.by_address.pop(address, None)
        if found is not None:
            self.by_tail.pop(url_tail(found[1]), None)

    def address_of_url(self, url: str) -> str | None:
        return self.by_tail.get(url_tail(url))

    def live_ref(self, url: Any) -> Any:
        """A live reference value (URL) in comparable form: an address or a URL tail."""
        if not isinstance(url, str):
            return url
        return self.address_of_url(url) or url_tail(url)

    def url_of_address(self, address: str) -> Any:
        """The URL bound to ``Kind/key``, or ``UNKNOWN``."""
        found = self.by_address.get(address)
        return found[1] if found else UNKNOWN

    def url_of(self, ref: Ref) -> str | None:
        found = self.by_address.get(str(ref))
        return found[1] if found else None

    def id_of(self, ref: Ref) -> int | None:
        found = self.by_address.get(str(ref))
        return found[0] if found else None

    def template_value(self, template: Template, *, reveal: bool) -> Any:
        """The string a template stands for (or the plain id for a lone ``${ref.X.k.id}``), or ``UNKNOWN``.

        With ``reveal=False`` secrets render as ``(sensitive)`` (for display); with ``reveal=True`` their values
        are used (for comparison and request payloads).
        """
        parts = template.parts
        if len(parts) == 1 and isinstance(parts[0], RefPlaceholder) and parts[0].attr == "id":
            found = self.id_of(parts[0].ref)
            return UNKNOWN if found is None else found
        out: list[str] = []
        for part in parts:
            if isinstance(part, RefPlaceholder):
                value = self.id_of(part.ref) if part.attr == "id" else self.url_of(part.ref)
                if value is None:
                    return UNKNOWN
                out.append(str(value))
            elif isinstance(part, Secret):
                out.append(part.value if reveal else SENSITIVE_TEXT)
            else:
                out.append(part)
        return "".join(out)


_PLAIN = frozenset({str, int, float, bool, type(None)})
"""Types of values that hold no marker (``Ref``, ``Secret``, ``Template``) and are their own view: most desired
leaves, which the walks below return at once (the plan walks every desired field of every object)."""


def is_sensitive(value: Any) -> bool:
    """Whether a desired value contains a secret anywhere."""
    if value.__class__ in _PLAIN:
        return False
    if isinstance(value, Secret):
        return True
    if isinstance(value, Template):
        return value.sensitive
    if isinstance(value, dict):
        return any(is_sensitive(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_sensitive(v) for v in value)
    return False


def contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def desired_view(value: Any, resolver: Resolver, *, reveal: bool) -> Any:
    """A desired value with references as addresses, templates resolved (or ``UNKNOWN``), secrets revealed or
    masked."""
    if value.__class__ in _PLAIN:
        return value
    if isinstance(value, Ref):
        return str(value)
    if isinstance(value, Secret):
        return value.value if reveal else SENSITIVE_TEXT
    if isinstance(value, Template):
        return resolver.template_value(value, reveal=reveal)
    if isinstance(value, dict):
        return {k: desired_view(v, resolver, reveal=reveal) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [desired_view(v, resolver, reveal=reveal) for v in value]
    return value


def payload_value(value: Any, resolver: Resolver) -> Any:
    """A desired value as sent to the API: references as URLs, templates and secrets resolved.

    Raises ``LookupError`` naming the reference when it cannot be resolved (the object does not exist).
    """
    if isinstance(value, Ref):
        url = resolver.url_of(value)
        if url is None:
            raise LookupError(str(value))
        return url
    if isinstance(value, Secret):
        return value.value
    if isinstance(value, Template):
        resolved = resolver.template_value(value, reveal=True)
        if resolved is UNKNOWN:
            missing = next((str(r) for r in value.refs() if resolver.url_of(r) is None), str(value))
            raise LookupError(missing)
        return resolved
    if isinstance(value, dict):
        return {k: payload_value(v, resolver) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [payload_value(v, resolver) for v in value]
    return value

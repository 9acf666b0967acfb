"""One comparable shape for desired and live values.

Rules (documented in docs/engine.md):

- References compare by manifest address (``Queue/invoices``). A live URL of an object this stack owns becomes its
  address; any other URL becomes its path tail (``queues/12``), so hosts and ports never cause a difference.
- Only declared fields are compared, and inside a declared object (dict) only the declared keys: keys the server
  adds or fills with defaults are not differences. Lists compare element by element with the same rule; lists
  named in ``KindSpec.set_fields`` compare as sets.
- Numbers compare by value (``1 == 1.0``); booleans only equal booleans; ``null`` equals an absent key.
- ``${ref...}`` templates resolve against live objects; a reference to an object not created yet is
  ``UNKNOWN`` ("known after apply") and never equal to anything.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from rossum_iac.kinds import KINDS
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


def canonical_json(value: Any) -> str:
    """Deterministic JSON text (sorted keys, no whitespace) used for hashing and set comparison."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if value is UNKNOWN:
        return UNKNOWN_TEXT
    if isinstance(value, Ref):
        return str(value)
    if isinstance(value, Secret | Template):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def url_tail(url: str) -> str:
    """``https://x/api/v1/queues/12?x=1`` -> ``queues/12``: the part of a URL that identifies an object."""
    path = urlsplit(url).path.rstrip("/")
    parts = path.split("/")
    if len(parts) >= 2:
        return f"{parts[-2]}/{parts[-1]}"
    return path


def id_from_url(url: str) -> int | None:
    tail = url_tail(url).rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


@dataclass
class Resolver:
    """Maps between manifest addresses (``Queue/x``) and live objects for one stack and one live state.

    ``bind`` records objects created during apply, so later payloads can refer to them.
    """

    by_address: dict[str, tuple[int, str]] = field(default_factory=dict)
    by_tail: dict[str, str] = field(default_factory=dict)

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


def is_sensitive(value: Any) -> bool:
    """Whether a desired value contains a secret anywhere."""
    if isinstance(value, Secret):
        return True
    if isinstance(value, Template):
        return value.sensitive
    if isinstance(value, dict):
        return any(is_sensitive(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_sensitive(v) for v in value)
    return False


def desired_view(value: Any, resolver: Resolver, *, reveal: bool) -> Any:
    """A desired value with references as addresses, templates resolved (or ``UNKNOWN``), secrets revealed or
    masked."""
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


_DURATION_RE = re.compile(r"^\s*(?:(\d+) )?(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)\s*$")


def duration_seconds(value: Any) -> float | None:
    """``[DD] [HH:[MM:]]ss[.uuuuuu]`` (the API's duration format) in seconds, or ``None``."""
    if not isinstance(value, str):
        return None
    found = _DURATION_RE.match(value)
    if not found:
        return None
    days, first, second, seconds = found.groups()
    if second is not None:
        hours, minutes = int(first), int(second)
    elif first is not None:
        hours, minutes = 0, int(first)
    else:
        hours, minutes = 0, 0
    return int(days or 0) * 86400 + hours * 3600 + minutes * 60 + float(seconds)


def contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def scalar_equal(desired: Any, live: Any) -> bool:
    if desired is UNKNOWN:
        return False
    if is_api_url(desired) and is_api_url(live):
        return bool(url_tail(desired) == url_tail(live))
    if isinstance(desired, bool) or isinstance(live, bool):
        return isinstance(desired, bool) and isinstance(live, bool) and desired == live
    if isinstance(desired, int | float) and isinstance(live, int | float):
        return desired == live
    return type(desired) is type(live) and desired == live if desired is not None else live is None


def matches(desired: Any, live: Any) -> bool:
    """Declared-subset equality: every declared dict key matches; lists match element-wise and in length."""
    if desired is UNKNOWN:
        return False
    if isinstance(desired, dict):
        if not isinstance(live, Mapping):
            return False
        return all(matches(v, live.get(k)) for k, v in desired.items())
    if isinstance(desired, list):
        if not isinstance(live, list) or len(live) != len(desired):
            return False
        return all(matches(d, v) for d, v in zip(desired, live, strict=True))
    return scalar_equal(desired, live)


def project(live: Any, desired: Any) -> Any:
    """The part of a live value that the desired value declares (for showing ``before`` values)."""
    if isinstance(desired, dict) and isinstance(live, Mapping):
        return {k: project(live.get(k), v) for k, v in desired.items() if k in live}
    if isinstance(desired, list) and isinstance(live, list):
        return [project(item, desired[i]) if i < len(desired) else item for i, item in enumerate(live)]
    return live


def as_set(values: Any) -> list[Any] | Any:
    """A list as a sorted, duplicate-free list (set comparison); other values unchanged."""
    if not isinstance(values, list):
        return values
    unique = {canonical_json(v): v for v in values}
    return [unique[k] for k in sorted(unique)]


def deep_merge(base: Any, overlay: Any) -> Any:
    """``overlay`` written over ``base``: dicts merge recursively (undeclared keys keep the live value), anything
    else is replaced. Used for update payloads of dict fields such as hook ``config`` or ``metadata``."""
    if isinstance(base, Mapping) and isinstance(overlay, Mapping):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = deep_merge(base.get(key), value)
        return merged
    return overlay


_API_URL_IN_JSON = re.compile(r'"https?://[^"\s]*?/v1/([a-z_]+)/(\d+)"')


def comparable_json(value: Any) -> str:
    """Canonical JSON with API URLs reduced to their tails (``queues/12``)."""
    return _API_URL_IN_JSON.sub(r'"\1/\2"', canonical_json(value))


def fingerprint(kind: str, data: Mapping[str, Any]) -> str:
    """SHA-256 of an object's canonical JSON, without volatile server fields (they change without anyone changing
    the configuration: documents arriving change a queue's ``counts``, a function hook's ``status`` moves from
    pending to ready) and with API URLs reduced to tails (so the host/port the organization is reached under does
    not matter)."""
    volatile = KINDS[kind].volatile_fields
    return "sha256:" + sha256_hex(comparable_json({k: v for k, v in data.items() if k not in volatile}))


def is_api_url(value: Any) -> bool:
    """Whether a string looks like the URL of an API object (``.../api/v1/<collection>/<id>``)."""
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        return False
    path = urlsplit(value).path.rstrip("/")
    return "/v1/" in path and path.rsplit("/", 1)[-1].isdigit()

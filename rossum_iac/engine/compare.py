"""The comparison rules of desired and live values (documented in docs/engine.md):

- Only declared fields are compared, and inside a declared object (dict) only the declared keys: keys the server
  adds or fills with defaults are not differences. Lists compare element by element with the same rule; set-like
  lists (``Field.set_like``) compare as sets.
- Numbers compare by value (``1 == 1.0``); booleans only equal booleans; ``null`` equals an absent key; API URLs
  compare by their tails; durations by length of time."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rossum_iac.engine.fingerprint import canonical_json
from rossum_iac.engine.resolve import UNKNOWN
from rossum_iac.engine.urls import is_api_url, url_tail

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


def scalar_equal(desired: Any, live: Any) -> bool:
    if desired.__class__ is str and live.__class__ is str and desired == live:
        return True  # the common case; every rule below says the same of two equal strings
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
